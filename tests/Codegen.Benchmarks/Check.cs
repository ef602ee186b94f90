using System;
using System.Collections.Generic;

namespace Codegen.Benchmarks;

/// <summary>Compares two implementations' results; throws (the benchmark does not run) when they differ.</summary>
public static class Check
{
    /// <summary>Every line of every successful comparison, for the report.</summary>
    public static readonly List<string> Log = new();

    /// <summary>
    /// Largest absolute difference, relative to the largest magnitude of <paramref name="expected"/>, must be at most
    /// <paramref name="tolerance"/> (float sums of up to a few thousand products: about 1e-6 in practice).
    /// </summary>
    public static void Close(string what, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, float tolerance = 2e-4f)
    {
        if (actual.Length != expected.Length)
        {
            throw new InvalidOperationException($"MISMATCH {what}: length {actual.Length} vs {expected.Length}");
        }

        float scale = 0, worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            float d = Math.Abs(actual[i] - expected[i]);
            if (!(d <= worst))
            {
                worst = d;
                at = i;
            }
        }

        float relative = worst / Math.Max(scale, 1e-12f);
        if (!(relative <= tolerance))
        {
            throw new InvalidOperationException(
                $"MISMATCH {what}: at index {at} {actual[at]} vs {expected[at]}, max |difference| {worst:G3} = {relative:G3} of max |value| {scale:G3} (tolerance {tolerance:G3})");
        }

        lock (Log)
        {
            Log.Add($"{what}: {expected.Length} values agree, max |difference| {worst:G3} ({relative:G3} of max |value| {scale:G3})");
        }
    }

    public static void Close(string what, float actual, float expected, float tolerance = 2e-5f) =>
        Close(what, new[] { actual }, new[] { expected }, tolerance);
}

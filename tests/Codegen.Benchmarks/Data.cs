using System;

namespace Codegen.Benchmarks;

/// <summary>Seeded inputs and targets, the same for every implementation.</summary>
public static class Data
{
    public static float[][] Uniform(int samples, int length, int seed, float low = 0, float high = 1)
    {
        var random = new Random(seed);
        var data = new float[samples][];
        for (int s = 0; s < samples; s++)
        {
            data[s] = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[s][i] = low + (high - low) * (float)random.NextDouble();
            }
        }

        return data;
    }

    public static int[] Labels(int samples, int classes, int seed)
    {
        var random = new Random(seed);
        var labels = new int[samples];
        for (int s = 0; s < samples; s++)
        {
            labels[s] = random.Next(classes);
        }

        return labels;
    }

    public static float[] Concat(float[][] rows)
    {
        int length = rows[0].Length;
        var flat = new float[rows.Length * length];
        for (int s = 0; s < rows.Length; s++)
        {
            rows[s].CopyTo(flat, s * length);
        }

        return flat;
    }
}

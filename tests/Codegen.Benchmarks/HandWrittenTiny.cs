using System;
using System.Runtime.Intrinsics;

namespace Codegen.Benchmarks;

/// <summary>
/// Case 4's network written by hand the way the hand-written figures were made, to compare with the generated
/// code on the same machine: the 4-8(Tanh)-3 MSE network's SGD step with every activation and gradient in registers,
/// W⁽¹⁾ kept as its 4 columns of 8 (one Vector256 each), W⁽³⁾ as its 3 rows, tanh from <see cref="Vector256.Exp(Vector256{float})"/>.
/// Loaded from and compared with the generated network's flat parameters (W⁽¹⁾ [8, 4], b⁽¹⁾, W⁽³⁾ [3, 8], b⁽³⁾).
/// </summary>
public sealed class HandWrittenTiny
{
    public const int ParameterCount = 67;

    private Vector256<float> _w1c0, _w1c1, _w1c2, _w1c3, _b1, _w3r0, _w3r1, _w3r2;
    private float _b30, _b31, _b32;

    public HandWrittenTiny(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != ParameterCount)
        {
            throw new ArgumentException($"Expected {ParameterCount} parameters, got {parameters.Length}.", nameof(parameters));
        }

        (_w1c0, _w1c1, _w1c2, _w1c3) = (Column(parameters, 0), Column(parameters, 1), Column(parameters, 2), Column(parameters, 3));
        _b1 = Vector256.Create(parameters.Slice(32, 8));
        _w3r0 = Vector256.Create(parameters.Slice(40, 8));
        _w3r1 = Vector256.Create(parameters.Slice(48, 8));
        _w3r2 = Vector256.Create(parameters.Slice(56, 8));
        (_b30, _b31, _b32) = (parameters[64], parameters[65], parameters[66]);
    }

    /// <summary>Column k of W⁽¹⁾ [8, 4]: W⁽¹⁾ⱼₖ for j = 0…7.</summary>
    private static Vector256<float> Column(ReadOnlySpan<float> parameters, int k) =>
        Vector256.Create(parameters[k], parameters[4 + k], parameters[8 + k], parameters[12 + k], parameters[16 + k], parameters[20 + k], parameters[24 + k], parameters[28 + k]);

    /// <summary>The parameters in the generated network's layout.</summary>
    public float[] Parameters()
    {
        float[] p = new float[ParameterCount];
        for (int j = 0; j < 8; j++)
        {
            p[j * 4] = _w1c0[j];
            p[(j * 4) + 1] = _w1c1[j];
            p[(j * 4) + 2] = _w1c2[j];
            p[(j * 4) + 3] = _w1c3[j];
        }

        _b1.CopyTo(p, 32);
        _w3r0.CopyTo(p, 40);
        _w3r1.CopyTo(p, 48);
        _w3r2.CopyTo(p, 56);
        (p[64], p[65], p[66]) = (_b30, _b31, _b32);
        return p;
    }

    /// <summary>One SGD step on one sample; returns ℓ = (1/3) Σⱼ (ŷⱼ − yⱼ)² before the step.</summary>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate)
    {
        if (input.Length != 4 || target.Length != 3)
        {
            throw new ArgumentException($"Expected 4 inputs and 3 targets, got {input.Length} and {target.Length}.");
        }

        float x0 = input[0], x1 = input[1], x2 = input[2], x3 = input[3];
        var z = Vector256.FusedMultiplyAdd(_w1c0, Vector256.Create(x0), _b1);
        z = Vector256.FusedMultiplyAdd(_w1c1, Vector256.Create(x1), z);
        z = Vector256.FusedMultiplyAdd(_w1c2, Vector256.Create(x2), z);
        z = Vector256.FusedMultiplyAdd(_w1c3, Vector256.Create(x3), z);
        var h = Tanh(z);
        float d0 = Vector256.Sum(_w3r0 * h) + _b30 - target[0];
        float d1 = Vector256.Sum(_w3r1 * h) + _b31 - target[1];
        float d2 = Vector256.Sum(_w3r2 * h) + _b32 - target[2];
        float loss = ((d0 * d0) + (d1 * d1) + (d2 * d2)) / 3f;
        float g0 = d0 * (2f / 3f), g1 = d1 * (2f / 3f), g2 = d2 * (2f / 3f);
        var gz = ((_w3r0 * g0) + (_w3r1 * g1) + (_w3r2 * g2)) * (Vector256<float>.One - (h * h));
        _w3r0 -= h * (learningRate * g0);
        _w3r1 -= h * (learningRate * g1);
        _w3r2 -= h * (learningRate * g2);
        _b30 -= learningRate * g0;
        _b31 -= learningRate * g1;
        _b32 -= learningRate * g2;
        var e = gz * learningRate;
        _w1c0 -= e * x0;
        _w1c1 -= e * x1;
        _w1c2 -= e * x2;
        _w1c3 -= e * x3;
        _b1 -= e;
        return loss;
    }

    /// <summary>tanh(z) = 1 − 2 / (exp(2z) + 1), z clamped to ±9 (where tanh is 1 in float).</summary>
    private static Vector256<float> Tanh(Vector256<float> z)
    {
        var c = Vector256.Clamp(z, Vector256.Create(-9f), Vector256.Create(9f));
        return Vector256<float>.One - (Vector256.Create(2f) / (Vector256.Exp(c + c) + Vector256<float>.One));
    }
}

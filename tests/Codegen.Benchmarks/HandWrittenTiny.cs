using System;
using System.Runtime.Intrinsics;

namespace Codegen.Benchmarks;

/// <summary>
/// Case 4's network written by hand the way the hand-written figures were made, to compare with the generated
/// code on the same machine: the 4-8(Tanh)-3 MSE network's SGD step with every activation and gradient in registers,
/// W⁽¹⁾ kept as its 4 columns of 8 (one Vector256 each), W⁽³⁾ as its 3 rows, and tanh the rational approximation the
/// generated code uses (so the two differ in how the step is written, not in the math). Loaded from and compared with the
/// generated network's flat parameters (W⁽¹⁾ [8, 4], b⁽¹⁾, W⁽³⁾ [3, 8], b⁽³⁾).
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

    /// <summary>
    /// tanh(z) within 3·10⁻⁷ as z·P(z²)/Q(z²) with z clamped to ±7.905 (Eigen's fast float tanh, degrees 13 and 6, the
    /// approximation the generated code's Tanh uses), z itself where |z| &lt; 4·10⁻⁴.
    /// </summary>
    private static Vector256<float> Tanh(Vector256<float> z)
    {
        var small = Vector256.LessThan(Vector256.Abs(z), Vector256.Create(0.0004f));
        var c = Vector256.Clamp(z, Vector256.Create(-7.90531110763549805f), Vector256.Create(7.90531110763549805f));
        var u = c * c;
        var u2 = u * u;
        var u4 = u2 * u2;
        var p01 = Vector256.FusedMultiplyAdd(Vector256.Create(6.37261928875436e-04f), u, Vector256.Create(4.89352455891786e-03f));
        var p23 = Vector256.FusedMultiplyAdd(Vector256.Create(5.12229709037114e-08f), u, Vector256.Create(1.48572235717979e-05f));
        var p45 = Vector256.FusedMultiplyAdd(Vector256.Create(2.00018790482477e-13f), u, Vector256.Create(-8.60467152213735e-11f));
        var p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(-2.76076847742355e-16f), u2, p45), u4, Vector256.FusedMultiplyAdd(p23, u2, p01));
        var q = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(1.19825839466702e-06f), u, Vector256.Create(1.18534705686654e-04f)), u2, Vector256.FusedMultiplyAdd(Vector256.Create(2.26843463243900e-03f), u, Vector256.Create(4.89352518554385e-03f)));
        return Vector256.ConditionalSelect(small, z, c * p / q);
    }
}

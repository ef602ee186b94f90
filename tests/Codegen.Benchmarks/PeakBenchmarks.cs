using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Codegen.Benchmarks;

/// <summary>
/// The machine's single-core floating-point peak, measured the way the 117 GFLOP/s was: Vector256 fused
/// multiply-add into 12 independent accumulators. One call is 1,000,000 × 12 FMAs × 8 lanes × 2 = 192 MFLOP, so
/// GFLOP/s = 192 / (mean in ms). The same with Vector512 (384 MFLOP per call) where AVX-512 is accelerated: on a core
/// with full-width 512-bit units (Zen 5) it doubles the peak, on Zen 4 it gives no more.
/// </summary>
public class Machine_PeakFma
{
    public const int Iterations = 1_000_000;
    private Vector256<float> _a = Vector256.Create(0.999999f), _b = Vector256.Create(1e-7f);

    [Benchmark]
    public float Vector256Fma12()
    {
        Vector256<float> a = _a, b = _b;
        Vector256<float> s0 = Vector256.Create(1f), s1 = s0 + b, s2 = s1 + b, s3 = s2 + b, s4 = s3 + b, s5 = s4 + b;
        Vector256<float> s6 = s5 + b, s7 = s6 + b, s8 = s7 + b, s9 = s8 + b, s10 = s9 + b, s11 = s10 + b;
        for (int i = 0; i < Iterations; i++)
        {
            s0 = Vector256.FusedMultiplyAdd(s0, a, b);
            s1 = Vector256.FusedMultiplyAdd(s1, a, b);
            s2 = Vector256.FusedMultiplyAdd(s2, a, b);
            s3 = Vector256.FusedMultiplyAdd(s3, a, b);
            s4 = Vector256.FusedMultiplyAdd(s4, a, b);
            s5 = Vector256.FusedMultiplyAdd(s5, a, b);
            s6 = Vector256.FusedMultiplyAdd(s6, a, b);
            s7 = Vector256.FusedMultiplyAdd(s7, a, b);
            s8 = Vector256.FusedMultiplyAdd(s8, a, b);
            s9 = Vector256.FusedMultiplyAdd(s9, a, b);
            s10 = Vector256.FusedMultiplyAdd(s10, a, b);
            s11 = Vector256.FusedMultiplyAdd(s11, a, b);
        }

        return Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
    }

    /// <summary>Vector512 FMA into 12 accumulators, 384 MFLOP per call; software-emulated (and meaningless) where Vector512 is not accelerated.</summary>
    [Benchmark]
    public float Vector512Fma12()
    {
        Vector512<float> a = Vector512.Create(_a.GetElement(0)), b = Vector512.Create(_b.GetElement(0));
        Vector512<float> s0 = Vector512.Create(1f), s1 = s0 + b, s2 = s1 + b, s3 = s2 + b, s4 = s3 + b, s5 = s4 + b;
        Vector512<float> s6 = s5 + b, s7 = s6 + b, s8 = s7 + b, s9 = s8 + b, s10 = s9 + b, s11 = s10 + b;
        for (int i = 0; i < Iterations; i++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, a, b);
            s1 = Vector512.FusedMultiplyAdd(s1, a, b);
            s2 = Vector512.FusedMultiplyAdd(s2, a, b);
            s3 = Vector512.FusedMultiplyAdd(s3, a, b);
            s4 = Vector512.FusedMultiplyAdd(s4, a, b);
            s5 = Vector512.FusedMultiplyAdd(s5, a, b);
            s6 = Vector512.FusedMultiplyAdd(s6, a, b);
            s7 = Vector512.FusedMultiplyAdd(s7, a, b);
            s8 = Vector512.FusedMultiplyAdd(s8, a, b);
            s9 = Vector512.FusedMultiplyAdd(s9, a, b);
            s10 = Vector512.FusedMultiplyAdd(s10, a, b);
            s11 = Vector512.FusedMultiplyAdd(s11, a, b);
        }

        return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + ((s8 + s9) + (s10 + s11)));
    }
}

using System;

namespace Codegen;

/// <summary>
/// A small pseudo-random generator (SplitMix64) used by generated networks to initialize their parameters.
/// It uses only integer arithmetic and exact IEEE operations, so a seed gives the same numbers on every platform,
/// runtime and culture.
/// </summary>
public struct DeterministicRandom
{
    private ulong _state;

    /// <summary>Starts a sequence from <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number uniformly distributed in [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A number uniformly distributed in [−<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    public double NextUniform(double bound) => ((2.0 * NextDouble()) - 1.0) * bound;

    /// <summary>Fills <paramref name="destination"/> with numbers uniform in [−<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    public void FillUniform(Span<float> destination, double bound)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)NextUniform(bound);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with numbers uniform in [−<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    public void FillUniform(Span<double> destination, double bound)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextUniform(bound);
        }
    }

    /// <summary>
    /// The bound of He (Kaiming) uniform initialization, √(6 / fanIn), for a layer followed by ReLU, LeakyReLU or ELU.
    /// </summary>
    public static double HeBound(int fanIn) => Math.Sqrt(6.0 / fanIn);

    /// <summary>The bound of Glorot (Xavier) uniform initialization, √(6 / (fanIn + fanOut)).</summary>
    public static double GlorotBound(int fanIn, int fanOut) => Math.Sqrt(6.0 / (fanIn + fanOut));
}

using System;
using Xunit;

namespace Codegen.Tests;

/// <summary>What <see cref="PairedPoolingTests"/> needs of a float network (not an <see cref="IFloatRegressor"/>: those are the register step's).</summary>
public interface IFloatGradients
{
    Span<float> Parameters { get; }

    Span<float> Gradients { get; }

    void Forward(ReadOnlySpan<float> input, Span<float> output);

    float Backward(ReadOnlySpan<float> target);
}

/// <summary>
/// Float convolutions followed by 2×2 max pooling: where AVX-512 is there their weight gradient takes the paired path
/// (each window's input rows loaded once for four filters), which the double networks' finite-difference checks do not
/// reach. Each float network's gradients must match those of the same network in double, whose kernels differ.
/// </summary>
public class PairedPoolingTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3 };

    [Theory, MemberData(nameof(Seeds))]
    public void BenchmarkShapedCnnMatchesItsDoubleTwin(int seed) => Compare(new PairedCnnNet(), new PairedCnnTwin(), PairedCnnNet.InputLength, PairedCnnNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void OddFiltersChannelsAndKernelRowsMatchTheDoubleTwin(int seed) => Compare(new PairedOddNet(), new PairedOddTwin(), PairedOddNet.InputLength, PairedOddNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void WideKernelsAndChunkedWindowsMatchTheDoubleTwin(int seed) => Compare(new PairedWideNet(), new PairedWideTwin(), PairedWideNet.InputLength, PairedWideNet.OutputLength, seed);

    /// <summary>Same parameters, input and target in both; the float gradients within 1e-4 of the largest double gradient (plus 1e-6).</summary>
    private static void Compare(IFloatGradients single, IDoubleNetwork twin, int inputLength, int outputLength, int seed)
    {
        var random = new Random(seed);
        Span<float> parameters = single.Parameters;
        Assert.Equal(parameters.Length, twin.Parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextDouble() - 0.5);
            twin.Parameters[i] = parameters[i];
        }

        var input = new float[inputLength];
        var target = new float[outputLength];
        for (int i = 0; i < inputLength; i++)
        {
            input[i] = (float)((2 * random.NextDouble()) - 1);
        }

        for (int i = 0; i < outputLength; i++)
        {
            target[i] = (float)random.NextDouble();
        }

        single.Forward(input, new float[outputLength]);
        single.Backward(target);
        twin.Forward(Array.ConvertAll(input, v => (double)v), new double[outputLength]);
        twin.Backward(Array.ConvertAll(target, v => (double)v), new double[inputLength]);

        double largest = 0;
        foreach (double g in twin.Gradients)
        {
            largest = Math.Max(largest, Math.Abs(g));
        }

        Assert.True(largest > 0, "the double network's gradients are all zero");
        double tolerance = 1e-6 + (1e-4 * largest);
        for (int i = 0; i < parameters.Length; i++)
        {
            double difference = Math.Abs(single.Gradients[i] - twin.Gradients[i]);
            Assert.True(difference <= tolerance, $"gradient {i}: float {single.Gradients[i]:R}, double {twin.Gradients[i]:R} (difference {difference:E3} > {tolerance:E3})");
        }
    }
}

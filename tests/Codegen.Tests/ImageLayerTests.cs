using System;
using System.Linq;
using Xunit;

namespace Codegen.Tests;

/// <summary>Image layers: Backward against central finite differences, and the behaviour of pooling and dropout.</summary>
public class ImageLayerTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3 };

    private static void Check<TNet>(int inputLength, int outputLength, int seed)
        where TNet : IDoubleNetwork, new() => GradientCheck.CheckMeanSquaredError<TNet>(inputLength, outputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DWithStrideAndNonSquareKernel(int seed) => Check<ConvStrideNet>(ConvStrideNet.InputLength, ConvStrideNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DWithPaddingAndStride(int seed) => Check<ConvPaddingNet>(ConvPaddingNet.InputLength, ConvPaddingNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DStackedAndWide(int seed) => Check<ConvWideNet>(ConvWideNet.InputLength, ConvWideNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DTiledWithOddRowsAndFilters(int seed) => Check<ConvTiledNet>(ConvTiledNet.InputLength, ConvTiledNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DTiledOnWideRows(int seed) => Check<ConvWideRowsNet>(ConvWideRowsNet.InputLength, ConvWideRowsNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DTiledWithJoinedRows(int seed) => Check<ConvJoinedRowsNet>(ConvJoinedRowsNet.InputLength, ConvJoinedRowsNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DTiledOnNarrowRows(int seed) => Check<ConvNarrowRowsNet>(ConvNarrowRowsNet.InputLength, ConvNarrowRowsNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DWeightGradientFromPooledWinners(int seed) => Check<PooledGradientNet>(PooledGradientNet.InputLength, PooledGradientNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DWeightGradientFromPooledWinnersInChunks(int seed) => Check<PooledChunksNet>(PooledChunksNet.InputLength, PooledChunksNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Conv2DWeightGradientFromOverlappingPooledWinners(int seed) => Check<PooledOverlapNet>(PooledOverlapNet.InputLength, PooledOverlapNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void MaxPool2DOverlapping(int seed) => Check<MaxPoolNet>(MaxPoolNet.InputLength, MaxPoolNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void FlattenAsTheFirstLayer(int seed) => Check<FlattenFirstNet>(FlattenFirstNet.InputLength, FlattenFirstNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void AvgPool2D(int seed) => Check<AvgPoolNet>(AvgPoolNet.InputLength, AvgPoolNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void ConvTranspose2D(int seed) => Check<ConvTransposeNet>(ConvTransposeNet.InputLength, ConvTransposeNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void MaxUnpool2D(int seed) => Check<UnpoolNet>(UnpoolNet.InputLength, UnpoolNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void DropoutInEvaluationModeIsTheIdentity(int seed) => Check<DropoutNet>(DropoutNet.InputLength, DropoutNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void DropoutWhileTraining(int seed)
    {
        // Every Forward draws a new mask; to differentiate numerically through one mask, each evaluation restarts the
        // network's generator from the same seed (InitializeParameters) and puts the parameters back.
        var net = new SameMaskDropoutNet();
        var (input, target) = GradientCheck.RandomCase(net, DropoutNet.InputLength, DropoutNet.OutputLength, seed, distribution: false);
        GradientCheck.Check(net, input, DropoutNet.OutputLength, o => GradientCheck.MeanSquaredError(o, target), g => net.Backward(target, g));
        Assert.True(net.Inner.Training);
    }

    /// <summary>A DropoutNet in training mode whose every Forward uses the mask of the first.</summary>
    private sealed class SameMaskDropoutNet : IDoubleNetwork
    {
        public DropoutNet Inner { get; } = new() { Training = true };

        public Span<double> Parameters => Inner.Parameters;

        public Span<double> Gradients => Inner.Gradients;

        public void Forward(ReadOnlySpan<double> input, Span<double> output)
        {
            double[] parameters = Inner.Parameters.ToArray();
            Inner.InitializeParameters(99);
            parameters.CopyTo(Inner.Parameters);
            Inner.Forward(input, output);
        }

        public double Backward(ReadOnlySpan<double> target, Span<double> inputGradient) => Inner.Backward(target, inputGradient);

        public void ZeroGradients() => Inner.ZeroGradients();

        public double TrainStep(ReadOnlySpan<double> input, ReadOnlySpan<double> target, double learningRate) => Inner.TrainStep(input, target, learningRate);

        public void Step(double learningRate) => Inner.Step(learningRate);
    }

    [Fact]
    public void DropoutMasksFollowTheRateAndTheSeed()
    {
        var a = new DropoutNet { Training = true };
        var b = new DropoutNet { Training = true };
        double[] input = Enumerable.Range(0, 6).Select(i => 0.3 * (i + 1)).ToArray();
        double[] outA = new double[3], outB = new double[3];
        int differing = 0;
        for (int i = 0; i < 200; i++)
        {
            a.Forward(input, outA);
            b.Forward(input, outB);
            Assert.Equal(outA, outB); // same seed, same masks
            double[] again = new double[3];
            a.Training = false;
            a.Forward(input, again);
            a.Training = true;
            differing += outA.SequenceEqual(again) ? 0 : 1;
        }

        Assert.True(differing > 150, $"dropout changed the output in only {differing} of 200 training passes");
    }

    [Fact]
    public void DropoutZeroesAboutRateOfTheValuesAndScalesTheRest()
    {
        // Dense(12) with weights set so that its output is all ones: after Dropout(0.4), each value is 0 or 1/0.6.
        var net = new DropoutNet { Training = true };
        net.Parameters.Clear();
        net.Parameters.Slice(6 * 12, 12).Fill(20); // b⁽¹⁾ = 20, so tanh gives 1 (to double precision)
        int zeros = 0, total = 0;
        for (int pass = 0; pass < 500; pass++)
        {
            net.Parameters.Slice((6 * 12) + 12, 36).Clear();
            net.Forward(new double[6], new double[3]);
            // Read the mask through the gradient: with W⁽³⁾ = 0 and b⁽³⁾ = 0, the output is 0, ∇ₖ = (2/3)(0 − (−1)) and
            // ∂ℓ/∂W⁽³⁾[k, j] = ∇ₖ · mask_j, which is 0 or (2/3)/0.6.
            net.ZeroGradients();
            net.Backward(new double[] { -1, -1, -1 }, new double[6]);
            for (int j = 0; j < 12; j++)
            {
                double value = net.Gradients[(6 * 12) + 12 + j];
                Assert.True(Math.Abs(value) < 1e-12 || Math.Abs(value - (2.0 / 3 / 0.6)) < 1e-9, $"unexpected masked value {value}");
                zeros += Math.Abs(value) < 1e-12 ? 1 : 0;
                total++;
            }
        }

        double rate = zeros / (double)total;
        Assert.InRange(rate, 0.37, 0.43); // 6,000 draws: the standard deviation of the rate is 0.006
    }

    [Theory, MemberData(nameof(Seeds))]
    public void FloatConvolutionsWithJoinedRowsMatchAReference(int seed)
    {
        // The float tiles (Vector512 ones where accelerated: joined, and overlapping) against the correlation written out in double.
        var random = new Random(seed);
        var net = new ConvJoinedRowsFloatNet();
        Span<float> parameters = net.Parameters;
        for (int k = 0; k < parameters.Length; k++)
        {
            parameters[k] = (float)((random.NextDouble() * 2) - 1) * 0.3f;
        }

        float[] input = Enumerable.Range(0, ConvJoinedRowsFloatNet.InputLength).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] output = new float[ConvJoinedRowsFloatNet.OutputLength];
        net.Forward(input, output);

        double[] p = parameters.ToArray().Select(v => (double)v).ToArray();
        double[] hidden = Correlate(input.Select(v => (double)v).ToArray(), p, weights: 0, channels: 2, height: 10, width: 44, filters: 13, kh: 5, kw: 5);
        hidden = hidden.Select(v => Math.Max(v, 0)).ToArray();
        double[] expected = Correlate(hidden, p, weights: (13 * 2 * 25) + 13, channels: 13, height: 6, width: 40, filters: 3, kh: 3, kw: 13);
        Assert.Equal(expected.Length, output.Length);
        for (int k = 0; k < output.Length; k++)
        {
            Assert.True(Math.Abs(output[k] - expected[k]) <= 1e-4 * (1 + Math.Abs(expected[k])), $"output {k}: {output[k]}, expected {expected[k]}");
        }
    }

    /// <summary>A stride-1 correlation without padding, weights [f, c, ky, kx] from <paramref name="weights"/> in p, then the biases.</summary>
    private static double[] Correlate(double[] x, double[] p, int weights, int channels, int height, int width, int filters, int kh, int kw)
    {
        int oh = height - kh + 1, ow = width - kw + 1, bias = weights + (filters * channels * kh * kw);
        double[] y = new double[filters * oh * ow];
        for (int f = 0; f < filters; f++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    double sum = p[bias + f];
                    for (int c = 0; c < channels; c++)
                    {
                        for (int ky = 0; ky < kh; ky++)
                        {
                            for (int kx = 0; kx < kw; kx++)
                            {
                                sum += p[weights + (((((f * channels) + c) * kh) + ky) * kw) + kx] * x[(((c * height) + oy + ky) * width) + ox + kx];
                            }
                        }
                    }

                    y[(((f * oh) + oy) * ow) + ox] = sum;
                }
            }
        }

        return y;
    }

    [Theory]
    [InlineData(2, 6, 34)] // rows of 17 windows: Vector256s, the last overlapping (PoolRoutingNet, and its double twin)
    [InlineData(3, 6, 26)] // rows of 13 windows: a Vector512 per row where AVX-512 is there, the last row in Vector256s
    [InlineData(2, 4, 32)] // rows of 16 windows: the same, each Vector512 exactly one row
    public void MaxPool2x2FindsTheFirstMaximumInEveryLane(int channels, int height, int width)
    {
        // Values from a small set, so most windows tie, with NaNs here and there: each window keeps the first of its
        // maximal values in the order (0, 0), (0, 1), (1, 0), (1, 1), and a NaN only where it comes first, as the
        // scalar comparison x[k] > x[best] does. The unpooling writes each maximum back where it was found.
        var random = new Random(5 + width);
        double[] values = { 1, 2, 3, double.NaN };
        double[] input = Enumerable.Range(0, channels * height * width).Select(_ => values[random.Next(random.Next(8) == 0 ? 4 : 3)]).ToArray();
        double[] expected = new double[input.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int oy = 0; oy < height / 2; oy++)
            {
                for (int ox = 0; ox < width / 2; ox++)
                {
                    int start = (((c * height) + (2 * oy)) * width) + (2 * ox), best = start;
                    foreach (int k in new[] { start + 1, start + width, start + width + 1 })
                    {
                        best = input[k] > input[best] ? k : best;
                    }

                    expected[best] = input[best];
                }
            }
        }

        float[] single = new float[input.Length];
        float[] singleInput = input.Select(v => (float)v).ToArray();
        switch (width)
        {
            case 34:
                new PoolRoutingNet().Forward(singleInput, single);
                double[] dual = new double[input.Length];
                new PoolRoutingDoubleNet().Forward(input, dual);
                for (int k = 0; k < input.Length; k++)
                {
                    Assert.True(expected[k].Equals(dual[k]), $"double, position {k}: {dual[k]}, expected {expected[k]}");
                }

                break;
            case 26:
                new PoolRouting13Net().Forward(singleInput, single);
                break;
            default:
                new PoolRouting16Net().Forward(singleInput, single);
                break;
        }

        for (int k = 0; k < input.Length; k++)
        {
            Assert.True(expected[k].Equals((double)single[k]), $"float, position {k}: {single[k]}, expected {expected[k]}");
        }
    }

    [Fact]
    public void MaxPoolRoutesTiesToTheFirstPosition()
    {
        // All inputs equal: every window ties, and the gradient goes to each window's first (top-left) position.
        var net = new MaxPoolNet();
        double[] input = new double[MaxPoolNet.InputLength];
        Array.Fill(input, 0.5);
        net.Forward(input, new double[MaxPoolNet.OutputLength]);
        double[] inputGradient = new double[MaxPoolNet.InputLength];
        net.Backward(new double[] { 1, 2, 3 }, inputGradient);
        for (int c = 0; c < 2; c++)
        {
            for (int y = 0; y < 7; y++)
            {
                for (int x = 0; x < 9; x++)
                {
                    bool first = y % 2 == 0 && x % 2 == 0 && y <= 4 && x <= 6; // top-left of some window (stride 2)
                    double g = inputGradient[(((c * 7) + y) * 9) + x];
                    Assert.True(first || g == 0, $"gradient {g} at ({c}, {y}, {x}), which is no window's first position");
                }
            }
        }
    }

    [Fact]
    public void SmallCnnLearnsAndAllocatesNothing()
    {
        // Ten 12×12 patterns (a bright square in a different place per class), learnt to 100%.
        var net = new SmallCnn { Training = true };
        float[][] images = Enumerable.Range(0, 10).Select(k =>
        {
            float[] image = new float[144];
            for (int y = 0; y < 4; y++)
            {
                for (int x = 0; x < 4; x++)
                {
                    image[((((k / 4) * 4) + y) * 12) + ((k % 4) * 3) + x] = 1;
                }
            }

            return image;
        }).ToArray();
        float[] output = new float[10];
        void Epoch()
        {
            for (int k = 0; k < 10; k++)
            {
                net.Forward(images[k], output);
                net.Backward(k);
            }

            net.Step(0.05f);
        }

        Epoch();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 0; epoch < 150; epoch++)
        {
            Epoch();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        net.Training = false;
        for (int k = 0; k < 10; k++)
        {
            net.Forward(images[k], output);
            Assert.Equal(k, Array.IndexOf(output, output.Max()));
        }
    }

    [Fact]
    public void ShapesAreConstants()
    {
        Assert.Equal(784, FashionCnn.InputLength);
        Assert.Equal(10, FashionCnn.OutputLength);
        // conv1 32·1·5·5 + 32, conv2 64·32·5·5 + 64, dense 1024·3136 + 1024, dense 10·1024 + 10 (PyTorch's count)
        Assert.Equal(832 + 51264 + 3212288 + 10250, FashionCnn.ParameterCount);
        Assert.Equal(2 * 7 * 6, ConvStrideNet.InputLength);
    }
}

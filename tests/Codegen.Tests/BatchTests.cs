using System;
using System.Linq;
using Xunit;

namespace Codegen.Tests;

/// <summary>
/// The batched overloads of [Network(MaxBatch = n)] compute what the per-sample methods compute: the same outputs, the
/// summed loss and the summed gradients of a Forward/Backward per sample, and a batch TrainStep that leaves the
/// parameters where ZeroGradients, batch Forward, Backward and Step leave them. Double networks, so "the same" is 1e-12.
/// </summary>
public class BatchTests
{
    private static double[] Random(Random random, int length, double scale = 1) =>
        Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 2 - 1) * scale).ToArray();

    /// <summary>
    /// Gives both networks the same random parameters, biases included: the default initialization sets the biases to
    /// 0, which would hide a kernel that adds the wrong row's bias.
    /// </summary>
    private static void SameRandomParameters(Random random, Span<double> a, Span<double> b)
    {
        double[] values = Random(random, a.Length, 0.5);
        values.CopyTo(a);
        values.CopyTo(b);
    }

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) <= 1e-12 * (1 + Math.Abs(expected[k])), $"{what}[{k}]: {actual[k]} vs {expected[k]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    public void DenseBatchEqualsPerSample(int batch)
    {
        var random = new Random(batch);
        var batched = new BatchMlp();
        var single = new BatchMlp();
        SameRandomParameters(random, batched.Parameters, single.Parameters);
        double[] inputs = Random(random, batch * BatchMlp.InputLength);
        int[] labels = Enumerable.Range(0, batch).Select(b => (b * 3) % BatchMlp.OutputLength).ToArray();

        double[] outputs = new double[batch * BatchMlp.OutputLength];
        batched.Forward(inputs, outputs, batch);
        double loss = batched.Backward(labels);

        double[] expectedOutputs = new double[outputs.Length];
        double expectedLoss = 0;
        for (int b = 0; b < batch; b++)
        {
            single.Forward(inputs.AsSpan(b * BatchMlp.InputLength, BatchMlp.InputLength), expectedOutputs.AsSpan(b * BatchMlp.OutputLength, BatchMlp.OutputLength));
            expectedLoss += single.Backward(labels[b]);
        }

        AssertClose(expectedOutputs, outputs, "outputs");
        Assert.Equal(expectedLoss, loss, 1e-12);
        AssertClose(single.Gradients, batched.Gradients, "gradients");

        // With one-hot targets instead of labels: the same loss and, added again, twice the gradients.
        double[] targets = new double[batch * BatchMlp.OutputLength];
        for (int b = 0; b < batch; b++)
        {
            targets[(b * BatchMlp.OutputLength) + labels[b]] = 1;
        }

        batched.Forward(inputs, outputs, batch);
        Assert.Equal(expectedLoss, batched.Backward(targets, batch), 1e-12);
        AssertClose(single.Gradients.ToArray().Select(g => 2 * g).ToArray(), batched.Gradients, "gradients after two batches");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    public void ImageBatchWithDropoutEqualsPerSample(int batch)
    {
        // One Dropout layer: the batch draws its masks in the same order as Forward per sample.
        var random = new Random(10 + batch);
        var batched = new BatchCnn { Training = true };
        var single = new BatchCnn { Training = true };
        SameRandomParameters(random, batched.Parameters, single.Parameters);
        double[] inputs = Random(random, batch * BatchCnn.InputLength);
        double[] targets = Random(random, batch * BatchCnn.OutputLength);
        double[] outputs = new double[batch * BatchCnn.OutputLength];
        batched.Forward(inputs, outputs, batch);
        double loss = batched.Backward(targets, batch);

        double[] expectedOutputs = new double[outputs.Length];
        double expectedLoss = 0;
        for (int b = 0; b < batch; b++)
        {
            single.Forward(inputs.AsSpan(b * BatchCnn.InputLength, BatchCnn.InputLength), expectedOutputs.AsSpan(b * BatchCnn.OutputLength, BatchCnn.OutputLength));
            expectedLoss += single.Backward(targets.AsSpan(b * BatchCnn.OutputLength, BatchCnn.OutputLength));
        }

        AssertClose(expectedOutputs, outputs, "outputs");
        Assert.Equal(expectedLoss, loss, 1e-12);
        AssertClose(single.Gradients, batched.Gradients, "gradients");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void BatchTrainStepEqualsBatchBackwardAndStep(int batch)
    {
        var random = new Random(20 + batch);
        var fused = new BatchMlp();
        var separate = new BatchMlp();
        SameRandomParameters(random, fused.Parameters, separate.Parameters);
        double[] marker = Enumerable.Range(0, BatchMlp.ParameterCount).Select(k => k * 0.5).ToArray();
        marker.CopyTo(fused.Gradients);
        for (int step = 0; step < 3; step++)
        {
            double[] inputs = Random(random, batch * BatchMlp.InputLength);
            int[] labels = Enumerable.Range(0, batch).Select(b => (b + step) % BatchMlp.OutputLength).ToArray();
            double loss = fused.TrainStep(inputs, labels, 0.05);
            separate.ZeroGradients();
            separate.Forward(inputs, new double[batch * BatchMlp.OutputLength], batch);
            Assert.Equal(separate.Backward(labels), loss, 1e-12);
            separate.Step(0.05);
            AssertClose(separate.Parameters, fused.Parameters, $"parameters after step {step}");
            Assert.True(fused.Gradients.SequenceEqual(marker), "TrainStep changed Gradients");
        }

        batch = Math.Min(batch, BatchCnn.MaxBatch);
        var image = new BatchCnn { Training = true };
        var imageSeparate = new BatchCnn { Training = true };
        SameRandomParameters(random, image.Parameters, imageSeparate.Parameters);
        double[] imageInputs = Random(random, batch * BatchCnn.InputLength);
        double[] imageTargets = Random(random, batch * BatchCnn.OutputLength);
        double imageLoss = image.TrainStep(imageInputs, imageTargets, batch, 0.1);
        imageSeparate.Forward(imageInputs, new double[batch * BatchCnn.OutputLength], batch);
        Assert.Equal(imageSeparate.Backward(imageTargets, batch), imageLoss, 1e-12);
        imageSeparate.Step(0.1);
        AssertClose(imageSeparate.Parameters, image.Parameters, "image parameters");
    }

    [Fact]
    public void FloatBatchMatchesPerSampleAndAllocatesNothing()
    {
        var batched = new BatchMnistMlp();
        var single = new BatchMnistMlp();
        float[] parameters = Enumerable.Range(0, BatchMnistMlp.ParameterCount).Select(k => ((k * 37 % 101) - 50) / 1000f).ToArray(); // biases not 0 either
        parameters.CopyTo(batched.Parameters);
        parameters.CopyTo(single.Parameters);
        float[] inputs = Enumerable.Range(0, 32 * 784).Select(k => (k * 7 % 255) / 255f).ToArray();
        int[] labels = Enumerable.Range(0, 32).Select(b => b % 10).ToArray();
        float[] outputs = new float[320];
        batched.Forward(inputs, outputs, 32);
        float loss = batched.Backward(labels);
        float expected = 0;
        for (int b = 0; b < 32; b++)
        {
            single.Forward(inputs.AsSpan(b * 784, 784), new float[10]);
            expected += single.Backward(labels[b]);
        }

        Assert.Equal(expected, loss, 1e-3f);
        for (int k = 0; k < BatchMnistMlp.ParameterCount; k++)
        {
            Assert.True(Math.Abs(batched.Gradients[k] - single.Gradients[k]) <= 1e-4 * (1 + Math.Abs(single.Gradients[k])), $"gradient {k}");
        }

        void Run()
        {
            batched.Forward(inputs, outputs, 32);
            batched.Backward(labels);
            batched.Step(0.001f);
            batched.TrainStep(inputs.AsSpan(0, 5 * 784), labels.AsSpan(0, 5), 0.001f);
        }

        Assert.Equal(0, AllocationCheck.BytesPerRuns(Run, 20));
    }

    [Fact]
    public void BadBatchesThrowWithTheExpectedAndActualValues()
    {
        var net = new BatchMlp();
        double[] inputs = new double[3 * BatchMlp.InputLength];
        double[] outputs = new double[3 * BatchMlp.OutputLength];
        Assert.Equal(8, BatchMlp.MaxBatch);

        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(new double[9 * BatchMlp.InputLength], new double[9 * BatchMlp.OutputLength], 9));
        Assert.Contains("1 to 8", tooMany.Message);
        Assert.Contains("got 9", tooMany.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(inputs, outputs, 0));
        var length = Assert.Throws<ArgumentException>(() => net.Forward(inputs, outputs, 2));
        Assert.Contains("length 80, got length 120", length.Message);

        net.Forward(inputs, outputs, 3);
        var mismatch = Assert.Throws<InvalidOperationException>(() => net.Backward(new[] { 0, 1 }));
        Assert.Contains("3 sample(s)", mismatch.Message);
        Assert.Contains("given 2", mismatch.Message);
        Assert.Throws<InvalidOperationException>(() => net.Backward(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Backward(new[] { 0, 1, 5 }));
        Assert.Throws<ArgumentException>(() => net.Backward(new double[2 * BatchMlp.OutputLength], 3));
        net.Backward(new[] { 0, 1, 4 });
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainStep(inputs, Array.Empty<int>(), 0.1));
        Assert.Throws<ArgumentException>(() => net.TrainStep(inputs, new[] { 1, 2 }, 0.1));

        // A Forward per sample after a batch: the per-sample Backward works again, the batch Backward does not.
        net.Forward(inputs.AsSpan(0, BatchMlp.InputLength), new double[BatchMlp.OutputLength]);
        Assert.Throws<InvalidOperationException>(() => net.Backward(new[] { 0, 1, 2 }));
        net.Backward(2);

        var handle = new BatchStruct();
        float[] structInputs = { 1, 2, 3, 4, 5, 6 };
        float[] structOutputs = new float[4];
        handle.Forward(structInputs, structOutputs, 2);
        var copy = handle;
        Assert.Throws<InvalidOperationException>(() => copy.Backward(new float[2]));
        copy.Backward(new float[4], 2);
    }
}

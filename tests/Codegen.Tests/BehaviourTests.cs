using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Codegen.Tests;

/// <summary>The generated API's contract: errors, determinism, SGD, allocation, and the size of the generated methods.</summary>
public class BehaviourTests
{
    [Fact]
    public void WrongSpanLengthsNameExpectedAndActual()
    {
        var net = new IrisNet();
        float[] output = new float[3];
        var e = Assert.Throws<ArgumentException>(() => net.Forward(new float[5], output));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("length 4", e.Message);
        Assert.Contains("length 5", e.Message);

        e = Assert.Throws<ArgumentException>(() => net.Forward(new float[4], new float[2]));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("length 3", e.Message);
        Assert.Contains("length 2", e.Message);

        net.Forward(new float[4], output);
        e = Assert.Throws<ArgumentException>(() => net.Backward(new float[4]));
        Assert.Equal("target", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => net.Backward(new float[3], new float[3]));
        Assert.Equal("inputGradient", e.ParamName);
        Assert.Contains("length 4", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheRange()
    {
        var net = new IrisNet();
        net.Forward(new float[4], new float[3]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => net.Backward(3));
        Assert.Contains("0 to 2", e.Message);
        Assert.Contains("got 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Backward(-1));
    }

    [Fact]
    public void BackwardNeedsAForward()
    {
        var net = new IrisNet();
        var e = Assert.Throws<InvalidOperationException>(() => net.Backward(0));
        Assert.Contains("Forward", e.Message);

        net.Forward(new float[4], new float[3]);
        net.Backward(0);
        net.Step(0.1f);
        Assert.Throws<InvalidOperationException>(() => net.Backward(0)); // the parameters changed since that Forward

        net.Forward(new float[4], new float[3]);
        net.InitializeParameters(7);
        Assert.Throws<InvalidOperationException>(() => net.Backward(0));
    }

    [Fact]
    public void DefaultStructIsReportedNotCrashed()
    {
        Container.StructNet net = default;
        var e = Assert.Throws<InvalidOperationException>(() => net.Forward(new float[3], new float[2]));
        Assert.Contains("new StructNet()", e.Message);

        var constructed = new Container.StructNet();
        float[] output = new float[2];
        constructed.Forward(new float[] { 1, 2, 3 }, output);
        Assert.True(constructed.Backward(new float[] { 0, 1 }) > 0);
    }

    [Fact]
    public void InitializationIsDeterministicAndFollowsTheDeclaredScheme()
    {
        var a = new IrisNet();
        var b = new IrisNet();
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));

        b.InitializeParameters(IrisNet.DefaultSeed + 1);
        Assert.False(a.Parameters.SequenceEqual(b.Parameters));
        b.InitializeParameters(IrisNet.DefaultSeed);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));

        // Layer 1 (followed by ReLU) is He uniform, bound √(6/4); layer 3 is Glorot uniform, bound √(6/(16+3)); biases 0.
        ReadOnlySpan<float> p = a.Parameters;
        Assert.All(p.Slice(0, 64).ToArray(), w => Assert.InRange(Math.Abs(w), 0, Math.Sqrt(6.0 / 4)));
        Assert.True(p.Slice(0, 64).ToArray().Max(Math.Abs) > Math.Sqrt(6.0 / (16 + 3)), "He bound is wider than Glorot's");
        Assert.All(p.Slice(64, 16).ToArray(), bias => Assert.Equal(0f, bias));
        Assert.All(p.Slice(80, 48).ToArray(), w => Assert.InRange(Math.Abs(w), 0, Math.Sqrt(6.0 / 19)));
        Assert.All(p.Slice(128, 3).ToArray(), bias => Assert.Equal(0f, bias));
    }

    [Fact]
    public void DeterministicRandomIsSplitMix64()
    {
        // Reference outputs of SplitMix64 from seed 0 (as in Vigna's reference implementation), so the parameters a
        // seed gives do not depend on the platform or runtime.
        var random = new DeterministicRandom(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void StepIsPlainSgdAndClearsGradients()
    {
        var net = new IrisNet();
        net.Forward(new float[] { 0.5f, -1, 2, 0.25f }, new float[3]);
        net.Backward(2);
        float[] before = net.Parameters.ToArray();
        float[] gradient = net.Gradients.ToArray();
        Assert.Contains(gradient, g => g != 0);

        net.Step(0.5f);
        for (int i = 0; i < before.Length; i++)
        {
            // θ − η·g, computed with a fused multiply-add where the machine has one: equal to the last bit or so.
            double expected = before[i] - (0.5 * gradient[i]);
            Assert.True(Math.Abs(net.Parameters[i] - expected) <= 1e-6 * (1 + Math.Abs(expected)), $"parameter {i}: {net.Parameters[i]} vs {expected}");
        }

        Assert.All(net.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void TrainStepEqualsForwardBackwardStep()
    {
        // TrainStep folds the update into the backward pass (W += (−η∇)xᵀ instead of W −= η(∇xᵀ)), so the float
        // results agree to rounding, not bit for bit.
        float[] input = { 5.1f, 3.5f, 1.4f, 0.2f };
        var fused = new IrisNet();
        var separate = new IrisNet();
        for (int step = 0; step < 5; step++)
        {
            int label = step % 3;
            float fusedLoss = step % 2 == 0 ? fused.TrainStep(input, label, 0.1f) : fused.TrainStep(input, OneHot(label), 0.1f);
            separate.Forward(input, new float[3]);
            float separateLoss = separate.Backward(label);
            separate.Step(0.1f);
            Assert.Equal(separateLoss, fusedLoss, 1e-5f);
            AssertClose(separate.Parameters, fused.Parameters, 1e-5, $"after step {step}");
            Assert.All(fused.Gradients.ToArray(), g => Assert.Equal(0f, g));
        }

        var wide = new MnistMlp();
        var reference = new MnistMlp();
        float[] image = Enumerable.Range(0, 784).Select(i => (i % 17) / 17f).ToArray();
        float loss = wide.TrainStep(image, 7, 0.01f);
        reference.Forward(image, new float[10]);
        Assert.Equal(reference.Backward(7), loss);
        reference.Step(0.01f);
        AssertClose(reference.Parameters, wide.Parameters, 1e-5, "MnistMlp");

        Assert.Throws<ArgumentException>(() => fused.TrainStep(new float[3], 0, 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => fused.TrainStep(input, 3, 0.1f));
        Assert.Throws<ArgumentException>(() => fused.TrainStep(input, new float[2], 0.1f));
    }

    public static TheoryData<string> DoubleNetworkNames =>
        new(typeof(IDoubleNetwork).Assembly.GetTypes()
            .Where(t => t.IsClass && typeof(IDoubleNetwork).IsAssignableFrom(t) && t.IsDefined(typeof(NetworkAttribute), false))
            .Select(t => t.Name).Order(StringComparer.Ordinal));

    /// <summary>
    /// In double precision, on every double network of the tests (dense, every activation, convolutions with stride and
    /// padding, transposed convolutions, pooling, unpooling, dropout while training): TrainStep leaves the same
    /// parameters and loss as ZeroGradients, Forward, Backward and Step, over three steps, and never touches Gradients.
    /// </summary>
    [Theory, MemberData(nameof(DoubleNetworkNames))]
    public void FusedTrainStepMatchesBackwardAndStep(string name)
    {
        Type type = typeof(IDoubleNetwork).Assembly.GetTypes().Single(t => t.Name == name);
        var fused = (IDoubleNetwork)Activator.CreateInstance(type)!;
        var separate = (IDoubleNetwork)Activator.CreateInstance(type)!;
        if (type.GetProperty("Training") is { } training)
        {
            training.SetValue(fused, true);
            training.SetValue(separate, true);
        }

        int inputLength = (int)type.GetField("InputLength")!.GetValue(null)!;
        int outputLength = (int)type.GetField("OutputLength")!.GetValue(null)!;
        var random = new Random(7);
        double[] marker = Enumerable.Range(0, fused.Gradients.Length).Select(k => k * 0.25).ToArray();
        marker.CopyTo(fused.Gradients);
        for (int step = 0; step < 3; step++)
        {
            double[] input = Enumerable.Range(0, inputLength).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double[] target = Enumerable.Range(0, outputLength).Select(_ => random.NextDouble()).ToArray();
            double fusedLoss = fused.TrainStep(input, target, 0.05);
            separate.ZeroGradients();
            separate.Forward(input, new double[outputLength]);
            double separateLoss = separate.Backward(target, new double[inputLength]);
            separate.Step(0.05);
            Assert.True(Math.Abs(fusedLoss - separateLoss) <= 1e-12 * (1 + Math.Abs(separateLoss)), $"{name}, step {step}: loss {fusedLoss} vs {separateLoss}");
            for (int k = 0; k < separate.Parameters.Length; k++)
            {
                double expected = separate.Parameters[k];
                Assert.True(Math.Abs(fused.Parameters[k] - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"{name}, step {step}, parameter {k}: {fused.Parameters[k]} vs {expected}");
            }

            Assert.True(fused.Gradients.SequenceEqual(marker), $"{name}: TrainStep changed Gradients");
        }

        Assert.Throws<InvalidOperationException>(() => fused.Backward(new double[outputLength], new double[inputLength]));
    }

    public static TheoryData<string> FloatRegressorNames =>
        new(typeof(IFloatRegressor).Assembly.GetTypes()
            .Where(t => (t.IsClass || t.IsValueType) && typeof(IFloatRegressor).IsAssignableFrom(t) && t.IsDefined(typeof(NetworkAttribute), false))
            .Select(t => t.Name).Order(StringComparer.Ordinal));

    /// <summary>
    /// The float networks small enough for TrainStep in registers, two structs among them, one with batch overloads (where Vector256 is accelerated; CI runs this again
    /// without hardware intrinsics, which takes the arrays' path): over five steps, TrainStep leaves the parameters and
    /// returns the loss that ZeroGradients, Forward, Backward and Step give, to rounding (the two paths add in different
    /// orders), never touches Gradients, and leaves no Forward for a Backward.
    /// </summary>
    [Theory, MemberData(nameof(FloatRegressorNames))]
    public void FloatTrainStepInRegistersMatchesBackwardAndStep(string name)
    {
        Type type = typeof(IFloatRegressor).Assembly.GetTypes().Single(t => t.Name == name);
        var fused = (IFloatRegressor)Activator.CreateInstance(type)!;
        var separate = (IFloatRegressor)Activator.CreateInstance(type)!;
        int inputLength = (int)type.GetField("InputLength")!.GetValue(null)!;
        int outputLength = (int)type.GetField("OutputLength")!.GetValue(null)!;
        // the register path is a long method; TrainStep without it only calls the layers' methods (under 100 bytes of IL)
        MethodInfo trainStep = type.GetMethod("TrainStep", new[] { typeof(ReadOnlySpan<float>), typeof(ReadOnlySpan<float>), typeof(float) })!;
        Assert.True(trainStep.GetMethodBody()!.GetILAsByteArray()!.Length > 500, $"{name}: no TrainStep in registers was generated");
        var random = new Random(11);
        float[] marker = Enumerable.Range(0, fused.Gradients.Length).Select(k => k * 0.25f).ToArray();
        marker.CopyTo(fused.Gradients);
        for (int step = 0; step < 5; step++)
        {
            float[] input = Enumerable.Range(0, inputLength).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
            float[] target = Enumerable.Range(0, outputLength).Select(_ => (float)random.NextDouble()).ToArray();
            float fusedLoss = fused.TrainStep(input, target, 0.1f);
            separate.ZeroGradients();
            separate.Forward(input, new float[outputLength]);
            float separateLoss = separate.Backward(target);
            separate.Step(0.1f);
            Assert.True(Math.Abs(fusedLoss - separateLoss) <= 1e-5 * (1 + Math.Abs(separateLoss)), $"{name}, step {step}: loss {fusedLoss} vs {separateLoss}");
            AssertClose(separate.Parameters, fused.Parameters, 1e-5, $"{name}, step {step}");
            Assert.True(fused.Gradients.SequenceEqual(marker), $"{name}: TrainStep changed Gradients");
        }

        Assert.Throws<InvalidOperationException>(() => fused.Backward(new float[outputLength]));
    }

    public static TheoryData<string> FloatClassifierNames =>
        new(typeof(IFloatClassifier).Assembly.GetTypes()
            .Where(t => t.IsClass && typeof(IFloatClassifier).IsAssignableFrom(t) && t.IsDefined(typeof(NetworkAttribute), false))
            .Select(t => t.Name).Order(StringComparer.Ordinal));

    /// <summary>
    /// The small float classifiers, whose TrainStep runs in registers with the softmax fused with the cross-entropy: over
    /// six steps, alternately by label and by one-hot target, the loss and parameters ZeroGradients, Forward, Backward and
    /// Step give, to rounding.
    /// </summary>
    [Theory, MemberData(nameof(FloatClassifierNames))]
    public void FloatClassifierTrainStepInRegistersMatchesBackwardAndStep(string name)
    {
        Type type = typeof(IFloatClassifier).Assembly.GetTypes().Single(t => t.Name == name);
        var fused = (IFloatClassifier)Activator.CreateInstance(type)!;
        var separate = (IFloatClassifier)Activator.CreateInstance(type)!;
        int inputLength = (int)type.GetField("InputLength")!.GetValue(null)!;
        int outputLength = (int)type.GetField("OutputLength")!.GetValue(null)!;
        // the register path is a long method; TrainStep without it only calls the layers' methods (under 100 bytes of IL)
        Assert.All(type.GetMethods().Where(m => m.Name == "TrainStep"), m => Assert.True(m.GetMethodBody()!.GetILAsByteArray()!.Length > 500, $"{name}: no TrainStep in registers was generated"));
        var random = new Random(13);
        for (int step = 0; step < 6; step++)
        {
            float[] input = Enumerable.Range(0, inputLength).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
            int label = random.Next(outputLength);
            float fusedLoss = step % 2 == 0 ? fused.TrainStep(input, label, 0.1f) : fused.TrainStep(input, OneHot(label, outputLength), 0.1f);
            separate.ZeroGradients();
            separate.Forward(input, new float[outputLength]);
            float separateLoss = step % 2 == 0 ? separate.Backward(label) : separate.Backward(OneHot(label, outputLength));
            separate.Step(0.1f);
            Assert.True(Math.Abs(fusedLoss - separateLoss) <= 1e-5 * (1 + Math.Abs(separateLoss)), $"{name}, step {step}: loss {fusedLoss} vs {separateLoss}");
            AssertClose(separate.Parameters, fused.Parameters, 1e-5, $"{name}, step {step}");
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => fused.TrainStep(new float[inputLength], outputLength, 0.1f));
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) <= tolerance * (1 + Math.Abs(expected[k])), $"{what}, parameter {k}: {actual[k]} vs {expected[k]}");
        }
    }

    /// <summary>
    /// CI runs these tests again with DOTNET_EnableAVX512=0 and with DOTNET_EnableHWIntrinsic=0, to reach the Vector256
    /// and the scalar code of the generated kernels; this fails if a runtime stops honouring the switch (as .NET 10 did
    /// with the older DOTNET_EnableAVX512F), so that those runs cannot silently test the default widths again.
    /// </summary>
    /// <summary>
    /// Parameters and Gradients start on a 64-byte boundary (a cache line), in float and double, class and struct
    /// networks, so that the Vector512 loads of rows whose length is a multiple of 64 bytes never straddle two lines.
    /// </summary>
    [Fact]
    public unsafe void ParametersAndGradientsStartOnACacheLine()
    {
        static long Address<T>(Span<T> values) where T : unmanaged
        {
            fixed (T* p = values)
            {
                return (long)p;
            }
        }

        for (int i = 0; i < 20; i++) // several allocations, so that not every start is aligned by luck
        {
            var iris = new IrisNet();
            var deep = new DeepNet();
            var structNet = new Container.StructNet();
            Assert.Equal(0, Address(iris.Parameters) % 64);
            Assert.Equal(0, Address(iris.Gradients) % 64);
            Assert.Equal(0, Address(deep.Parameters) % 64);
            Assert.Equal(0, Address(deep.Gradients) % 64);
            Assert.Equal(0, Address(structNet.Parameters) % 64);
            Assert.Equal(0, Address(structNet.Gradients) % 64);
            Assert.Equal(IrisNet.ParameterCount, iris.Parameters.Length);
            Assert.Equal(DeepNet.ParameterCount, deep.Gradients.Length);
        }
    }

    [Fact]
    public void VectorWidthSwitchesTakeEffect()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
        {
            Assert.False(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated);
        }

        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.False(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated);
        }
    }

    /// <summary>
    /// Float networks compute tanh with a rational approximation instead of MathF.Tanh (which calls the C library and
    /// is slower); it stays within 3·10⁻⁷ of the double tanh everywhere, is odd, exact near 0 and saturates.
    /// </summary>
    [Fact]
    public void FloatTanhIsWithinThreeTenMillionths()
    {
        var net = new FloatTanhNet();
        float[] input = new float[FloatTanhNet.InputLength];
        float[] output = new float[FloatTanhNet.OutputLength];
        double largest = 0;
        for (int block = 0; block < 2400; block++)
        {
            for (int k = 0; k < input.Length; k++)
            {
                input[k] = -12f + ((block * input.Length) + k) * (24f / (2400 * 1024));
            }

            net.Forward(input, output);
            for (int k = 0; k < input.Length; k++)
            {
                largest = Math.Max(largest, Math.Abs(output[k] - Math.Tanh(input[k])));
                Assert.True(Math.Abs(output[k]) <= 1f, $"tanh({input[k]}) = {output[k]}");
            }
        }

        Assert.True(largest < 3e-7, $"largest error {largest}");
        float[] special = { 0f, 1e-30f, -1e-10f, 3.9e-4f, -0.5f, 0.5f, 40f, -40f, float.PositiveInfinity, float.NegativeInfinity, float.NaN };
        float[] result = new float[special.Length];
        for (int k = 0; k < special.Length; k++)
        {
            input.AsSpan().Clear();
            input[0] = special[k];
            net.Forward(input, output);
            result[k] = output[0];
        }

        Assert.Equal(new[] { 0f, 1e-30f, -1e-10f, 3.9e-4f }, result[..4]);
        Assert.Equal(-result[4], result[5]);
        Assert.True(result[6] > 0.9999997f && result[7] < -0.9999997f && result[8] > 0.9999997f && result[9] < -0.9999997f);
        Assert.True(float.IsNaN(result[10]));
    }

    private static float[] OneHot(int label, int classes = 3)
    {
        float[] target = new float[classes];
        target[label] = 1;
        return target;
    }

    [Fact]
    public void LabelAndOneHotTargetAgree()
    {
        var a = new IrisNet();
        var b = new IrisNet();
        float[] input = { 5.1f, 3.5f, 1.4f, 0.2f };
        a.Forward(input, new float[3]);
        b.Forward(input, new float[3]);
        float lossLabel = a.Backward(1);
        float lossTarget = b.Backward(new float[] { 0, 1, 0 });
        Assert.Equal(lossTarget, lossLabel, 6);
        for (int i = 0; i < IrisNet.ParameterCount; i++)
        {
            Assert.Equal(b.Gradients[i], a.Gradients[i], 6);
        }
    }

    [Fact]
    public void ForwardBackwardAndStepAllocateNothing()
    {
        var net = new IrisNet();
        var mlp = new MnistMlp();
        float[] input = { 0.1f, 0.2f, 0.3f, 0.4f };
        float[] target = { 0, 0, 1 };
        float[] output = new float[3];
        float[] mnistInput = new float[784];
        float[] mnistOutput = new float[10];
        float[] inputGradient = new float[4];
        void Run()
        {
            net.Forward(input, output);
            net.Backward(target);
            net.Forward(input, output);
            net.Backward(1, inputGradient);
            net.Step(0.01f);
            net.ZeroGradients();
            mlp.Forward(mnistInput, mnistOutput);
            mlp.Backward(3);
            mlp.Step(0.01f);
            mlp.TrainStep(mnistInput, 4, 0.01f);
            net.TrainStep(input, target, 0.01f);
        }

        Assert.Equal(0, AllocationCheck.BytesPerRuns(Run, 1000));
    }

    [Fact]
    public void InferenceOnlyNetworkHasNoBackward()
    {
        Assert.Null(typeof(InferenceNet).GetMethod("Backward"));
        Assert.Null(typeof(InferenceNet).GetMethod("Step"));
        Assert.Null(typeof(InferenceNet).GetProperty("Gradients"));
        var net = new InferenceNet();
        float[] output = new float[2];
        net.Forward(new float[] { 1, 2, 3 }, output);
        Assert.All(output, o => Assert.InRange(o, 0f, 1f));
    }

    [Fact]
    public void GeneratedMethodsStayFarBelowTheJitLimits()
    {
        // Above 60,000 bytes of IL, or 2,000 locals, the JIT compiles a method without optimization.
        Type[] networks = typeof(BehaviourTests).Assembly.GetTypes()
            .Where(t => t.GetField("ParameterCount") is not null)
            .ToArray();
        Assert.True(networks.Length >= 15);
        foreach (Type type in networks)
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                MethodBody? body = method.GetMethodBody();
                if (body is null)
                {
                    continue;
                }

                Assert.True(body.GetILAsByteArray()!.Length < 10_000, $"{type.Name}.{method.Name}: {body.GetILAsByteArray()!.Length} bytes of IL");
                Assert.True(body.LocalVariables.Count < 1_000, $"{type.Name}.{method.Name}: {body.LocalVariables.Count} locals");
            }
        }
    }
}

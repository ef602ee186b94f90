using System;
using System.Linq;
using Xunit;

namespace Codegen.Tests;

/// <summary>Every activation, layer and loss: Backward against central finite differences, on several random points.</summary>
public class GradientTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5 };

    private static double CrossEntropyLoss(double[] p, double[] target) => -p.Zip(target, (pk, yk) => yk * Math.Log(pk)).Sum();

    private static double BinaryCrossEntropyLoss(double[] p, double[] target) =>
        -p.Zip(target, (pk, yk) => (yk * Math.Log(pk)) + ((1 - yk) * Math.Log(1 - pk))).Sum() / p.Length;

    private static void CheckMse<TNet>(int inputLength, int outputLength, int seed)
        where TNet : IDoubleNetwork, new() => GradientCheck.CheckMeanSquaredError<TNet>(inputLength, outputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void ReLU(int seed) => CheckMse<ReluNet>(ReluNet.InputLength, ReluNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void LeakyReLU(int seed) => CheckMse<LeakyReluNet>(LeakyReluNet.InputLength, LeakyReluNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void LeakyReLUWithDefaultSlope(int seed) => CheckMse<LeakyReluDefaultNet>(LeakyReluDefaultNet.InputLength, LeakyReluDefaultNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void ELU(int seed) => CheckMse<EluNet>(EluNet.InputLength, EluNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Sigmoid(int seed) => CheckMse<SigmoidNet>(SigmoidNet.InputLength, SigmoidNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Tanh(int seed) => CheckMse<TanhNet>(TanhNet.InputLength, TanhNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void Softsign(int seed) => CheckMse<SoftsignNet>(SoftsignNet.InputLength, SoftsignNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void SoftmaxWithMeanSquaredError(int seed) => CheckMse<SoftmaxMseNet>(SoftmaxMseNet.InputLength, SoftmaxMseNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void DenseLoopsAndStackedActivations(int seed) => CheckMse<DeepNet>(DeepNet.InputLength, DeepNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void DenseRowsSkippedWhereReLUZeroesTheGradient(int seed) => CheckMse<SparseReluNet>(SparseReluNet.InputLength, SparseReluNet.OutputLength, seed);

    [Theory, MemberData(nameof(Seeds))]
    public void CrossEntropyWithDistributionTarget(int seed)
    {
        var net = new CrossEntropyNet();
        var (input, target) = GradientCheck.RandomCase(net, CrossEntropyNet.InputLength, CrossEntropyNet.OutputLength, seed, distribution: true);
        GradientCheck.Check(net, input, CrossEntropyNet.OutputLength, p => CrossEntropyLoss(p, target), g => net.Backward(target, g));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void CrossEntropyWithTargetNotSummingToOne(int seed)
    {
        // ∂ℓ/∂z = p·Σy − y in general; p − y only when the target sums to 1.
        var net = new CrossEntropyNet();
        var (input, target) = GradientCheck.RandomCase(net, CrossEntropyNet.InputLength, CrossEntropyNet.OutputLength, seed, distribution: false);
        GradientCheck.Check(net, input, CrossEntropyNet.OutputLength, p => CrossEntropyLoss(p, target), g => net.Backward(target, g));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void CrossEntropyWithLabel(int seed)
    {
        var net = new CrossEntropyNet();
        var (input, _) = GradientCheck.RandomCase(net, CrossEntropyNet.InputLength, CrossEntropyNet.OutputLength, seed, distribution: true);
        int label = seed % CrossEntropyNet.OutputLength;
        GradientCheck.Check(net, input, CrossEntropyNet.OutputLength, p => -Math.Log(p[label]), g => net.Backward(label, g));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void BinaryCrossEntropy(int seed)
    {
        var net = new BinaryCrossEntropyNet();
        var (input, target) = GradientCheck.RandomCase(net, BinaryCrossEntropyNet.InputLength, BinaryCrossEntropyNet.OutputLength, seed, distribution: false);
        GradientCheck.Check(net, input, BinaryCrossEntropyNet.OutputLength, p => BinaryCrossEntropyLoss(p, target), g => net.Backward(target, g));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void InputGradientThroughActivationsOnly(int seed)
    {
        var net = new ActivationsFirstNet();
        var (input, target) = GradientCheck.RandomCase(net, ActivationsFirstNet.InputLength, ActivationsFirstNet.OutputLength, seed, distribution: true);
        GradientCheck.Check(net, input, ActivationsFirstNet.OutputLength, p => CrossEntropyLoss(p, target), g => net.Backward(target, g));
        GradientCheck.Check(net, input, ActivationsFirstNet.OutputLength, p => -Math.Log(p[seed % 3]), g => net.Backward(seed % 3, g));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void FusedLossDirectlyAfterInput(int seed)
    {
        var net = new SoftmaxOnlyNet();
        var (input, target) = GradientCheck.RandomCase(net, SoftmaxOnlyNet.InputLength, SoftmaxOnlyNet.OutputLength, seed, distribution: true);
        Assert.Equal(0, SoftmaxOnlyNet.ParameterCount);
        GradientCheck.Check(net, input, SoftmaxOnlyNet.OutputLength, p => CrossEntropyLoss(p, target), g => net.Backward(target, g));
    }

    [Fact]
    public void CrossEntropyIsStableForLargeLogits()
    {
        // Logits of ±1000 overflow exp and underflow the softmax; the loss goes through log-sum-exp and stays finite.
        var net = new SoftmaxOnlyNet();
        double[] output = new double[4];
        net.Forward(new double[] { 1000, -1000, 0, 999 }, output);
        double loss = net.Backward(1, new double[4]);
        Assert.Equal(2000.0 + Math.Log(1 + Math.Exp(-1)), loss, 9);
        Assert.All(output, p => Assert.True(double.IsFinite(p)));
    }

    [Fact]
    public void BinaryCrossEntropyIsStableForLargeLogits()
    {
        // With all weights 0 except one bias, the logits are the biases: σ(±800) is 0 or 1 in double, log(0) would be −∞.
        var net = new BinaryCrossEntropyNet();
        net.Parameters.Clear();
        int biasOffset = BinaryCrossEntropyNet.ParameterCount - 3;
        net.Parameters[biasOffset] = 800;
        net.Parameters[biasOffset + 1] = -800;
        double[] output = new double[3];
        net.Forward(new double[5], output);
        double loss = net.Backward(new double[] { 0, 1, 0.5 });
        Assert.Equal((800.0 + 800.0 + Math.Log(2)) / 3, loss, 9);
    }
}

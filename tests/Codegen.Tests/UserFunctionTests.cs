using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Codegen.Tests;

/// <summary>
/// Derivatives of user-written functions, derived by the generator at compile time, against central finite
/// differences (double, eps 1e-6, atol 1e-5, rtol 1e-3) of the same C# methods called at run time.
/// </summary>
public class UserFunctionTests
{
    private const int N = 64;

    /// <summary>64 points: a grid over [−4, 4], and points near the kinks at 0, ±0.5 and ±1 (1e-4 away, far beyond eps).</summary>
    private static double[] Points()
    {
        var points = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            points.Add(-4 + (8.0 * i / 39) + 0.013);
        }

        foreach (double kink in new[] { 0.0, 0.5, -0.5, 1.0, -1.0, 2.0 })
        {
            points.Add(kink + 1e-4);
            points.Add(kink - 1e-4);
            points.Add(kink + 3e-3);
            points.Add(kink - 3e-3);
        }

        Assert.Equal(N, points.Count);
        return points.ToArray();
    }

    private static double Numeric(Func<double, double> f, double x) => (f(x + GradientCheck.Eps) - f(x - GradientCheck.Eps)) / (2 * GradientCheck.Eps);

    /// <summary>
    /// With MSE and the target y = f(x) − n/2, ∂ℓ/∂x = (2/n)(f(x) − y) f′(x) = f′(x): the input gradient is the
    /// generated derivative itself, at every point.
    /// </summary>
    private static void CheckActivation<TNet>(Func<double, double> f)
        where TNet : IDoubleNetwork, new()
    {
        var net = new TNet();
        double[] x = Points();
        double[] y = new double[N];
        net.Forward(x, y);
        for (int j = 0; j < N; j++)
        {
            GradientCheck.AssertClose(y[j], f(x[j]), $"f({x[j]})", 1e-12);
        }

        double[] target = y.Select(v => v - (N / 2.0)).ToArray();
        double[] derivative = new double[N];
        net.Backward(target, derivative);
        for (int j = 0; j < N; j++)
        {
            GradientCheck.AssertClose(derivative[j], Numeric(f, x[j]), $"f′({x[j]})");
        }
    }

    /// <summary>With an identity activation, ∂ℓ/∂xⱼ = (1/n) ∂L/∂o at (xⱼ, tⱼ), and ℓ = (1/n) Σ L.</summary>
    private static void CheckLoss<TNet>(Func<double, double, double> loss)
        where TNet : IDoubleNetwork, new()
    {
        var net = new TNet();
        double[] o = Points();
        var random = new Random(5);
        double[] t = o.Select((v, j) => j % 3 == 0 ? v - ((random.NextDouble() * 6) - 3) : v).ToArray(); // kinks at d = 0 too
        t = o.Select((v, j) => j % 3 == 0 ? t[j] : 0.25 * v).ToArray();
        net.Forward(o, new double[N]);
        double[] gradient = new double[N];
        double reported = net.Backward(t, gradient);
        GradientCheck.AssertClose(reported, o.Select((v, j) => loss(v, t[j])).Average(), "ℓ", 1e-12);
        for (int j = 0; j < N; j++)
        {
            int k = j;
            GradientCheck.AssertClose(gradient[j] * N, Numeric(v => loss(v, t[k]), o[j]), $"∂L/∂o({o[j]}, {t[j]})");
        }
    }

    [Fact] public void Swish() => CheckActivation<SwishNet>(Activations.Swish);

    [Fact] public void Softplus() => CheckActivation<SoftplusNet>(Activations.Softplus);

    [Fact] public void MishCallingSoftplus() => CheckActivation<MishNet>(Activations.Mish);

    [Fact] public void GeluTanhFormWithLocals() => CheckActivation<GeluNet>(Activations.Gelu);

    [Fact] public void Elu() => CheckActivation<UserEluNet>(Activations.Elu);

    [Fact] public void Selu() => CheckActivation<SeluNet>(Activations.Selu);

    [Fact] public void Softsign() => CheckActivation<UserSoftsignNet>(Activations.Softsign);

    [Fact] public void HardTanhWithClamp() => CheckActivation<HardTanhNet>(Activations.HardTanh);

    [Fact] public void LeakyReluByHand() => CheckActivation<UserLeakyReluNet>(Activations.LeakyRelu);

    [Fact] public void ReluWithMax() => CheckActivation<UserReluNet>(Activations.Relu);

    [Fact] public void Sine() => CheckActivation<SineNet>(Activations.Sine);

    [Fact] public void RationalFunction() => CheckActivation<RationalNet>(Activations.Rational);

    [Fact] public void PowWithFractionalExponent() => CheckActivation<PowFractionalNet>(Activations.PowFractional);

    [Fact] public void PowWithVariableExponent() => CheckActivation<ExponentsNet>(Activations.Exponents);

    [Fact] public void Log2Log10Cbrt() => CheckActivation<LogsNet>(Activations.Logs);

    [Fact] public void SinhCoshAtan() => CheckActivation<HyperbolicNet>(Activations.Hyperbolic);

    [Fact] public void SqrtSignMin() => CheckActivation<RootsNet>(Activations.Roots);

    [Fact] public void Huber() => CheckLoss<HuberNet>(Losses.Huber);

    [Fact] public void LogCosh() => CheckLoss<LogCoshNet>(Losses.LogCosh);

    [Fact] public void SmoothL1() => CheckLoss<SmoothL1Net>(Losses.SmoothL1);

    [Fact] public void QuantilePinball() => CheckLoss<QuantileNet>(Losses.Quantile);

    [Fact] public void PowerLossWithFractionalExponent() => CheckLoss<PowerLossNet>(Losses.PowerLoss);

    [Fact] public void SquaredErrorByHand() => CheckLoss<SquaredNet>(Losses.Squared);

    [Fact]
    public void ConventionsAtKinks()
    {
        // The derivative at a kink follows the written form, with PyTorch's conventions: max(a, b) takes a's derivative
        // on ties (so Max(x, 0)′ at 0 is 1; write x > 0 ? x : 0 for PyTorch's ReLU′(0) = 0), a conditional takes the
        // branch its comparison selects, |x|′ and sign at 0 are 0, and clamp passes the gradient at its bounds.
        double At<TNet>(double x)
            where TNet : IDoubleNetwork, new()
        {
            var net = new TNet();
            double[] input = new double[N];
            Array.Fill(input, x);
            double[] y = new double[N];
            net.Forward(input, y);
            double[] gradient = new double[N];
            net.Backward(y.Select(v => v - (N / 2.0)).ToArray(), gradient);
            return gradient[0];
        }

        Assert.Equal(1.0, At<UserReluNet>(0));            // max(x, 0): first argument on ties
        Assert.Equal(1.0, At<HardTanhNet>(1));            // clamp: gradient passes at the bound
        Assert.Equal(1.0, At<HardTanhNet>(-1));
        Assert.Equal(1.0, At<UserLeakyReluNet>(0));       // x >= 0 ? x : 0.1x takes the first branch at 0
        Assert.Equal(0.1, At<UserLeakyReluNet>(-1e-300), 12);
        Assert.Equal(1.0 / 1.0, At<UserSoftsignNet>(0));  // 1/(1+|x|) − x·sign(x)/(1+|x|)², sign(0) = 0
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void UserFunctionsInsideADeepNetwork(int seed)
    {
        var net = new UserFunctionsDeepNet();
        var (input, target) = GradientCheck.RandomCase(net, UserFunctionsDeepNet.InputLength, UserFunctionsDeepNet.OutputLength, seed, distribution: false);
        GradientCheck.Check(net, input, UserFunctionsDeepNet.OutputLength, o => o.Select((v, j) => Losses.Huber(v, target[j])).Average(), g => net.Backward(target, g));
    }

    [Fact]
    public void RegressorLearnsANoisyFunction()
    {
        // y = sin(2x) + noise (σ = 0.1) on [−2, 2]; Swish activation, log-cosh loss, both written by the user.
        var random = new DeterministicRandom(3);
        double Noise() => (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 0.2; // σ = 0.1
        var train = Enumerable.Range(0, 400).Select(_ => random.NextUniform(2)).Select(x => (X: (float)x, Y: (float)(Math.Sin(2 * x) + Noise()))).ToArray();
        var test = Enumerable.Range(0, 200).Select(i => -2 + (4.0 * i / 199)).Select(x => (X: (float)x, Y: (float)Math.Sin(2 * x))).ToArray();

        var net = new Regressor();
        float[] output = new float[1];
        float[] input = new float[1];
        float[] target = new float[1];
        for (int epoch = 0; epoch < 300; epoch++)
        {
            for (int b = 0; b < train.Length; b += 20)
            {
                for (int i = b; i < b + 20; i++)
                {
                    input[0] = train[i].X;
                    target[0] = train[i].Y;
                    net.Forward(input, output);
                    net.Backward(target);
                }

                net.Step(0.2f / 20); // Step takes the sum of the batch's gradients: η = 0.2 on their mean
            }
        }

        double mse = test.Average(p =>
        {
            input[0] = p.X;
            net.Forward(input, output);
            return (output[0] - p.Y) * (output[0] - p.Y);
        });
        Assert.True(mse < 0.01, $"test mean square error against the noiseless function: {mse:F5} (noise variance 0.01)");
    }
}

using System;
using Xunit;

namespace Codegen.Tests;

/// <summary>
/// Compares a network's backward pass with central finite differences in double precision, with PyTorch gradcheck's
/// tolerances: eps 1e-6, |analytic − numeric| ≤ atol + rtol·|numeric|, atol 1e-5, rtol 1e-3.
/// </summary>
public static class GradientCheck
{
    public const double Eps = 1e-6, Atol = 1e-5, Rtol = 1e-3;

    /// <summary>Random input, target and parameters from <paramref name="seed"/>.</summary>
    public static (double[] Input, double[] Target) RandomCase(IDoubleNetwork net, int inputLength, int outputLength, int seed, bool distribution)
    {
        var random = new Random(seed);
        Span<double> p = net.Parameters;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = (random.NextDouble() * 2) - 1;
        }

        double[] input = new double[inputLength];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (random.NextDouble() * 4) - 2;
        }

        double[] target = new double[outputLength];
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = random.NextDouble();
        }

        if (distribution)
        {
            double sum = 0;
            foreach (double t in target)
            {
                sum += t;
            }

            for (int i = 0; i < target.Length; i++)
            {
                target[i] /= sum;
            }
        }

        return (input, target);
    }

    /// <summary>Runs a Backward of the last Forward, writing ∂ℓ/∂x into <paramref name="inputGradient"/>; returns ℓ.</summary>
    public delegate double BackwardCall(Span<double> inputGradient);

    /// <summary>
    /// Checks, at the given point, the loss Backward returns against <paramref name="loss"/> (computed here from the
    /// output, independently of the generated code), and ∂ℓ/∂θ and ∂ℓ/∂x against central finite differences of it.
    /// </summary>
    public static void Check(IDoubleNetwork net, double[] input, int outputLength, Func<double[], double> loss, BackwardCall backward)
    {
        double[] output = new double[outputLength];
        double LossAt(double[] x)
        {
            net.Forward(x, output);
            return loss(output);
        }

        // Analytic gradients, and the loss Backward reports.
        net.ZeroGradients();
        double expectedLoss = LossAt(input);
        double[] analyticInput = new double[input.Length];
        double reportedLoss = backward(analyticInput);
        AssertClose(reportedLoss, expectedLoss, "loss", 1e-12);
        double[] analyticParameters = net.Gradients.ToArray();

        // Backward accumulates: a second call adds the same gradient again.
        double[] scratch = new double[input.Length];
        backward(scratch);
        for (int i = 0; i < analyticParameters.Length; i++)
        {
            AssertClose(net.Gradients[i], 2 * analyticParameters[i], "accumulated parameter " + i, 1e-12);
        }

        Span<double> p = net.Parameters;
        for (int i = 0; i < p.Length; i++)
        {
            double saved = p[i];
            p[i] = saved + Eps;
            double plus = LossAt(input);
            p[i] = saved - Eps;
            double minus = LossAt(input);
            p[i] = saved;
            AssertClose(analyticParameters[i], (plus - minus) / (2 * Eps), "∂ℓ/∂θ[" + i + "]");
        }

        for (int i = 0; i < input.Length; i++)
        {
            double[] shifted = (double[])input.Clone();
            shifted[i] = input[i] + Eps;
            double plus = LossAt(shifted);
            shifted[i] = input[i] - Eps;
            double minus = LossAt(shifted);
            AssertClose(analyticInput[i], (plus - minus) / (2 * Eps), "∂ℓ/∂x[" + i + "]");
        }
    }

    /// <summary>The mean square error of <paramref name="output"/> against <paramref name="target"/>, computed here.</summary>
    public static double MeanSquaredError(double[] output, double[] target) =>
        System.Linq.Enumerable.Average(System.Linq.Enumerable.Zip(output, target, (o, t) => (o - t) * (o - t)));

    /// <summary>The full check of a network with a mean-square-error loss at a random point.</summary>
    public static void CheckMeanSquaredError<TNet>(int inputLength, int outputLength, int seed)
        where TNet : IDoubleNetwork, new()
    {
        var net = new TNet();
        var (input, target) = RandomCase(net, inputLength, outputLength, seed, distribution: false);
        Check(net, input, outputLength, o => MeanSquaredError(o, target), g => net.Backward(target, g));
    }

    public static void AssertClose(double analytic, double numeric, string what, double? relative = null)
    {
        double tolerance = relative is double r ? r * (1 + Math.Abs(numeric)) : Atol + (Rtol * Math.Abs(numeric));
        Assert.True(
            Math.Abs(analytic - numeric) <= tolerance,
            $"{what}: backward gives {analytic:R}, finite differences give {numeric:R} (difference {Math.Abs(analytic - numeric):E3} > tolerance {tolerance:E3})");
    }
}

using System;
using Codegen;

// User-written activations and losses (issue: derive the gradient of user functions at compile time). Each is an
// ordinary C# method: the generator differentiates its body, and the tests compare that derivative with central
// finite differences of the very same method, called at run time.
namespace Codegen.Tests;

/// <summary>Activations, f(x).</summary>
public static class Activations
{
    public const double SeluAlpha = 1.6732632423543772, SeluScale = 1.0507009873554805;

    public static double Swish(double x) => x / (1 + Math.Exp(-x));

    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    /// <summary>Calls another function: inlined.</summary>
    public static double Mish(double x) => x * Math.Tanh(Softplus(x));

    /// <summary>GELU, tanh form, with locals in a block.</summary>
    public static double Gelu(double x)
    {
        var inner = Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x));
        double half = 0.5 * x;
        return half * (1 + Math.Tanh(inner));
    }

    public static double Elu(double x) => x > 0 ? x : Math.Exp(x) - 1;

    public static double Selu(double x) => SeluScale * (x > 0 ? x : SeluAlpha * (Math.Exp(x) - 1));

    public static double Softsign(double x) => x / (1 + Math.Abs(x));

    public static double HardTanh(double x) => Math.Clamp(x, -1, 1);

    public static double LeakyRelu(double x) => x >= 0 ? x : 0.1 * x;

    public static double Relu(double x) => Math.Max(x, 0);

    public static double Sine(double x) => Math.Sin(x);

    public static double Rational(double x) => (x * x + 1) / (x * x + 2) - (x / (1 + (x * x)));

    public static double PowFractional(double x) => Math.Pow((x * x) + 1, 0.75);

    public static double Exponents(double x) => Math.Pow(2, x) + Math.Pow(1 + (x * x), x / 3);

    public static double Logs(double x) => Math.Log2(1 + (x * x)) + Math.Log10(2 + Math.Cos(x)) + Math.Cbrt((x * x) + 1);

    public static double Hyperbolic(double x) => Math.Sinh(x / 3) * Math.Cosh(x / 4) + Math.Atan(x);

    public static double Roots(double x) => Math.Sqrt((x * x) + 0.5) * Math.Sign(x) + Math.Min(x, -0.5 * x);

    public static double Identity(double x) => x;

    /// <summary>A float function for float networks.</summary>
    public static float SwishF(float x) => x / (1 + MathF.Exp(-x));

    /// <summary>A float function with f(0) = ½, so the unused lanes of a vector in registers hold nonzero values (MixedRegisterNet).</summary>
    public static float HalfUpF(float x) => (0.25f * x * x) + x + 0.5f;
}

/// <summary>Per-element losses, L(output, target).</summary>
public static class Losses
{
    public const double Delta = 1.0, Tau = 0.7;

    public static double Huber(double output, double target)
    {
        var d = output - target;
        var a = Math.Abs(d);
        return a <= Delta ? 0.5 * d * d : Delta * (a - (0.5 * Delta));
    }

    public static double LogCosh(double output, double target) => Math.Log(Math.Cosh(output - target));

    public static double SmoothL1(double output, double target)
    {
        var a = Math.Abs(output - target);
        return a < 0.5 ? 0.5 * a * a / 0.5 : a - (0.5 * 0.5);
    }

    /// <summary>Quantile (pinball) loss for the 0.7 quantile.</summary>
    public static double Quantile(double output, double target)
    {
        var d = target - output;
        return d >= 0 ? Tau * d : (Tau - 1) * d;
    }

    public static double PowerLoss(double output, double target) => Math.Pow(Math.Abs(output - target), 1.5);

    public static double Squared(double output, double target) => (output - target) * (output - target);

    public static float LogCoshF(float output, float target) => MathF.Log(MathF.Cosh(output - target));
}

// One network per function: N points at once, the function applied elementwise.
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Swish)), MeanSquaredError] public partial class SwishNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Softplus)), MeanSquaredError] public partial class SoftplusNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Mish)), MeanSquaredError] public partial class MishNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Gelu)), MeanSquaredError] public partial class GeluNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Elu)), MeanSquaredError] public partial class UserEluNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Selu)), MeanSquaredError] public partial class SeluNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Softsign)), MeanSquaredError] public partial class UserSoftsignNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.HardTanh)), MeanSquaredError] public partial class HardTanhNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.LeakyRelu)), MeanSquaredError] public partial class UserLeakyReluNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Relu)), MeanSquaredError] public partial class UserReluNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Sine)), MeanSquaredError] public partial class SineNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Rational)), MeanSquaredError] public partial class RationalNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.PowFractional)), MeanSquaredError] public partial class PowFractionalNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Exponents)), MeanSquaredError] public partial class ExponentsNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Logs)), MeanSquaredError] public partial class LogsNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Hyperbolic)), MeanSquaredError] public partial class HyperbolicNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Roots)), MeanSquaredError] public partial class RootsNet : IDoubleNetwork;

[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Identity)), Loss(typeof(Losses), nameof(Losses.Huber))] public partial class HuberNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Identity)), Loss(typeof(Losses), nameof(Losses.LogCosh))] public partial class LogCoshNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Identity)), Loss(typeof(Losses), nameof(Losses.SmoothL1))] public partial class SmoothL1Net : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Identity)), Loss(typeof(Losses), nameof(Losses.Quantile))] public partial class QuantileNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Identity)), Loss(typeof(Losses), nameof(Losses.PowerLoss))] public partial class PowerLossNet : IDoubleNetwork;
[Network(Precision = Precision.Double), Input(64), Activation(typeof(Activations), nameof(Activations.Identity)), Loss(typeof(Losses), nameof(Losses.Squared))] public partial class SquaredNet : IDoubleNetwork;

/// <summary>The README's example: functions on the network type itself, in float.</summary>
[Network]
[Input(1)]
[Dense(32), Activation(nameof(Swish))]
[Dense(1)]
[Loss(nameof(LogCosh))]
public partial class Regressor
{
    private static float Swish(float x) => x / (1 + MathF.Exp(-x));

    private static float LogCosh(float output, float target) => MathF.Log(MathF.Cosh(output - target));
}

/// <summary>User functions inside a network with parameters, in double: the full finite-difference check.</summary>
[Network(Precision = Precision.Double)]
[Input(5)]
[Dense(7), Activation(typeof(Activations), nameof(Activations.Mish))]
[Dense(6), Activation(typeof(Activations), nameof(Activations.Gelu))]
[Dense(3)]
[Loss(typeof(Losses), nameof(Losses.Huber))]
public partial class UserFunctionsDeepNet : IDoubleNetwork;

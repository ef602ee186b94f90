using System;

namespace Codegen;

/// <summary>Base class of every attribute that declares a layer or a loss of a network.</summary>
/// <remarks>Layer attributes are read in source order; a list such as <c>[Dense(16), ReLU]</c> counts left to right.</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute()
    {
    }
}

/// <summary>The network's input: a vector of <see cref="Length"/> features. Must be the first layer attribute.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : LayerAttribute
{
    /// <summary>Declares an input of <paramref name="length"/> features.</summary>
    public InputAttribute(int length) => Length = length;

    /// <summary>The number of input features.</summary>
    public int Length { get; }
}

/// <summary>
/// A fully connected layer: ŷ = W x + b, with W of shape [<see cref="Units"/>, inputs] (PyTorch's layout) and b of
/// length <see cref="Units"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a fully connected layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units) => Units = units;

    /// <summary>The number of outputs.</summary>
    public int Units { get; }
}

/// <summary>Rectified linear unit, applied elementwise: max(x, 0). Its derivative at 0 is taken as 0, as in PyTorch.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary>Leaky rectified linear unit, applied elementwise: x if x &gt; 0, otherwise <see cref="Slope"/>·x.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <summary>Declares a leaky ReLU with slope 0.01 for negative inputs.</summary>
    public LeakyReLUAttribute() : this(0.01)
    {
    }

    /// <summary>Declares a leaky ReLU with the given slope for negative inputs.</summary>
    public LeakyReLUAttribute(double slope) => Slope = slope;

    /// <summary>The slope for negative inputs.</summary>
    public double Slope { get; }
}

/// <summary>Exponential linear unit, applied elementwise: x if x &gt; 0, otherwise <see cref="Alpha"/>·(eˣ − 1).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ELUAttribute : LayerAttribute
{
    /// <summary>Declares an ELU with α = 1.</summary>
    public ELUAttribute() : this(1.0)
    {
    }

    /// <summary>Declares an ELU with the given α.</summary>
    public ELUAttribute(double alpha) => Alpha = alpha;

    /// <summary>The scale of the negative part.</summary>
    public double Alpha { get; }
}

/// <summary>Logistic sigmoid, applied elementwise: 1 / (1 + e⁻ˣ).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>Hyperbolic tangent, applied elementwise.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>Softsign, applied elementwise: x / (1 + |x|).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class SoftsignAttribute : LayerAttribute
{
}

/// <summary>Softmax over the whole vector: pⱼ = e^(xⱼ) / Σₖ e^(xₖ), computed stably.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
}

/// <summary>
/// An elementwise activation written by the user: a static method <c>T F(T x)</c>, T the network's numeric type. The
/// generator differentiates its body at compile time; see docs/derivatives.md for what the body may contain.
/// </summary>
/// <example><c>[Activation(nameof(Swish))]</c> with <c>static float Swish(float x) =&gt; x / (1 + MathF.Exp(-x));</c></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : LayerAttribute
{
    /// <summary>Names a static method of the network type.</summary>
    public ActivationAttribute(string methodName) => MethodName = methodName;

    /// <summary>Names a static method of <paramref name="type"/>.</summary>
    public ActivationAttribute(Type type, string methodName)
    {
        Type = type;
        MethodName = methodName;
    }

    /// <summary>The type that declares the method; null for the network type itself.</summary>
    public Type? Type { get; }

    /// <summary>The method's name.</summary>
    public string MethodName { get; }
}

/// <summary>
/// A loss written by the user: a static method <c>T F(T output, T target)</c>; the network's loss is its mean over the
/// outputs, ℓ = (1/n) Σⱼ F(ŷⱼ, yⱼ). The generator differentiates its body with respect to the output at compile time.
/// Like every loss, it is the last attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class LossAttribute : LayerAttribute
{
    /// <summary>Names a static method of the network type.</summary>
    public LossAttribute(string methodName) => MethodName = methodName;

    /// <summary>Names a static method of <paramref name="type"/>.</summary>
    public LossAttribute(Type type, string methodName)
    {
        Type = type;
        MethodName = methodName;
    }

    /// <summary>The type that declares the method; null for the network type itself.</summary>
    public Type? Type { get; }

    /// <summary>The method's name.</summary>
    public string MethodName { get; }
}

/// <summary>Mean square error: ℓ = (1/n) Σ (ŷ − y)², n the output length (PyTorch's <c>MSELoss</c>).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MeanSquaredErrorAttribute : LayerAttribute
{
}

/// <summary>
/// Cross-entropy: ℓ = −Σ y log p. Must follow <see cref="SoftmaxAttribute"/> directly; the loss is computed from the
/// logits through log-sum-exp and the backward pass uses the fused gradient p·Σy − y (p − y for a target that sums to 1).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class CrossEntropyAttribute : LayerAttribute
{
}

/// <summary>
/// Binary cross-entropy, averaged over the outputs: ℓ = −(1/n) Σ [y log p + (1 − y) log(1 − p)]. Must follow
/// <see cref="SigmoidAttribute"/> directly; computed from the logits (stable for large logits), with the fused
/// gradient (p − y)/n.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class BinaryCrossEntropyAttribute : LayerAttribute
{
}

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

/// <summary>
/// The network's input: a vector of <see cref="Length"/> features, or an image of <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>
/// values (CHW, row-major, as PyTorch). Must be the first layer attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : LayerAttribute
{
    /// <summary>Declares an input of <paramref name="length"/> features.</summary>
    public InputAttribute(int length)
    {
        Length = length;
        Channels = length;
        Height = 1;
        Width = 1;
    }

    /// <summary>Declares an image input of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> values.</summary>
    public InputAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
        Length = channels * height * width;
    }

    /// <summary>The number of input values.</summary>
    public int Length { get; }

    /// <summary>The number of channels (the length, for a vector).</summary>
    public int Channels { get; }

    /// <summary>The height (1 for a vector).</summary>
    public int Height { get; }

    /// <summary>The width (1 for a vector).</summary>
    public int Width { get; }
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

/// <summary>
/// The settings the convolution attributes share: the number of output channels, the kernel (square, or
/// <see cref="KernelHeight"/>×<see cref="KernelWidth"/>), the <see cref="Stride"/> and the <see cref="Padding"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public abstract class ConvolutionAttribute : LayerAttribute
{
    private protected ConvolutionAttribute(int filters, int kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The side of a square kernel.</summary>
    public int KernelSize { get; }

    /// <summary>The kernel's height, when it is not square (0: <see cref="KernelSize"/>).</summary>
    public int KernelHeight { get; set; }

    /// <summary>The kernel's width, when it is not square (0: <see cref="KernelSize"/>).</summary>
    public int KernelWidth { get; set; }

    /// <summary>The step between kernel positions, 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on every side of the input (for a transposed convolution, rows and columns removed from every side of the output), 0 by default.</summary>
    public int Padding { get; set; }
}

/// <summary>
/// A 2-D convolution (cross-correlation, as PyTorch's <c>Conv2d</c>) over a C×H×W input: <see cref="ConvolutionAttribute.Filters"/>
/// output channels, each the sum over input channels of a kH×kW kernel slid with <see cref="ConvolutionAttribute.Stride"/>
/// over the input padded with <see cref="ConvolutionAttribute.Padding"/> zeros. Weights [filters, inChannels, kH, kW], then
/// bias [filters]. The output is (H + 2P − kH)/S + 1 high, which must be a whole number.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : ConvolutionAttribute
{
    /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a square kernel.</summary>
    public Conv2DAttribute(int filters, int kernelSize)
        : base(filters, kernelSize)
    {
    }
}

/// <summary>
/// A transposed convolution (PyTorch's <c>ConvTranspose2d</c>, TinyNet's deconvolution): the gradient of a convolution
/// with respect to its input, used to upsample. Weights [inChannels, filters, kH, kW], then bias [filters]. The output
/// is (H − 1)·S − 2P + kH high.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ConvTranspose2DAttribute : ConvolutionAttribute
{
    /// <summary>Declares a transposed convolution with <paramref name="filters"/> output channels and a square kernel.</summary>
    public ConvTranspose2DAttribute(int filters, int kernelSize)
        : base(filters, kernelSize)
    {
    }
}

/// <summary>
/// Max pooling: the largest value of each <see cref="Size"/>×<see cref="Size"/> window, windows <see cref="Stride"/>
/// apart (<see cref="Size"/> by default). Backward routes the gradient to the position that won; on ties, the first
/// in row-major order.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling over <paramref name="size"/>×<paramref name="size"/> windows.</summary>
    public MaxPool2DAttribute(int size) => Size = size;

    /// <summary>The window's side.</summary>
    public int Size { get; }

    /// <summary>The step between windows (0: <see cref="Size"/>).</summary>
    public int Stride { get; set; }
}

/// <summary>Average pooling: the mean of each <see cref="Size"/>×<see cref="Size"/> window, windows <see cref="Stride"/> apart.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling over <paramref name="size"/>×<paramref name="size"/> windows.</summary>
    public AvgPool2DAttribute(int size) => Size = size;

    /// <summary>The window's side.</summary>
    public int Size { get; }

    /// <summary>The step between windows (0: <see cref="Size"/>).</summary>
    public int Stride { get; set; }
}

/// <summary>
/// Undoes the nearest preceding <see cref="MaxPool2DAttribute"/> (TinyNet's unpooling): each value goes back to the
/// position that won its window, every other position is zero. The output has the shape of that pooling's input.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MaxUnpool2DAttribute : LayerAttribute
{
}

/// <summary>Turns a C×H×W shape into a vector of C·H·W values (row-major, as PyTorch's <c>flatten</c>). Required before a Dense layer.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>
/// Inverted dropout: while the network's <c>Training</c> property is true, each value is zeroed with probability
/// <see cref="Rate"/> and the others are scaled by 1/(1 − rate); otherwise the identity. The mask comes from the
/// network's own seeded generator, and Backward uses the mask of the Forward before it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares dropout with the given rate, in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability that a value is zeroed while training.</summary>
    public double Rate { get; }
}

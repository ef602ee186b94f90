using Codegen.Generator.Helpers;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Model;

// The model: plain, immutable records compared by value. Structural equality is what lets the incremental pipeline
// skip emission when an edit leaves a network's declaration unchanged, so nothing here may hold a symbol, a syntax
// node, a location or a compilation.

/// <summary>How a layer's weights are initialized.</summary>
internal enum InitKind
{
    /// <summary>Glorot (Xavier) uniform: U(−√(6/(fan_in + fan_out)), +…).</summary>
    Glorot,

    /// <summary>He (Kaiming) uniform: U(−√(6/fan_in), +…), for a layer followed by ReLU, LeakyReLU or ELU.</summary>
    He,
}

/// <summary>
/// The shape of a tensor: a vector of <see cref="Channels"/> values (<see cref="Spatial"/> false, height and width 1),
/// or a C×H×W image stored channel by channel, row-major (PyTorch's CHW).
/// </summary>
internal sealed record Shape(int Channels, int Height, int Width, bool Spatial)
{
    public int Length => Channels * Height * Width;

    public static Shape Vector(int length) => new(length, 1, 1, false);

    public static Shape Image(int channels, int height, int width) => new(channels, height, width, true);

    public override string ToString() => Spatial
        ? Channels.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×" + Height.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×" + Width.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Channels.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One layer: its display name (the attribute as written) and the shapes it maps between.</summary>
internal abstract record LayerSpec(string Name, Shape Input, Shape Output)
{
    public int InputLength => Input.Length;

    public int OutputLength => Output.Length;
}

/// <summary>
/// A layer with a weight tensor and a bias: its weight's dimensions (PyTorch's layout), and the fans its
/// initialization uses.
/// </summary>
internal abstract record ParametricSpec(string Name, Shape Input, Shape Output, InitKind Init) : LayerSpec(Name, Input, Output)
{
    public abstract EquatableArray<int> WeightDimensions { get; }

    public abstract int BiasLength { get; }

    public abstract int FanIn { get; }

    public abstract int FanOut { get; }
}

/// <summary>ŷ = W x + b, W of shape [Units, Inputs] row-major.</summary>
internal sealed record DenseSpec(string Name, int Inputs, int Units, InitKind Init) : ParametricSpec(Name, Shape.Vector(Inputs), Shape.Vector(Units), Init)
{
    public override EquatableArray<int> WeightDimensions => new[] { Units, Inputs }.ToEquatableArray();

    public override int BiasLength => Units;

    public override int FanIn => Inputs;

    public override int FanOut => Units;
}

/// <summary>Cross-correlation of a C×H×W input with Filters kernels of C×KH×KW; weight [Filters, C, KH, KW].</summary>
internal sealed record Conv2DSpec(string Name, Shape Input, Shape Output, int KernelHeight, int KernelWidth, int Stride, int Padding, InitKind Init)
    : ParametricSpec(Name, Input, Output, Init)
{
    public int Filters => Output.Channels;

    public override EquatableArray<int> WeightDimensions => new[] { Filters, Input.Channels, KernelHeight, KernelWidth }.ToEquatableArray();

    public override int BiasLength => Filters;

    public override int FanIn => Input.Channels * KernelHeight * KernelWidth;

    public override int FanOut => Filters * KernelHeight * KernelWidth;
}

/// <summary>The transpose of a convolution; weight [C, Filters, KH, KW] as PyTorch's ConvTranspose2d.</summary>
internal sealed record ConvTranspose2DSpec(string Name, Shape Input, Shape Output, int KernelHeight, int KernelWidth, int Stride, int Padding, InitKind Init)
    : ParametricSpec(Name, Input, Output, Init)
{
    public int Filters => Output.Channels;

    public override EquatableArray<int> WeightDimensions => new[] { Input.Channels, Filters, KernelHeight, KernelWidth }.ToEquatableArray();

    public override int BiasLength => Filters;

    // PyTorch takes the fans of a ConvTranspose2d weight from its dimension 1 (the filters) as fan in.
    public override int FanIn => Filters * KernelHeight * KernelWidth;

    public override int FanOut => Input.Channels * KernelHeight * KernelWidth;
}

internal enum PoolKind
{
    Max,
    Average,
}

/// <summary>Max or average over Size×Size windows, Stride apart.</summary>
internal sealed record Pool2DSpec(string Name, Shape Input, Shape Output, PoolKind Kind, int Size, int Stride) : LayerSpec(Name, Input, Output);

/// <summary>Puts each value back where the max pooling at layer <paramref name="PoolLayer"/> found it.</summary>
internal sealed record MaxUnpool2DSpec(string Name, Shape Input, Shape Output, int PoolLayer) : LayerSpec(Name, Input, Output);

/// <summary>C×H×W to a vector of C·H·W values; the data does not move.</summary>
internal sealed record FlattenSpec(string Name, Shape Input) : LayerSpec(Name, Input, Shape.Vector(Input.Length));

/// <summary>Inverted dropout with the given rate while training.</summary>
internal sealed record DropoutSpec(string Name, Shape Shape, double Rate) : LayerSpec(Name, Shape, Shape);

/// <summary>ŷⱼ = f(xⱼ) with f an expression in the variable <c>x</c>; its derivative is derived symbolically.</summary>
internal sealed record ElementwiseSpec(string Name, Shape Shape, Expr Function) : LayerSpec(Name, Shape, Shape)
{
    public int Length => Shape.Length;
}

/// <summary>pⱼ = exp(xⱼ) / Σₖ exp(xₖ), over all the values of its input.</summary>
internal sealed record SoftmaxSpec(string Name, Shape Shape) : LayerSpec(Name, Shape, Shape)
{
    public int Length => Shape.Length;
}

/// <summary>A loss. It is the last declaration of a network.</summary>
internal abstract record LossSpec(string Name);

/// <summary>ℓ = (1/n) Σⱼ L(ŷⱼ, yⱼ) with L an expression in <c>o</c> (output) and <c>t</c> (target).</summary>
internal sealed record ElementwiseLossSpec(string Name, Expr PerElement) : LossSpec(Name);

/// <summary>Cross-entropy fused with the softmax before it: the gradient at the logits is p·Σy − y.</summary>
internal sealed record SoftmaxCrossEntropySpec(string Name) : LossSpec(Name);

/// <summary>Binary cross-entropy fused with the sigmoid before it: the gradient at the logits is (p − y)/n.</summary>
internal sealed record SigmoidBinaryCrossEntropySpec(string Name) : LossSpec(Name);

/// <summary>A whole network, ready to emit.</summary>
internal sealed record NetworkSpec(
    HierarchyInfo Hierarchy,
    NumericType Numeric,
    Shape Input,
    EquatableArray<LayerSpec> Layers,
    LossSpec? Loss,
    int MaxBatch = 1)
{
    public int InputLength => Input.Length;

    public int OutputLength => Layers[Layers.Count - 1].OutputLength;
}

/// <summary>Whether a user function is an activation, f(x), or a per-element loss, L(o, t).</summary>
internal enum FunctionRole
{
    Activation,
    Loss,
}

/// <summary>
/// A user-written function named by [Activation] or [Loss], to be parsed in the second stage of the pipeline, which
/// sees the whole compilation (the method may live in another file, whose edits must reach this network). It holds no
/// source position, so that an edit that only moves text leaves this stage's output equal: the attribute is found
/// again, for diagnostics, as attribute number <paramref name="AttributeOrdinal"/> of the network type.
/// </summary>
internal sealed record FunctionRequest(FunctionRole Role, string TypeMetadataName, string MethodName, string NetworkMetadataName, int AttributeOrdinal);

/// <summary>
/// What the parser returns for one [Network] type: the spec (null when an error prevents it), the diagnostics, and the
/// user functions the spec refers to through <see cref="Pending"/> placeholders (request i is <c>Pending(i)</c>).
/// </summary>
internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<FunctionRequest> Requests)
{
    public ParseResult(NetworkSpec? spec, EquatableArray<DiagnosticInfo> diagnostics)
        : this(spec, diagnostics, EquatableArray<FunctionRequest>.Empty)
    {
    }
}

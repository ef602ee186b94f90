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

/// <summary>One layer: its display name (the attribute as written) and the lengths it maps between.</summary>
internal abstract record LayerSpec(string Name, int InputLength, int OutputLength);

/// <summary>ŷ = W x + b, W of shape [Units, Inputs] row-major.</summary>
internal sealed record DenseSpec(string Name, int Inputs, int Units, InitKind Init) : LayerSpec(Name, Inputs, Units);

/// <summary>ŷⱼ = f(xⱼ) with f an expression in the variable <c>x</c>; its derivative is derived symbolically.</summary>
internal sealed record ElementwiseSpec(string Name, int Length, Expr Function) : LayerSpec(Name, Length, Length);

/// <summary>pⱼ = exp(xⱼ) / Σₖ exp(xₖ).</summary>
internal sealed record SoftmaxSpec(string Name, int Length) : LayerSpec(Name, Length, Length);

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
    int InputLength,
    EquatableArray<LayerSpec> Layers,
    LossSpec? Loss)
{
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

using System;

namespace Codegen;

/// <summary>The numeric type a generated network computes in.</summary>
public enum Precision
{
    /// <summary>32-bit <see cref="float"/> (the default).</summary>
    Float = 0,

    /// <summary>64-bit <see cref="double"/>.</summary>
    Double = 1,
}

/// <summary>
/// Marks a <c>partial</c> class or struct as a network. The Codegen source generator reads the layer
/// attributes that follow on the same declaration, in source order, and writes the network's
/// <c>Forward</c>, <c>Backward</c>, <c>Step</c>, <c>Parameters</c> and <c>Gradients</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>The numeric type of parameters, activations and gradients. <see cref="Precision.Float"/> by default.</summary>
    public Precision Precision { get; set; } = Precision.Float;

    /// <summary>
    /// The largest batch the batched overloads take (1 to 4096; 1, the default, emits none). Above 1 the network also
    /// gets <c>Forward(inputs, outputs, batchSize)</c>, <c>Backward(targets, batchSize)</c> (and <c>Backward(labels)</c> with
    /// cross-entropy) and the matching <c>TrainStep</c>, for up to this many samples laid out one after another; every
    /// buffer of activations and gradients is sized for it at compile time, and each weight is read once per batch.
    /// </summary>
    public int MaxBatch { get; set; } = 1;
}

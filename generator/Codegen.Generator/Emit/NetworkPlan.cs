using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

/// <summary>
/// A zero-bordered copy a stride-1 convolution reads: <paramref name="Top"/> zero rows above and below and
/// <paramref name="Left"/> zero columns on each side of a channels × height × width tensor.
/// </summary>
internal sealed record PaddedBuffer(string Field, string Of, int Channels, int Height, int Width, int Top, int Left)
{
    public int PaddedHeight => Height + (2 * Top);

    public int PaddedWidth => Width + (2 * Left);

    public int Length => Channels * PaddedHeight * PaddedWidth;

    /// <summary>As the field's comment says it, e.g. <c>x⁽¹⁾ with a zero border of 2, 1×32×32</c>.</summary>
    public string Description => Of + " with a zero border of " + (Top == Left ? S(Top) : Count(Top, "row") + " and " + Count(Left, "column")) + ", " + Shape;

    private static string Count(int n, string what) => S(n) + " " + what + (n == 1 ? string.Empty : "s");

    private static string S(int value) => value.ToString(CultureInfo.InvariantCulture);

    public string Shape => Channels.ToString(CultureInfo.InvariantCulture) + "×" + PaddedHeight.ToString(CultureInfo.InvariantCulture) + "×" + PaddedWidth.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where one parameter tensor lives in <c>Parameters</c>.</summary>
internal sealed record TensorSlot(string Constant, string Display, int Offset, int Length, string Shape);

/// <summary>
/// What the emitter derives from a spec before writing: layer numbers (1-based, as in the TinyNet notation), parameter
/// offsets, and the buffers that hold x⁽ⁱ⁾, ŷ⁽ⁱ⁾ and ∇⁽ⁱ⁾.
/// </summary>
internal sealed class NetworkPlan
{
    public NetworkPlan(NetworkSpec spec)
    {
        Spec = spec;
        Numeric = spec.Numeric;
        T = spec.Numeric == NumericType.Float ? "float" : "double";
        ElementBytes = spec.Numeric == NumericType.Float ? 4 : 8;

        int offset = 0;
        for (int i = 1; i <= spec.Layers.Count; i++)
        {
            if (Layer(i) is ParametricSpec p)
            {
                string n = i.ToString(CultureInfo.InvariantCulture);
                int weights = 1;
                foreach (int dimension in p.WeightDimensions)
                {
                    weights *= dimension;
                }

                string shape = "[" + string.Join(", ", p.WeightDimensions.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
                var w = new TensorSlot("W" + n, "W" + Sup(i), offset, weights, shape);
                offset += w.Length;
                var b = new TensorSlot("B" + n, "b" + Sup(i), offset, p.BiasLength, "[" + p.BiasLength.ToString(CultureInfo.InvariantCulture) + "]");
                offset += b.Length;
                Slots[i] = (w, b);
            }
        }

        ParameterCount = offset;
        LossStart = spec.Loss is SoftmaxCrossEntropySpec or SigmoidBinaryCrossEntropySpec ? spec.Layers.Count - 1 : spec.Layers.Count;
    }

    public NetworkSpec Spec { get; }

    public NumericType Numeric { get; }

    /// <summary>The C# keyword of the numeric type.</summary>
    public string T { get; }

    public int ElementBytes { get; }

    public int LayerCount => Spec.Layers.Count;

    public int ParameterCount { get; }

    /// <summary>The weight and bias slots of each layer with parameters, by layer number.</summary>
    public Dictionary<int, (TensorSlot Weight, TensorSlot Bias)> Slots { get; } = new();

    /// <summary>
    /// The number of the last layer whose backward block runs: the last layer, or the one before it when the loss is
    /// fused with the final activation (the fused gradient is already ∂ℓ/∂x of that activation).
    /// </summary>
    public int LossStart { get; }

    public bool HasLoss => Spec.Loss is not null;

    public LayerSpec Layer(int i) => Spec.Layers[i - 1];

    /// <summary>The field holding x⁽ⁱ⁾: the input copy for layer 1, else ŷ⁽ⁱ⁻¹⁾.</summary>
    public string InputOf(int i) => i == 1 ? "_x" : OutputOf(i - 1);

    public string OutputOf(int i) => "_y" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>The field holding ∇⁽ⁱ⁾ = ∂ℓ/∂ŷ⁽ⁱ⁾.</summary>
    public string GradientOf(int i) => "_g" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether ∇⁽ⁱ⁾ has a buffer: every layer whose backward block runs.</summary>
    public bool HasGradientBuffer(int i) => HasLoss && i <= LossStart;

    /// <summary>Whether any layer before layer <paramref name="i"/> has parameters (so ∂ℓ/∂x⁽ⁱ⁾ is needed for training).</summary>
    public bool HasParametersBefore(int i)
    {
        for (int k = 1; k < i; k++)
        {
            if (Layer(k) is ParametricSpec)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The largest batch of the batched overloads ([Network(MaxBatch = n)]); 1 when there are none.</summary>
    public int MaxBatch => Spec.MaxBatch;

    /// <summary>Whether the network has batched overloads, and per-sample buffers MaxBatch samples long.</summary>
    public bool Batched => Spec.MaxBatch > 1;

    /// <summary>Whether the network has a Dropout layer (and so a Training property and a generator of its own).</summary>
    public bool HasDropout => Spec.Layers.Any(l => l is DropoutSpec);

    /// <summary>
    /// Whether ∇⁽ⁱ⁾ often holds exact zeros in a single sample: layer i + 1 is ReLU (f′(x) = 0 for x ≤ 0, about half the
    /// values) or Dropout (the dropped values). Backward blocks may then skip a row of ∂ℓ/∂W whose ∇ⱼ is zero.
    /// </summary>
    public bool GradientHasZeros(int i) =>
        i < LayerCount && (Layer(i + 1) is DropoutSpec || IsReLU(i + 1));

    /// <summary>
    /// Whether ReLU layer i is applied by the tiled convolution before it, as that convolution stores its sums
    /// (CodegenConvKernels.Correlate with relu): ŷ⁽ⁱ⁾ then shares ŷ⁽ⁱ⁻¹⁾'s array and its forward block is empty. Nothing
    /// reads the convolution's own output but ReLU's backward (x &gt; 0, which max(0, x) answers the same, NaN included)
    /// and the pooled weight gradient's ReLU′ mask (likewise).
    /// </summary>
    public bool ReLUInConvolution(int i) => i > 1 && IsReLU(i) && Layer(i - 1) is Conv2DSpec c && Tiled(c);

    /// <summary>
    /// Whether Flatten layer i shares arrays with the layer before it: ŷ⁽ⁱ⁾ is x⁽ⁱ⁾'s array and ∇⁽ⁱ⁾ is ∇⁽ⁱ⁻¹⁾'s, since
    /// Flatten reads a channels × height × width tensor as a vector of the same values in the same order; its forward and
    /// backward blocks then copy nothing. Not layer 1, whose ∂ℓ/∂x goes to the caller's span.
    /// </summary>
    public bool FlattenShares(int i) => i > 1 && Layer(i) is FlattenSpec;

    /// <summary>Whether layer k exists and is the built-in ReLU.</summary>
    private bool IsReLU(int k) => k <= LayerCount && Layer(k) is ElementwiseSpec e && e.Function.Equals(Builtins.ReLU);

    /// <summary>The field holding, for a max pooling layer, the index in its input of each window's winner.</summary>
    public string ArgMaxOf(int i) => "_arg" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>The field holding a Dropout layer's mask: 0 or 1/(1 − rate) per value.</summary>
    public string MaskOf(int i) => "_mask" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether a convolution runs through the register-tiled CodegenConvKernels: stride 1 and padding below the kernel
    /// size, so that its input gradient is ∇ with a border of kernel − 1 − padding, correlated with the turned kernels.
    /// </summary>
    public static bool Tiled(Conv2DSpec c) => c.Stride == 1 && c.Padding < c.KernelHeight && c.Padding < c.KernelWidth;

    /// <summary>
    /// For a tiled convolution i whose output goes to max pooling, directly or through ReLU, with kernel rows no wider than
    /// a vector: the pooling layer's number and whether ReLU sits between; else null. ∇⁽ⁱ⁾ is then zero except at each
    /// window's winner, where it is the pooled ∇ (times ReLU′ there), so ∂ℓ/∂W⁽ⁱ⁾ is a sum over the pooled values
    /// (CodegenConvKernels.PooledWeightGradient), and ∇⁽ⁱ⁾ itself is only needed for ∂ℓ/∂x⁽ⁱ⁾.
    /// </summary>
    public (int Pool, bool Relu)? PooledGradient(int i)
    {
        if (!HasLoss || Layer(i) is not Conv2DSpec c || !Tiled(c) || c.KernelWidth > (Numeric == NumericType.Float ? 8 : 4))
        {
            return null;
        }

        bool relu = IsReLU(i + 1);
        int k = relu ? i + 2 : i + 1;
        return k <= LayerCount && Layer(k) is Pool2DSpec { Kind: PoolKind.Max } ? (k, relu) : null;
    }

    /// <summary>
    /// The convolution whose pooled weight gradient makes layer j's backward block (its ReLU or max pooling) needed only
    /// for that convolution's ∂ℓ/∂x, and only when the caller asks for an input gradient (no layer before it has
    /// parameters); else null.
    /// </summary>
    public int? OnlyForPooledInputGradient(int j)
    {
        for (int i = System.Math.Max(1, j - 2); i < j; i++)
        {
            if (PooledGradient(i) is { } pooled && j <= pooled.Pool && !HasParametersBefore(i))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The zero-bordered copy of x⁽ⁱ⁾ a tiled convolution with padding reads, or null.</summary>
    public PaddedBuffer? PaddedInputOf(int i) =>
        Layer(i) is Conv2DSpec { Padding: > 0 } c && Tiled(c)
            ? new PaddedBuffer("_xpad" + i.ToString(CultureInfo.InvariantCulture), "x" + Sup(i), c.Input.Channels, c.Input.Height, c.Input.Width, c.Padding, c.Padding)
            : null;

    /// <summary>The zero-bordered copy of ∇⁽ⁱ⁾ a tiled convolution's input gradient reads, or null (no border needed, or no backward).</summary>
    public PaddedBuffer? PaddedGradientOf(int i) =>
        Layer(i) is Conv2DSpec c && Tiled(c) && HasGradientBuffer(i) && (c.KernelHeight - 1 > c.Padding || c.KernelWidth - 1 > c.Padding)
            ? new PaddedBuffer("_gpad" + i.ToString(CultureInfo.InvariantCulture), "∇" + Sup(i), c.Filters, c.Output.Height, c.Output.Width, c.KernelHeight - 1 - c.Padding, c.KernelWidth - 1 - c.Padding)
            : null;

    /// <summary>Every zero-bordered buffer, by layer.</summary>
    public IEnumerable<PaddedBuffer> PaddedBuffers =>
        Enumerable.Range(1, LayerCount).SelectMany(i => new[] { PaddedInputOf(i), PaddedGradientOf(i) }).Where(b => b is not null).Select(b => b!);

    /// <summary>Bytes of the int and mask buffers pooling and dropout keep for Backward.</summary>
    public long AuxiliaryBytes => Spec.Layers.Sum(l => l switch
    {
        Pool2DSpec { Kind: PoolKind.Max } p => 4L * p.OutputLength,
        DropoutSpec d => (long)ElementBytes * d.OutputLength,
        _ => 0L,
    }) * MaxBatch;

    public long ActivationElements
    {
        get
        {
            long n = Spec.InputLength;
            for (int i = 1; i <= LayerCount; i++)
            {
                n += ReLUInConvolution(i) || FlattenShares(i) ? 0 : Layer(i).OutputLength;
            }

            return n * MaxBatch;
        }
    }

    public long GradientElements
    {
        get
        {
            long n = 0;
            for (int i = 1; i <= LayerCount; i++)
            {
                n += HasGradientBuffer(i) && !FlattenShares(i) ? Layer(i).OutputLength : 0;
            }

            return n * MaxBatch;
        }
    }

    /// <summary>Superscript layer number, as in ŷ⁽³⁾.</summary>
    public static string Sup(int i)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var chars = new List<char> { '⁽' };
        foreach (char c in i.ToString(CultureInfo.InvariantCulture))
        {
            chars.Add(digits[c - '0']);
        }

        chars.Add('⁾');
        return new string(chars.ToArray());
    }
}

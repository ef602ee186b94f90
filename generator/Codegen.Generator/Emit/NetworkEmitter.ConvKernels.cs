using System.Collections.Generic;
using System.Linq;
using Codegen.Generator.Model;

namespace Codegen.Generator.Emit;

// The register-tiled loops of the stride-1 convolutions, written once per generated file as the file-local class
// CodegenConvKernels when a network has such a convolution. Four entry points serve forward and backward: Pad copies a
// tensor into the inside of a zero-bordered buffer, Correlate computes a stride-1 correlation of an input that already
// carries its border (the forward pass, and with the kernels transposed and turned by 180° the input gradient),
// WeightGradient the parameter gradient, and PooledWeightGradient the parameter gradient of a convolution followed by max
// pooling, from the windows' winners alone. Each keeps a tile of sums in Vector256 registers (Correlate's widest rows in
// Vector512 ones, where accelerated) over a whole window or plane and writes it once; scalar loops serve rows narrower
// than a vector and machines without Vector256. MaxPool2x2, the
// pooling that usually follows, compares windows side by side in the lanes of a vector.
internal sealed partial class NetworkEmitter
{
    private const string UnsafeRef = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>Filters per tile of Correlate (besides 1, for the remainder), each with 1 or 2 vectors of an output row.</summary>
    private const int CorrelateFilters = 4;

    /// <summary>Filters per tile of Correlate's joined rows where Vector512 is accelerated: each weight broadcast serves 3 vectors of 8 filters.</summary>
    private const int WideFilters = 8;

    /// <summary>Filters per tile of WeightGradient (besides 1), each with up to this many kernel columns.</summary>
    private const int GradientFilters = 2, GradientColumns = 5;

    private IEnumerable<Conv2DSpec> TiledConvolutions => _plan.Spec.Layers.OfType<Conv2DSpec>().Where(NetworkPlan.Tiled);

    /// <summary>
    /// Whether Correlate gets Vector512 tiles (16 float or 8 double columns of two rows, used where Vector512 is
    /// accelerated): only where some tiled convolution's output (forward) or input (its input gradient) is that wide.
    /// </summary>
    private bool WideCorrelateTiles(int lanes) => TiledConvolutions.Any(c => System.Math.Max(c.Output.Width, c.Input.Width) >= 2 * lanes);

    /// <summary>
    /// Whether Correlate gets the joined Vector512 tiles: only where some tiled convolution's output (forward) or input
    /// (its input gradient) has an even number of rows and rows that end in at most half a Vector512 past the last whole
    /// one (24 floats: 16 + 8), which the joined tiles cover with one Vector512 of two half rows instead of two Vector256s.
    /// </summary>
    private bool JoinedCorrelateTiles(int lanes) => TiledConvolutions.Any(c => Joined(c.Output.Height, c.Output.Width, lanes) || Joined(c.Input.Height, c.Input.Width, lanes));

    /// <summary>
    /// Whether Correlate gets tiles of 8 filters (<see cref="WideFilters"/>), for the rows the joined tiles cover: only
    /// where some such correlation has that many filters (the forward pass: the convolution's filters; its input
    /// gradient: the convolution's input channels). They run only where Vector512 is accelerated, so with 32 vector
    /// registers: 24 sums, 3 inputs and a weight.
    /// </summary>
    private bool WideFilterTiles(int lanes) => TiledConvolutions.Any(c =>
        (c.Filters >= WideFilters && Joined(c.Output.Height, c.Output.Width, lanes)) || (c.Input.Channels >= WideFilters && Joined(c.Input.Height, c.Input.Width, lanes)));

    private static bool Joined(int height, int width, int lanes) => height % 2 == 0 && width >= 2 * lanes && width % (2 * lanes) > 0 && width % (2 * lanes) <= lanes;

    private bool UsesConvKernels => TiledConvolutions.Any() || _plan.Spec.Layers.OfType<Pool2DSpec>().Any(VectorPool);

    /// <summary>Whether a pooling layer runs through <c>MaxPool2x2</c>: max pooling of 2×2 windows with stride 2, the usual one after a convolution.</summary>
    private static bool VectorPool(Pool2DSpec pool) => pool.Kind == PoolKind.Max && pool.Size == 2 && pool.Stride == 2;

    /// <summary>How WeightGradient splits a kernel row into tiles: as few as fit <see cref="GradientColumns"/>, sizes as even as possible.</summary>
    private static IEnumerable<int> GradientBlocks(int kernelWidth)
    {
        int blocks = (kernelWidth + GradientColumns - 1) / GradientColumns;
        for (int b = 0; b < blocks; b++)
        {
            yield return (kernelWidth / blocks) + (b < kernelWidth % blocks ? 1 : 0);
        }
    }

    private void EmitConvKernels()
    {
        string t = _t;
        int lanes = _plan.Numeric == Symbolic.NumericType.Float ? 8 : 4;
        string span = "global::System.Span<" + t + ">", readOnlySpan = "global::System.ReadOnlySpan<" + t + ">", vector = V256 + "<" + t + ">";
        string accelerated = V256 + ".IsHardwareAccelerated";
        _w.WriteLine();
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Register-tiled loops for the stride-1 convolutions of this file's network (each tile keeps its sums in Vector256");
        _w.WriteLine("/// registers, or for Correlate's wide rows in Vector512 ones where accelerated, over a whole window or plane and writes");
        _w.WriteLine("/// them once; inputs already carry their zero border, see Pad, so no");
        _w.WriteLine("/// tile tests an edge) and for its 2×2 max pooling. Scalar loops serve rows narrower than a vector and machines where");
        _w.WriteLine("/// Vector256 is not accelerated (for the pooling, without AVX).");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("file static class CodegenConvKernels");
        if (_plan.Spec.Layers.OfType<Pool2DSpec>().Any(VectorPool))
        {
            EmitMaxPool(lanes, readOnlySpan, span);
        }

        if (!TiledConvolutions.Any())
        {
            _w.CloseBlock();
            return;
        }

        EmitLayout();

        _w.WriteLine("/// <summary>Copies a channels × height × width tensor into the inside of a buffer with <paramref name=\"top\"/> zero rows above and below and <paramref name=\"left\"/> zero columns on each side; the border is never written, so it stays zero.</summary>");
        _w.OpenBlock("public static void Pad(" + readOnlySpan + " source, " + span + " destination, int channels, int height, int width, int top, int left)");
        _w.WriteLine("int paddedHeight = height + (2 * top), paddedWidth = width + (2 * left);");
        _w.OpenBlock("for (int c = 0; c < channels; c++)");
        _w.OpenBlock("for (int iy = 0; iy < height; iy++)");
        _w.WriteLine("source.Slice(((c * height) + iy) * width, width).CopyTo(destination.Slice((((c * paddedHeight) + top + iy) * paddedWidth) + left, width));");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();

        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// y[f, oy, ox] = bias[f] + Σ_c Σ_ky Σ_kx w[f, c, ky, kx] x[c, oy + ky, ox + kx] (bias empty: 0), x already padded; with");
        _w.WriteLine("/// <paramref name=\"transposed\"/> the weight read is w[c, f, kh − 1 − ky, kw − 1 − kx], which turns the padded ∇ of a convolution");
        _w.WriteLine("/// into its input gradient. Tiles of " + CorrelateFilters + " filters × 2 vectors (side by side, or in two rows where fewer than 2 vectors' columns are left;");
        _w.WriteLine("/// where Vector512 is accelerated, Vector512s of two rows, and where rows pair up and end in half a Vector512, 3 vectors of " + (WideFilterTiles(lanes) ? WideFilters + " or " : string.Empty) + CorrelateFilters + " filters)");
        _w.WriteLine("/// keep their sums in registers over the window. With <paramref name=\"relu\"/> each sum s is stored as s > 0 ? s : 0, the ReLU");
        _w.WriteLine("/// layer that follows.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void Correlate(" + readOnlySpan + " x, " + readOnlySpan + " w, " + readOnlySpan + " bias, " + span + " y, int channels, int height, int width, int filters, int kernelHeight, int kernelWidth, bool transposed, bool relu)");
        _w.WriteLine("var s = new Layout(channels, height, width, filters, kernelHeight, kernelWidth, transposed);");
        _w.WriteLine("x = x.Slice(0, channels * height * width); // the length checks that the tiles' unchecked reads rely on");
        _w.WriteLine("w = w.Slice(0, filters * channels * kernelHeight * kernelWidth);");
        _w.WriteLine("y = y.Slice(0, filters * s.OutputHeight * s.OutputWidth);");
        _w.WriteLine("bias = bias.IsEmpty ? bias : bias.Slice(0, filters);");
        _w.WriteLine("int ow = s.OutputWidth;");
        _w.OpenBlock("if (!" + accelerated + " || ow < " + lanes + ")");
        _w.OpenBlock("for (int f = 0; f < filters; f++)");
        _w.OpenBlock("for (int oy = 0; oy < s.OutputHeight; oy++)");
        _w.OpenBlock("for (int ox = 0; ox < ow; ox++)");
        _w.WriteLine(t + " sum = bias.IsEmpty ? " + Lit(0) + " : bias[f];");
        OpenWindowLoops();
        _w.WriteLine("sum += w[s.Weight(f, c, ky, kx)] * x[s.Input(c, oy + ky, ox + kx)];");
        CloseWindowLoops();
        _w.WriteLine("y[s.Output(f, oy, ox)] = relu && !(sum > " + Lit(0) + ") ? " + Lit(0) + " : sum;");
        EndScalarFallback(loops: 3);
        References("x", "w", "y");
        _w.WriteLine("int f0 = 0;");
        if (JoinedCorrelateTiles(lanes))
        {
            _w.WriteLine("bool joined = s.OutputHeight % 2 == 0 && ow % " + (2 * lanes) + " != 0 && ow % " + (2 * lanes) + " <= " + lanes + "; // the columns left after the whole Vector512s fit in half of one: two rows of them make one");
        }

        if (WideFilterTiles(lanes))
        {
            _w.OpenBlock("if (" + V512 + ".IsHardwareAccelerated && joined) // rows the wide tiles cover whole, in pairs: tiles of " + WideFilters + " filters first");
            _w.OpenBlock("for (; f0 <= filters - " + WideFilters + "; f0 += " + WideFilters + ")");
            _w.WriteLine("int ox = 0;");
            WideCorrelateLoop(WideFilters, lanes, oddRow: false);
            _w.CloseBlock();
            _w.CloseBlock();
            _w.WriteLine();
        }

        foreach (int nf in new[] { CorrelateFilters, 1 })
        {
            _w.OpenBlock(nf == 1 ? "for (; f0 < filters; f0++)" : "for (; f0 <= filters - " + nf + "; f0 += " + nf + ")");
            _w.WriteLine("int ox = 0;");
            if (WideCorrelateTiles(lanes))
            {
                WideCorrelateLoop(nf, lanes);
            }

            _w.OpenBlock("for (; ox <= ow - " + (2 * lanes) + "; ox += " + (2 * lanes) + ")");
            _w.WriteLine(CorrelateTile(nf, 2) + "(in s, ref rx, ref rw, bias, ref ry, f0, ox, 0, s.OutputHeight, 1, " + lanes + ", " + lanes + ", relu); // two vectors side by side, every row");
            _w.CloseBlock();
            _w.OpenBlock("for (; ox < ow; ox += " + lanes + ")");
            _w.WriteLine("int o = global::System.Math.Min(ox, ow - " + lanes + "); // the last may overlap the one before: it writes the same values");
            _w.WriteLine(CorrelateTile(nf, 2) + "(in s, ref rx, ref rw, bias, ref ry, f0, o, 0, s.OutputHeight - 1, 2, s.Width, ow, relu); // one vector of two rows at a time");
            _w.OpenBlock("if (s.OutputHeight % 2 != 0)");
            _w.WriteLine(CorrelateTile(nf, 1) + "(in s, ref rx, ref rw, bias, ref ry, f0, o, s.OutputHeight - 1, s.OutputHeight, 1, relu);");
            _w.CloseBlock();
            _w.CloseBlock();
            _w.CloseBlock();
        }

        _w.CloseBlock();
        _w.WriteLine();
        foreach (int nf in new[] { CorrelateFilters, 1 })
        {
            foreach (int nv in new[] { 2, 1 })
            {
                EmitCorrelateTile(nf, nv, lanes);
                if (WideCorrelateTiles(lanes))
                {
                    EmitCorrelateTile(nf, nv, 2 * lanes, wide: true);
                }
            }

            if (JoinedCorrelateTiles(lanes))
            {
                EmitCorrelateTile(nf, 3, 2 * lanes, wide: true);
            }
        }

        if (WideFilterTiles(lanes))
        {
            EmitCorrelateTile(WideFilters, 2, 2 * lanes, wide: true);
            EmitCorrelateTile(WideFilters, 3, 2 * lanes, wide: true);
        }

        int[] widths = TiledConvolutions.SelectMany(c => GradientBlocks(c.KernelWidth)).Distinct().OrderByDescending(n => n).ToArray();
        if (_plan.HasLoss)
        {
            EmitWeightGradient(lanes, span, readOnlySpan, vector, accelerated, widths);
        }

        int[] pooledRows = PooledTileRows().ToArray();
        if (pooledRows.Length > 0)
        {
            EmitPooledWeightGradient(lanes, span, readOnlySpan, vector, accelerated, pooledRows);
        }

        _w.CloseBlock();
    }

    /// <summary>
    /// MaxPool2x2: windows side by side in the lanes of a vector, each lane comparing in the scalar code's order. The even
    /// and odd columns are split with AVX's in-lane shuffle (one instruction, where a cross-lane permute costs several on
    /// cores that split 256-bit operations), which leaves the windows in the lanes in the order
    /// <see cref="MaxPoolLaneOrder"/>; one permute of 64-bit pairs puts them back before the stores.
    /// </summary>
    private void EmitMaxPool(int lanes, string readOnlySpan, string span)
    {
        string t = _t, index = lanes == 8 ? "int" : "long", avx = "global::System.Runtime.Intrinsics.X86.Avx";
        string pairs = V256 + ".Create(0L, 2, 1, 3)"; // 64-bit pairs of windows back in order
        string asPairs = lanes == 8 ? V256 + ".AsDouble" : string.Empty, back = lanes == 8 ? V256 + ".AsSingle" : string.Empty;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Max pooling over 2×2 windows with stride 2 of a channels × height × width tensor: y[c, oy, ox] is the first maximum of");
        _w.WriteLine("/// x[c, 2·oy + ky, 2·ox + kx] in the order (0, 0), (0, 1), (1, 0), (1, 1) (a later value wins only if greater, so a NaN");
        _w.WriteLine("/// wins only where it comes first), arg[c, oy, ox] its index in x. " + lanes + " windows at a time: the even and odd columns of the");
        _w.WriteLine("/// window's two input rows are split into vectors (AVX's in-lane shuffle, windows in the lane order " + string.Join(", ", MaxPoolLaneOrder(lanes)) + ")");
        _w.WriteLine("/// and compared lane by lane in the same order; one permute of 64-bit pairs puts the windows back in order." + (lanes == 8 ? " Rows of 9 to 16" : string.Empty));
        if (lanes == 8)
        {
            _w.WriteLine("/// windows take one Vector512 each where AVX-512 is there, the same way.");
        }

        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void MaxPool2x2(" + readOnlySpan + " x, " + span + " y, global::System.Span<int> arg, int channels, int height, int width)");
        _w.WriteLine("int oh = height / 2, ow = width / 2;");
        _w.WriteLine("x = x.Slice(0, channels * height * width); // the length checks that the unchecked loads rely on");
        _w.WriteLine("y = y.Slice(0, channels * oh * ow);");
        _w.WriteLine("arg = arg.Slice(0, channels * oh * ow);");
        _w.OpenBlock("if (!" + avx + ".IsSupported || ow < " + lanes + ")");
        _w.OpenBlock("for (int c = 0; c < channels; c++)");
        _w.OpenBlock("for (int oy = 0; oy < oh; oy++)");
        _w.OpenBlock("for (int ox = 0; ox < ow; ox++)");
        _w.WriteLine("int start = ((((c * height) + (2 * oy)) * width) + (2 * ox)), best = start;");
        foreach (string k in new[] { "start + 1", "start + width", "start + width + 1" })
        {
            _w.WriteLine("best = x[" + k + "] > x[best] ? " + k + " : best;");
        }

        _w.WriteLine("int o = (((c * oh) + oy) * ow) + ox;");
        _w.WriteLine("y[o] = x[best];");
        _w.WriteLine("arg[o] = best;");
        EndScalarFallback(loops: 3);
        References("x", "y");
        _w.WriteLine("ref int rarg = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(arg);");
        _w.WriteLine("int rows = channels * oh, r = 0; // output rows, and the first the Vector256 loop takes");
        if (lanes == 8)
        {
            EmitMaxPoolRows512();
        }

        _w.WriteLine("var columns = " + V256 + ".Create(" + string.Join(", ", MaxPoolLaneOrder(lanes).Select(k => (2 * k).ToString(System.Globalization.CultureInfo.InvariantCulture) + (lanes == 8 ? string.Empty : "L"))) + "); // the first column of the window in each lane, relative to the first");
        _w.OpenBlock("for (; r < rows; r++)");
        _w.WriteLine("int c = r / oh, oy = r - (c * oh);");
        _w.OpenBlock("for (int ox = 0; ox < ow; ox += " + lanes + ")");
        _w.WriteLine("int o = global::System.Math.Min(ox, ow - " + lanes + "); // the last may overlap the one before: it writes the same values");
        _w.WriteLine("int start = (((c * height) + (2 * oy)) * width) + (2 * o);");
        _w.WriteLine("var top0 = " + V256 + ".LoadUnsafe(ref rx, (nuint)start);");
        _w.WriteLine("var top1 = " + V256 + ".LoadUnsafe(ref rx, (nuint)(start + " + lanes + "));");
        _w.WriteLine("var bottom0 = " + V256 + ".LoadUnsafe(ref rx, (nuint)(start + width));");
        _w.WriteLine("var bottom1 = " + V256 + ".LoadUnsafe(ref rx, (nuint)(start + width + " + lanes + "));");
        _w.WriteLine("var first = " + V256 + ".Create((" + index + ")start) + columns;");
        _w.WriteLine("var best = Even(top0, top1);");
        _w.WriteLine("var at = first;");
        _w.WriteLine("Take(ref best, ref at, Odd(top0, top1), first + " + V256 + ".Create((" + index + ")1));");
        _w.WriteLine("Take(ref best, ref at, Even(bottom0, bottom1), first + " + V256 + ".Create((" + index + ")width));");
        _w.WriteLine("Take(ref best, ref at, Odd(bottom0, bottom1), first + " + V256 + ".Create((" + index + ")(width + 1)));");
        _w.WriteLine("best = " + back + "(" + V256 + ".Shuffle(" + asPairs + "(best), " + pairs + "));");
        _w.WriteLine("at = " + (lanes == 8 ? V256 + ".AsInt32(" : "(") + V256 + ".Shuffle(" + V256 + ".AsInt64(at), " + pairs + "));");
        _w.WriteLine("int output = (((c * oh) + oy) * ow) + o;");
        _w.WriteLine(V256 + ".StoreUnsafe(best, ref ry, (nuint)output);");
        _w.WriteLine(lanes == 8
            ? V256 + ".StoreUnsafe(at, ref rarg, (nuint)output);"
            : "global::System.Runtime.Intrinsics.Vector128.StoreUnsafe(" + V256 + ".GetLower(" + V256 + ".Narrow(at, at)), ref rarg, (nuint)output);");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
        string vector = V256 + "<" + t + ">", indices = V256 + "<" + index + ">";
        foreach (var (name, control) in new[] { ("Even", lanes == 8 ? "0b10_00_10_00" : "0b0000"), ("Odd", lanes == 8 ? "0b11_01_11_01" : "0b1111") })
        {
            _w.WriteLine("/// <summary>The " + name.ToLowerInvariant() + " columns of a and b, one input of each of " + lanes + " windows, in each 128-bit half " + (lanes == 8 ? "two of a then two of b" : "one of a then one of b") + ".</summary>");
            _w.WriteLine("private static " + vector + " " + name + "(" + vector + " a, " + vector + " b) => " + avx + ".Shuffle(a, b, " + control + ");");
            _w.WriteLine();
        }

        string asFloat = lanes == 8 ? V256 + ".AsSingle" : V256 + ".AsDouble";
        string asIndex = lanes == 8 ? V256 + ".AsInt32" : V256 + ".AsInt64";
        _w.WriteLine("/// <summary>Where candidate is greater than best (never for a NaN), it becomes best and its index at.</summary>");
        _w.OpenBlock("private static void Take(ref " + vector + " best, ref " + indices + " at, " + vector + " candidate, " + indices + " index)");
        _w.WriteLine("var wins = " + V256 + ".GreaterThan(candidate, best);");
        _w.WriteLine("best = " + avx + ".BlendVariable(best, candidate, wins);");
        _w.WriteLine("at = " + asIndex + "(" + avx + ".BlendVariable(" + asFloat + "(at), " + asFloat + "(index), wins));");
        _w.CloseBlock();
        _w.WriteLine();
        if (lanes == 8)
        {
            string vector512 = V512 + "<float>", indices512 = V512 + "<int>";
            _w.WriteLine("/// <summary>The same for 16 windows.</summary>");
            _w.OpenBlock("private static void Take(ref " + vector512 + " best, ref " + indices512 + " at, " + vector512 + " candidate, " + indices512 + " index)");
            _w.WriteLine("var wins = " + V512 + ".GreaterThan(candidate, best);");
            _w.WriteLine("best = " + V512 + ".ConditionalSelect(wins, candidate, best);");
            _w.WriteLine("at = " + V512 + ".ConditionalSelect(" + V512 + ".AsInt32(wins), index, at);");
            _w.CloseBlock();
            _w.WriteLine();
        }
    }

    /// <summary>
    /// The float max pooling's Vector512 loop, for rows of 9 to 16 windows (where Vector256 would take two overlapping
    /// vectors): one output row per iteration, 16 windows in the lane order of AVX-512's in-lane shuffle (per 128-bit
    /// quarter: windows 2q and 2q + 1 from the first 16 columns, 8 + 2q and 9 + 2q from the next 16), put back in order by
    /// one permute of 64-bit pairs. The lanes past ow read the next row's values and store into the next row's outputs,
    /// which its own iteration overwrites; the tensor's last output row, with no row after it, is left to the Vector256
    /// loop, which starts at r.
    /// </summary>
    private void EmitMaxPoolRows512()
    {
        string v = V512, avx512 = "global::System.Runtime.Intrinsics.X86.Avx512F";
        _w.OpenBlock("if (" + v + ".IsHardwareAccelerated && " + avx512 + ".IsSupported && ow > 8 && ow <= 16)");
        _w.WriteLine("var columns512 = " + v + ".Create(0, 2, 16, 18, 4, 6, 20, 22, 8, 10, 24, 26, 12, 14, 28, 30); // the first column of each lane's window");
        _w.WriteLine("var pairs512 = " + v + ".Create(0L, 2, 4, 6, 1, 3, 5, 7); // 64-bit pairs of windows back in order");
        _w.OpenBlock("for (int c = 0, oy = 0; r < rows - 1; r++)");
        _w.WriteLine("int start = ((c * height) + (2 * oy)) * width;");
        _w.WriteLine("var top0 = " + v + ".LoadUnsafe(ref rx, (nuint)start);");
        _w.WriteLine("var top1 = " + v + ".LoadUnsafe(ref rx, (nuint)(start + 16));");
        _w.WriteLine("var bottom0 = " + v + ".LoadUnsafe(ref rx, (nuint)(start + width));");
        _w.WriteLine("var bottom1 = " + v + ".LoadUnsafe(ref rx, (nuint)(start + width + 16));");
        _w.WriteLine("var first = " + v + ".Create(start) + columns512;");
        _w.WriteLine("var best = " + avx512 + ".Shuffle(top0, top1, 0b10_00_10_00);");
        _w.WriteLine("var at = first;");
        _w.WriteLine("Take(ref best, ref at, " + avx512 + ".Shuffle(top0, top1, 0b11_01_11_01), first + " + v + ".Create(1));");
        _w.WriteLine("Take(ref best, ref at, " + avx512 + ".Shuffle(bottom0, bottom1, 0b10_00_10_00), first + " + v + ".Create(width));");
        _w.WriteLine("Take(ref best, ref at, " + avx512 + ".Shuffle(bottom0, bottom1, 0b11_01_11_01), first + " + v + ".Create(width + 1));");
        _w.WriteLine(v + ".StoreUnsafe(" + v + ".AsSingle(" + v + ".Shuffle(" + v + ".AsDouble(best), pairs512)), ref ry, (nuint)(r * ow));");
        _w.WriteLine(v + ".StoreUnsafe(" + v + ".AsInt32(" + v + ".Shuffle(" + v + ".AsInt64(at), pairs512)), ref rarg, (nuint)(r * ow));");
        _w.OpenBlock("if (++oy == oh)");
        _w.WriteLine("(c, oy) = (c + 1, 0);");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
    }

    /// <summary>
    /// The window in each lane after MaxPool2x2's in-lane shuffle of two vectors a and b: per 128-bit half, the windows of
    /// a's half then those of b's half (float: 0, 1, 4, 5, 2, 3, 6, 7; double: 0, 2, 1, 3).
    /// </summary>
    private static int[] MaxPoolLaneOrder(int lanes) => lanes == 8 ? new[] { 0, 1, 4, 5, 2, 3, 6, 7 } : new[] { 0, 2, 1, 3 };

    /// <summary>The struct that names the sizes and index arithmetic every kernel shares.</summary>
    private void EmitLayout()
    {
        _w.WriteLine("/// <summary>The sizes of a stride-1 correlation of an input that already carries its zero border, and where its weights lie.</summary>");
        _w.OpenBlock("private readonly struct Layout");
        _w.WriteLine("public readonly int Channels, Height, Width, OutputHeight, OutputWidth, KernelHeight, KernelWidth;");
        _w.WriteLine("public readonly int FilterStride, ChannelStride, Start, RowStep, ColumnStep;");
        _w.WriteLine();
        _w.OpenBlock("public Layout(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth, bool transposed)");
        _w.WriteLine("Channels = channels;");
        _w.WriteLine("Height = height;");
        _w.WriteLine("Width = width;");
        _w.WriteLine("OutputHeight = height - kernelHeight + 1;");
        _w.WriteLine("OutputWidth = width - kernelWidth + 1;");
        _w.WriteLine("KernelHeight = kernelHeight;");
        _w.WriteLine("KernelWidth = kernelWidth;");
        _w.WriteLine("int kernel = kernelHeight * kernelWidth;");
        _w.WriteLine("FilterStride = transposed ? kernel : channels * kernel;");
        _w.WriteLine("ChannelStride = transposed ? filters * kernel : kernel;");
        _w.WriteLine("Start = transposed ? kernel - 1 : 0;");
        _w.WriteLine("RowStep = transposed ? -kernelWidth : kernelWidth;");
        _w.WriteLine("ColumnStep = transposed ? -1 : 1;");
        _w.CloseBlock();
        _w.WriteLine();
        _w.WriteLine("/// <summary>Where the weight that filter f applies to channel c at (ky, kx) lies.</summary>");
        _w.WriteLine("public int Weight(int f, int c, int ky, int kx) => (f * FilterStride) + (c * ChannelStride) + Start + (ky * RowStep) + (kx * ColumnStep);");
        _w.WriteLine();
        _w.WriteLine("public int Input(int c, int iy, int ix) => (((c * Height) + iy) * Width) + ix;");
        _w.WriteLine();
        _w.WriteLine("public int Output(int f, int oy, int ox) => (((f * OutputHeight) + oy) * OutputWidth) + ox;");
        _w.CloseBlock();
        _w.WriteLine();
    }

    /// <summary>Declares <c>rx</c> for span <c>x</c> and so on: references to the first elements, for the tiles' unchecked loads.</summary>
    private void References(params string[] spans)
    {
        foreach (string span in spans)
        {
            _w.WriteLine("ref " + _t + " r" + span + " = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + span + ");");
        }
    }

    /// <summary>Closes the scalar loops of a kernel's fallback and the <c>if</c> around them, which returns.</summary>
    private void EndScalarFallback(int loops)
    {
        for (int k = 0; k < loops; k++)
        {
            _w.CloseBlock();
        }

        _w.WriteLine("return;");
        _w.CloseBlock();
        _w.WriteLine();
    }

    private void OpenWindowLoops()
    {
        _w.OpenBlock("for (int c = 0; c < s.Channels; c++)");
        _w.OpenBlock("for (int ky = 0; ky < s.KernelHeight; ky++)");
        _w.OpenBlock("for (int kx = 0; kx < s.KernelWidth; kx++)");
    }

    private void CloseWindowLoops()
    {
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
    }

    private static string CorrelateTile(int filters, int vectors, bool wide = false) => (wide ? "WideTile" : "Tile") + filters + "x" + vectors;

    private static string GradientTile(int filters, int columns) => "GradientTile" + filters + "x" + columns;

    /// <summary>
    /// Where Vector512 is accelerated, Correlate first covers the output columns in whole Vector512s, two rows per tile
    /// (eight sums of 4 filters in registers), the last overlapping the one before where more than half a Vector512 is
    /// left (rows of 28 floats: 2 Vector512s per row rather than one and two Vector256s); the Vector256 tiles then take
    /// the columns left, if any. Where those fit in half a Vector512 and the rows pair up (<c>joined</c>, e.g. rows of
    /// 24 floats), the last tile of each pair of rows also takes them, the two rows' in one Vector512 (twelve sums),
    /// which needs a quarter fewer multiply-adds than a Vector512 and two Vector256s per row. Each output's sum is the
    /// same chain of fused multiply-adds over (c, ky, kx) whatever the width, so the bits do not depend on it. Without
    /// <paramref name="oddRow"/> (tiles that run only on joined rows, whose count is even) there is no tile for a last
    /// odd row.
    /// </summary>
    private void WideCorrelateLoop(int nf, int lanes, bool oddRow = true)
    {
        _w.OpenBlock("if (" + V512 + ".IsHardwareAccelerated && ow >= " + (2 * lanes) + ")");
        bool joined = JoinedCorrelateTiles(lanes);
        _w.OpenBlock("for (; ox < ow - " + lanes + "; ox += " + (2 * lanes) + ")");
        _w.WriteLine("int o = global::System.Math.Min(ox, ow - " + (2 * lanes) + "); // more than half a Vector512 left: the last may overlap the one before, and writes the same values");
        if (joined)
        {
            _w.OpenBlock("if (joined && ox + " + (4 * lanes) + " > ow)");
            _w.WriteLine(CorrelateTile(nf, 3, wide: true) + "(in s, ref rx, ref rw, bias, ref ry, f0, o, 0, s.OutputHeight - 1, 2, s.Width, ow, ow - " + lanes + ", relu); // the last Vector512 of two rows and the " + lanes + " columns left of both in one more");
            _w.WriteLine("ox = ow;");
            _w.WriteLine("break;");
            _w.CloseBlock();
            _w.WriteLine();
        }

        _w.WriteLine(CorrelateTile(nf, 2, wide: true) + "(in s, ref rx, ref rw, bias, ref ry, f0, o, 0, s.OutputHeight - 1, 2, s.Width, ow, relu); // one Vector512 of two rows at a time");
        if (oddRow)
        {
            _w.OpenBlock("if (s.OutputHeight % 2 != 0)");
            _w.WriteLine(CorrelateTile(nf, 1, wide: true) + "(in s, ref rx, ref rw, bias, ref ry, f0, o, s.OutputHeight - 1, s.OutputHeight, 1, relu);");
            _w.CloseBlock();
        }

        _w.CloseBlock();
        _w.CloseBlock();
    }

    /// <summary>An offset into a row as the unchecked loads take it.</summary>
    private static string Offset(string index) => index == "0" ? string.Empty : ", (nuint)" + (index.Contains(" ") ? "(" + index + ")" : index);

    private static string Add(string a, int b) => b == 0 ? a : a + " + " + b;

    /// <summary>
    /// Filters f to f + nf − 1, nv vectors of each output row from ox: nf·nv sums in registers over (c, ky, kx). With
    /// nv = 3 (wide tiles only) the third vector is joined: its lower half is the row's columns from <c>rest</c>, its upper
    /// half the same columns of the second row.
    /// </summary>
    private void EmitCorrelateTile(int nf, int nv, int lanes, bool wide = false)
    {
        string t = _t;
        string vt = wide ? V512 : V256;
        bool joined = nv == 3;
        int half = lanes / 2;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Filter" + (nf > 1 ? "s f to f + " + (nf - 1) : " f") + ", output rows firstRow, firstRow + rowStep… before lastRow, " + (nv == 1 ? "columns ox to ox + " + (lanes - 1) : lanes + " columns from ox and " + lanes + " more xSecond further in x and ySecond further in y (the next columns, or the next row)") + (joined ? ", and " + half + " columns from rest of both rows in one vector" : string.Empty) + ":");
        _w.WriteLine("/// " + (nf * nv) + " vector sum" + (nf * nv > 1 ? "s" : string.Empty) + " kept in registers over c, ky and kx, stored through ReLU when <paramref name=\"relu\"/>.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("private static void " + CorrelateTile(nf, nv, wide) + "(in Layout s, ref " + t + " x, ref " + t + " w, global::System.ReadOnlySpan<" + t + "> bias, ref " + t + " y, int f, int ox, int firstRow, int lastRow, int rowStep" + (nv > 1 ? ", int xSecond, int ySecond" : string.Empty) + (joined ? ", int rest" : string.Empty) + ", bool relu)");
        _w.WriteLine("int kw = s.KernelWidth, step = s.ColumnStep" + (nf > 1 ? ", plane = s.OutputHeight * s.OutputWidth" : string.Empty) + ";");
        var offsets = new List<string>();
        if (nv > 1)
        {
            offsets.Add("second = (nuint)xSecond");
        }

        if (joined)
        {
            offsets.Add("third = (nuint)(rest - ox)");
            offsets.Add("thirdNext = (nuint)(rest - ox + xSecond)");
        }

        for (int i = 1; i < nf; i++)
        {
            offsets.Add("filter" + i + " = (nuint)(" + (i == 1 ? string.Empty : i + " * ") + "s.FilterStride)");
        }

        if (offsets.Count > 0)
        {
            _w.WriteLine("nuint " + string.Join(", ", offsets) + "; // the inner loop's offsets, as its unchecked loads take them");
        }

        _w.OpenBlock("for (int oy = firstRow; oy < lastRow; oy += rowStep)");
        for (int i = 0; i < nf; i++)
        {
            _w.WriteLine("var a" + i + "_0 = " + vt + ".Create(bias.IsEmpty ? " + Lit(0) + " : bias[" + Add("f", i) + "]);");
            for (int v = 1; v < nv; v++)
            {
                _w.WriteLine("var a" + i + "_" + v + " = a" + i + "_0;");
            }
        }

        _w.OpenBlock("for (int c = 0; c < s.Channels; c++)");
        _w.OpenBlock("for (int ky = 0; ky < s.KernelHeight; ky++)");
        _w.WriteLine("ref " + t + " xk = ref " + UnsafeRef + ".Add(ref x, s.Input(c, oy + ky, ox)); // x[c, oy + ky, ox + kx], one column further each kx");
        _w.WriteLine("ref " + t + " wk = ref " + UnsafeRef + ".Add(ref w, s.Weight(f, c, ky, 0)); // filter f's weight for (c, ky, kx), one step further each kx");
        _w.OpenBlock("for (int kx = 0; kx < kw; kx++)");
        for (int v = 0; v < nv; v++)
        {
            _w.WriteLine("var x" + v + " = " + (v == 2
                ? vt + ".WithUpper(" + V256 + ".ToVector512Unsafe(" + V256 + ".LoadUnsafe(ref xk, third)), " + V256 + ".LoadUnsafe(ref xk, thirdNext)); // the columns from rest of the two rows (built from the first, so no dependence on the last iteration's vector)"
                : vt + ".LoadUnsafe(ref xk" + (v == 0 ? string.Empty : ", second") + ");"));
        }

        for (int i = 0; i < nf; i++)
        {
            _w.WriteLine("var w" + i + " = " + vt + ".Create(" + (i == 0 ? "wk" : UnsafeRef + ".Add(ref wk, filter" + i + ")") + ");");
            for (int v = 0; v < nv; v++)
            {
                _w.WriteLine("a" + i + "_" + v + " = " + vt + ".FusedMultiplyAdd(x" + v + ", w" + i + ", a" + i + "_" + v + ");");
            }
        }

        _w.WriteLine("xk = ref " + UnsafeRef + ".Add(ref xk, 1);");
        _w.WriteLine("wk = ref " + UnsafeRef + ".Add(ref wk, step);");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.OpenBlock("if (relu)");
        for (int i = 0; i < nf; i++)
        {
            for (int v = 0; v < nv; v++)
            {
                string a = "a" + i + "_" + v;
                _w.WriteLine(a + " = " + vt + ".ConditionalSelect(" + vt + ".GreaterThan(" + a + ", " + vt + "<" + t + ">.Zero), " + a + ", " + vt + "<" + t + ">.Zero);");
            }
        }

        _w.CloseBlock();
        _w.WriteLine("ref " + t + " yr = ref " + UnsafeRef + ".Add(ref y, s.Output(f, oy, ox));");
        for (int i = 0; i < nf; i++)
        {
            string filter = i == 0 ? "0" : i == 1 ? "plane" : i + " * plane";
            for (int v = 0; v < nv; v++)
            {
                if (v == 2)
                {
                    _w.WriteLine(V256 + ".StoreUnsafe(" + vt + ".GetLower(a" + i + "_2), ref yr" + Offset(Plus(filter, "rest - ox")) + ");");
                    _w.WriteLine(V256 + ".StoreUnsafe(" + vt + ".GetUpper(a" + i + "_2), ref yr" + Offset(Plus(filter, "rest - ox + ySecond")) + ");");
                    continue;
                }

                _w.WriteLine(vt + ".StoreUnsafe(a" + i + "_" + v + ", ref yr" + Offset(Plus(filter, v == 0 ? "0" : "ySecond")) + ");");
            }
        }

        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
    }

    private void EmitWeightGradient(int lanes, string span, string readOnlySpan, string vector, string accelerated, int[] widths)
    {
        string t = _t;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// gw[f, c, ky, kx] += Σ_oy Σ_ox g[f, oy, ox] x[c, oy + ky, ox + kx] and gb[f] += Σ_oy Σ_ox g[f, oy, ox], x already padded: the");
        _w.WriteLine("/// parameter gradient of a stride-1 convolution. Tiles of " + GradientFilters + " filters × up to " + GradientColumns + " kernel columns keep their sums in registers");
        _w.WriteLine("/// over the whole output plane.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void WeightGradient(" + readOnlySpan + " g, " + readOnlySpan + " x, " + span + " gw, " + span + " gb, int channels, int height, int width, int filters, int kernelHeight, int kernelWidth)");
        _w.WriteLine("var s = new Layout(channels, height, width, filters, kernelHeight, kernelWidth, transposed: false);");
        _w.WriteLine("int plane = s.OutputHeight * s.OutputWidth, ow = s.OutputWidth;");
        _w.WriteLine("g = g.Slice(0, filters * plane); // the length checks that the tiles' unchecked reads rely on");
        _w.WriteLine("x = x.Slice(0, channels * height * width);");
        _w.WriteLine("gw = gw.Slice(0, filters * channels * kernelHeight * kernelWidth);");
        _w.OpenBlock("for (int f = 0; f < filters; f++)");
        _w.WriteLine("gb[f] += Sum(g.Slice(f * plane, plane));");
        _w.CloseBlock();
        _w.OpenBlock("if (!" + accelerated + " || ow < " + lanes + ")");
        _w.OpenBlock("for (int f = 0; f < filters; f++)");
        OpenWindowLoops();
        _w.WriteLine(t + " sum = " + Lit(0) + ";");
        _w.OpenBlock("for (int oy = 0; oy < s.OutputHeight; oy++)");
        _w.OpenBlock("for (int ox = 0; ox < ow; ox++)");
        _w.WriteLine("sum += g[s.Output(f, oy, ox)] * x[s.Input(c, oy + ky, ox + kx)];");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine("gw[s.Weight(f, c, ky, kx)] += sum;");
        CloseWindowLoops();
        EndScalarFallback(loops: 1);
        References("g", "x");
        _w.WriteLine("var tail = " + V256 + ".GreaterThanOrEqual(" + vector + ".Indices, " + V256 + ".Create((" + t + ")(" + lanes + " - (ow % " + lanes + ")))); // the lanes of a row's last, overlapping vector not counted before");
        _w.WriteLine("int blocks = (kernelWidth + " + (GradientColumns - 1) + ") / " + GradientColumns + ";");
        _w.OpenBlock("for (int f = 0; f < filters; f += " + GradientFilters + ")");
        _w.WriteLine("bool whole = f + " + GradientFilters + " <= filters;");
        _w.OpenBlock("for (int c = 0; c < channels; c++)");
        _w.OpenBlock("for (int ky = 0; ky < kernelHeight; ky++)");
        _w.OpenBlock("for (int block = 0, kx = 0; block < blocks; block++)");
        _w.WriteLine("int columns = (kernelWidth / blocks) + (block < kernelWidth % blocks ? 1 : 0);");
        _w.OpenBlock("switch (columns)");
        foreach (int n in widths)
        {
            _w.WriteLine("case " + n + ":");
            _w.WriteLine("    if (whole) " + GradientTile(GradientFilters, n) + "(in s, ref rg, ref rx, gw, tail, f, c, ky, kx); else " + GradientTile(1, n) + "(in s, ref rg, ref rx, gw, tail, f, c, ky, kx);");
            _w.WriteLine("    break;");
        }

        _w.WriteLine("default:");
        _w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(kernelWidth), \"No weight-gradient tile for this kernel width.\");");
        _w.CloseBlock();
        _w.WriteLine("kx += columns;");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
        foreach (int n in widths)
        {
            foreach (int nf in new[] { GradientFilters, 1 })
            {
                EmitGradientTile(nf, n, lanes, vector);
            }
        }

        _w.WriteLine("/// <summary>Σₖ values[k].</summary>");
        _w.OpenBlock("private static " + t + " Sum(" + readOnlySpan + " values)");
        _w.WriteLine("int k = 0;");
        _w.WriteLine(t + " sum = " + Lit(0) + ";");
        _w.OpenBlock("if (" + accelerated + " && values.Length >= " + lanes + ")");
        _w.WriteLine("ref " + t + " r = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(values);");
        _w.WriteLine("var s0 = " + vector + ".Zero;");
        _w.OpenBlock("for (; k <= values.Length - " + lanes + "; k += " + lanes + ")");
        _w.WriteLine("s0 += " + V256 + ".LoadUnsafe(ref r, (nuint)k);");
        _w.CloseBlock();
        _w.WriteLine("sum = " + V256 + ".Sum(s0);");
        _w.CloseBlock();
        _w.OpenBlock("for (; k < values.Length; k++)");
        _w.WriteLine("sum += values[k];");
        _w.CloseBlock();
        _w.WriteLine("return sum;");
        _w.CloseBlock();
    }

    /// <summary>gw for filters f to f + nf − 1 and kernel columns kx to kx + nk − 1: nf·nk sums in registers over the output plane.</summary>
    private void EmitGradientTile(int nf, int nk, int lanes, string vector)
    {
        string t = _t;
        _w.WriteLine("/// <summary>gw[" + (nf > 1 ? "f…f + " + (nf - 1) : "f") + ", c, ky, " + (nk > 1 ? "kx…kx + " + (nk - 1) : "kx") + "]: " + (nf * nk) + " vector sum" + (nf * nk > 1 ? "s" : string.Empty) + " over the output plane; the lanes of a row's last vector that the one before counted are masked out.</summary>");
        _w.OpenBlock("private static void " + GradientTile(nf, nk) + "(in Layout s, ref " + t + " g, ref " + t + " x, global::System.Span<" + t + "> gw, " + vector + " tail, int f, int c, int ky, int kx)");
        _w.WriteLine("int ow = s.OutputWidth" + (nf > 1 ? ", plane = s.OutputHeight * s.OutputWidth" : string.Empty) + ";");
        for (int i = 0; i < nf; i++)
        {
            for (int k = 0; k < nk; k++)
            {
                _w.WriteLine("var a" + i + "_" + k + " = " + vector + ".Zero;");
            }
        }

        _w.OpenBlock("for (int oy = 0; oy < s.OutputHeight; oy++)");
        _w.WriteLine("ref " + t + " gr = ref " + UnsafeRef + ".Add(ref g, s.Output(f, oy, 0));");
        _w.WriteLine("ref " + t + " xr = ref " + UnsafeRef + ".Add(ref x, s.Input(c, oy + ky, kx));");
        void Body(bool masked)
        {
            for (int i = 0; i < nf; i++)
            {
                _w.WriteLine("var g" + i + " = " + V256 + ".LoadUnsafe(ref gr" + Offset(i == 0 ? "ox" : i == 1 ? "ox + plane" : "ox + " + i + " * plane") + ")" + (masked ? " & tail" : string.Empty) + ";");
            }

            for (int k = 0; k < nk; k++)
            {
                _w.WriteLine((k == 0 ? "var " : string.Empty) + "v = " + V256 + ".LoadUnsafe(ref xr" + Offset(Add("ox", k)) + ");");
                for (int i = 0; i < nf; i++)
                {
                    _w.WriteLine("a" + i + "_" + k + " = " + V256 + ".FusedMultiplyAdd(g" + i + ", v, a" + i + "_" + k + ");");
                }
            }
        }

        _w.WriteLine("int ox = 0;");
        _w.OpenBlock("for (; ox <= ow - " + lanes + "; ox += " + lanes + ")");
        Body(masked: false);
        _w.CloseBlock();
        _w.OpenBlock("if (ox < ow)");
        _w.WriteLine("ox = ow - " + lanes + "; // the row's last vector overlaps the one before: tail masks out the lanes already counted");
        Body(masked: true);
        _w.CloseBlock();
        _w.CloseBlock();
        for (int i = 0; i < nf; i++)
        {
            for (int k = 0; k < nk; k++)
            {
                _w.WriteLine("gw[s.Weight(" + Add("f", i) + ", c, ky, " + Add("kx", k) + ")] += " + V256 + ".Sum(a" + i + "_" + k + ");");
            }
        }

        _w.CloseBlock();
        _w.WriteLine();
    }

    /// <summary>Kernel rows (channel, ky) per tile of PooledWeightGradient: each keeps one vector sum per row.</summary>
    private const int PooledRows = 8;

    /// <summary>PooledWeightGradient tiles of at most this many kernel rows keep two sets of sums (even and odd winners).</summary>
    private const int PooledTwoSetRows = 6;

    /// <summary>Winners PooledWeightGradient prepares at a time (their patch starts and gradients, on the stack).</summary>
    private const int PooledChunk = 256;

    /// <summary>The tile heights PooledWeightGradient needs for this network's pooled convolutions: 8 rows, and the rest.</summary>
    private IEnumerable<int> PooledTileRows() =>
        Enumerable.Range(1, _plan.LayerCount)
            .Where(i => _plan.PooledGradient(i) is not null)
            .Select(i => (Conv2DSpec)_plan.Layer(i))
            .SelectMany(c => new[] { System.Math.Min(PooledRows, c.Input.Channels * c.KernelHeight), c.Input.Channels * c.KernelHeight > PooledRows ? c.Input.Channels * c.KernelHeight % PooledRows : 0 })
            .Where(n => n > 0)
            .Distinct()
            .OrderByDescending(n => n);

    private void EmitPooledWeightGradient(int lanes, string span, string readOnlySpan, string vector, string accelerated, int[] tiles)
    {
        string t = _t;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// The parameter gradient of a stride-1 convolution whose output goes to max pooling (through ReLU when <paramref name=\"pooledY\"/>,");
        _w.WriteLine("/// the pooling's output, is given), x already padded: ∇ of the convolution is zero but at each window's winner arg[o], where it is");
        _w.WriteLine("/// g[o] (if pooledY[o] > 0: the winner's value, so ReLU′ there), so gw[f, c, ky, kx] += scale · Σ_o g[o] x[c, oy + ky, ox + kx] over the windows o of filter f,");
        _w.WriteLine("/// (oy, ox) the winner's position, and gb[f] += scale · Σ_o g[o] (where ReLU′ is 1). The winners of filter f are read");
        _w.WriteLine("/// once, in chunks of " + PooledChunk + ": each one's patch start and scale · g[o] (0 where ReLU′ is 0) go to two small stack buffers, which");
        _w.WriteLine("/// tiles of up to " + PooledRows + " kernel rows then read, each keeping one vector sum per row (lanes past the kernel's width are");
        _w.WriteLine("/// dropped at the end).");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void PooledWeightGradient(" + readOnlySpan + " g, global::System.ReadOnlySpan<int> arg, " + readOnlySpan + " pooledY, " + readOnlySpan + " x, " + span + " gw, " + span + " gb, int channels, int height, int width, int filters, int kernelHeight, int kernelWidth, int pooled, int pooledWidth, int poolSize, int poolStride, " + t + " scale)");
        _w.WriteLine("var s = new Layout(channels, height, width, filters, kernelHeight, kernelWidth, transposed: false);");
        _w.WriteLine("int plane = s.OutputHeight * s.OutputWidth, ow = s.OutputWidth, rows = channels * kernelHeight;");
        _w.WriteLine("g = g.Slice(0, filters * pooled);");
        _w.WriteLine("arg = arg.Slice(0, filters * pooled);");
        _w.WriteLine("x = x.Slice(0, channels * height * width); // the length the tiles' unchecked reads rely on");
        _w.WriteLine("gw = gw.Slice(0, filters * rows * kernelWidth);");
        _w.WriteLine("bool relu = !pooledY.IsEmpty;");
        _w.WriteLine("pooledY = relu ? pooledY.Slice(0, filters * pooled) : pooledY;");
        _w.OpenBlock("if (!" + accelerated + " || kernelWidth > " + lanes + ")");
        _w.OpenBlock("for (int f = 0; f < filters; f++)");
        _w.WriteLine(t + " sum = " + Lit(0) + ";");
        _w.OpenBlock("for (int o = f * pooled; o < (f + 1) * pooled; o++)");
        _w.WriteLine("int at = arg[o];");
        _w.WriteLine(t + " gate = relu && !(pooledY[o] > " + Lit(0) + ") ? " + Lit(0) + " : g[o];");
        _w.WriteLine("sum += gate;");
        _w.WriteLine(t + " d = scale * gate;");
        _w.OpenBlock("if (d == " + Lit(0) + ")");
        _w.WriteLine("continue;");
        _w.CloseBlock();
        _w.WriteLine("int oy = (at - (f * plane)) / ow, ox = at - (f * plane) - (oy * ow);");
        OpenWindowLoops();
        _w.WriteLine("gw[s.Weight(f, c, ky, kx)] += d * x[s.Input(c, oy + ky, ox + kx)];");
        CloseWindowLoops();
        _w.CloseBlock();
        _w.WriteLine("gb[f] += scale * sum;");
        EndScalarFallback(loops: 1);
        int pairedTail = PairedTailLength();
        if (pairedTail > 0)
        {
            EmitPairedDispatch(pairedTail);
        }

        _w.WriteLine("global::System.Span<int> starts = stackalloc int[" + PooledChunk + "]; // where each winner's patch starts in x");
        _w.WriteLine("global::System.Span<" + t + "> ds = stackalloc " + t + "[" + PooledChunk + "]; // scale · g[o], or 0 where ReLU′ is 0");
        _w.OpenBlock("for (int f = 0; f < filters; f++)");
        _w.OpenBlock("for (int o0 = f * pooled; o0 < (f + 1) * pooled; o0 += " + PooledChunk + ")");
        _w.WriteLine("int n = global::System.Math.Min(" + PooledChunk + ", ((f + 1) * pooled) - o0);");
        _w.WriteLine("gb[f] += scale * PooledWinners(arg.Slice(o0, n), g.Slice(o0, n), relu ? pooledY.Slice(o0, n) : default, f * plane, width, ow, pooledWidth, poolSize, poolStride, o0 - (f * pooled), scale, starts, ds);");
        _w.OpenBlock("for (int row = 0; row < rows; row += " + PooledRows + ")");
        _w.OpenBlock("switch (global::System.Math.Min(" + PooledRows + ", rows - row))");
        foreach (int n in tiles)
        {
            _w.WriteLine("case " + n + ":");
            _w.WriteLine("    " + PooledTile(n) + "(in s, starts.Slice(0, n), ds, x, gw, f, row);");
            _w.WriteLine("    break;");
        }

        _w.WriteLine("default:");
        _w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(channels), \"No pooled weight-gradient tile for this many kernel rows.\");");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
        EmitPooledWinners(readOnlySpan, span);
        _w.WriteLine();
        foreach (int n in tiles)
        {
            EmitPooledTile(n, lanes, readOnlySpan, span, vector);
        }

        if (pairedTail > 0)
        {
            EmitPairedWeightGradient(pairedTail, PairedTileRows());
        }
    }

    /// <summary>
    /// The per-winner work of PooledWeightGradient, in a method of its own so that its few values stay in registers, in one
    /// pass over the winners: the patch start of each, its ∇ times the scale (0 where ReLU′ is 0, the mask made without a
    /// branch, which ReLU's data would mispredict half the time), and the sum of the gated ∇ for the bias gradient.
    /// </summary>
    private void EmitPooledWinners(string readOnlySpan, string span)
    {
        string t = _t;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// starts[k] = where the patch of winner arg[k] (a flat index of the convolution's output, from plane <paramref name=\"first\"/>) starts in x,");
        _w.WriteLine("/// rows <paramref name=\"width\"/> wide; ds[k] = scale · g[k], or 0 where pooledY[k] ≤ 0 (pooledY empty: no ReLU); returns Σₖ of the");
        _w.WriteLine("/// gated g[k] (not scaled), added a vector at a time (16 windows with Vector512, 8 with Vector256 for the rest) and then across the lanes. Winner k is window q0 + k of the plane, so its");
        _w.WriteLine("/// window's rows start at output row top = py · poolStride (py = its pooled row, from a float product) and the winner lies");
        _w.WriteLine("/// dy = (arg[k] − first − top · ow) / ow rows below: fewer than poolSize, counted with comparisons, so no division.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("private static " + t + " PooledWinners(global::System.ReadOnlySpan<int> arg, " + readOnlySpan + " g, " + readOnlySpan + " pooledY, int first, int width, int ow, int pw, int poolSize, int poolStride, int q0, " + t + " scale, global::System.Span<int> starts, " + span + " ds)");
        _w.WriteLine("int n = arg.Length;");
        _w.WriteLine("g = g.Slice(0, n); // the length checks the unchecked loads and stores below rely on");
        _w.WriteLine("starts = starts.Slice(0, n);");
        _w.WriteLine("ds = ds.Slice(0, n);");
        _w.WriteLine("bool relu = !pooledY.IsEmpty;");
        _w.WriteLine("pooledY = relu ? pooledY.Slice(0, n) : pooledY;");
        _w.WriteLine("int shift = width - ow; // start = the winner's index in its plane + oy · shift");
        _w.WriteLine("var acc512 = " + V512 + "<" + t + ">.Zero;");
        _w.WriteLine("var acc = " + V256 + "<" + t + ">.Zero;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("// py = ⌊(q + ½) / pw⌋ in float is exact while q < 2²¹: its error, under q · 2⁻²² / pw, stays below the ½ / pw that separates (q + ½) / pw from an integer");
        WinnersBlock(V512, 16, "acc512");
        WinnersBlock(V256, 8, "acc");
        _w.WriteLine(t + " sum = " + V512 + ".Sum(acc512) + " + V256 + ".Sum(acc);");
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine(t + " gate = relu && !(pooledY[k] > " + Lit(0) + ") ? " + Lit(0) + " : g[k];");
        _w.WriteLine("sum += gate;");
        _w.WriteLine("ds[k] = scale * gate;");
        _w.WriteLine("int top = ((q0 + k) / pw) * poolStride, rel = arg[k] - first - (top * ow), dy = 0;");
        _w.OpenBlock("for (int r = 1; r < poolSize; r++)");
        _w.WriteLine("dy += rel >= r * ow ? 1 : 0;");
        _w.CloseBlock();
        _w.WriteLine("starts[k] = rel + (top * width) + (dy * shift);");
        _w.CloseBlock();
        _w.WriteLine("return sum;");
        _w.CloseBlock();
        _w.WriteLine();

        // The vector pass at one width over the windows left: intLanes windows per iteration (ints), in halves of as many
        // ∇ values as a vector of the element type holds; each width sums the gated ∇ in its own accumulator.
        void WinnersBlock(string v, int intLanes, string accumulator)
        {
            int valueLanes = intLanes * 4 / _plan.ElementBytes;
            string vi = v + "<int>";
            string intLanesText = intLanes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _w.OpenBlock("if (" + v + ".IsHardwareAccelerated && q0 + n < 1 << 21 && n - k >= " + intLanesText + ")");
            _w.WriteLine("ref int ra = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(arg);");
            _w.WriteLine("ref int rs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(starts);");
            References("g", "pooledY", "ds");
            _w.WriteLine("var vScale = " + v + ".Create(scale);");
            _w.WriteLine("var lane = " + v + ".Create(" + string.Join(", ", System.Linq.Enumerable.Range(0, intLanes)) + ");");
            _w.WriteLine("var inverse = " + v + ".Create(1f / pw);");
            _w.WriteLine("var vFirst = " + v + ".Create(first);");
            _w.WriteLine("var vOw = " + v + ".Create(ow);");
            _w.WriteLine("var vWidth = " + v + ".Create(width);");
            _w.WriteLine("var vShift = " + v + ".Create(shift);");
            _w.WriteLine("var vStride = " + v + ".Create(poolStride);");
            _w.OpenBlock("for (; k <= n - " + intLanesText + "; k += " + intLanesText + ")");
            for (int h = 0; h < intLanes; h += valueLanes)
            {
                string at = h == 0 ? "(nuint)k" : "(nuint)(k + " + h + ")";
                string gate = "gate" + (h == 0 ? string.Empty : h.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _w.WriteLine("var " + gate + " = " + v + ".LoadUnsafe(ref rg, " + at + ");");
                _w.OpenBlock("if (relu)");
                _w.WriteLine(gate + " = " + v + ".ConditionalSelect(" + v + ".GreaterThan(" + v + ".LoadUnsafe(ref rpooledY, " + at + "), " + v + "<" + t + ">.Zero), " + gate + ", " + v + "<" + t + ">.Zero); // ReLU′ at the winner, without a branch");
                _w.CloseBlock();
                _w.WriteLine(accumulator + " += " + gate + ";");
                _w.WriteLine(v + ".StoreUnsafe(vScale * " + gate + ", ref rds, " + at + ");");
            }

            _w.WriteLine("var q = " + v + ".Create(q0 + k) + lane; // the windows' indices in the plane");
            _w.WriteLine("var top = " + v + ".ConvertToInt32((" + v + ".ConvertToSingle(q) + " + v + ".Create(0.5f)) * inverse) * vStride; // each window's first output row");
            _w.WriteLine("var rel = " + v + ".LoadUnsafe(ref ra, (nuint)k) - vFirst - (top * vOw); // (oy − top) · ow + ox");
            _w.WriteLine("var dy = " + vi + ".Zero;");
            _w.OpenBlock("for (int r = 1; r < poolSize; r++)");
            _w.WriteLine("dy -= " + v + ".GreaterThanOrEqual(rel, " + v + ".Create(r * ow)); // −1 in each lane at or below row top + r");
            _w.CloseBlock();
            _w.WriteLine(v + ".StoreUnsafe(rel + (top * vWidth) + (dy * vShift), ref rs, (nuint)k);");
            _w.CloseBlock();
            _w.CloseBlock();
        }
    }

    /// <summary>
    /// gw[w0 + k · kw + kx] += lane kx of the Vector256 sum(k), for kernel rows k &lt; n and columns kx &lt; kw: whole vectors where
    /// the last row's ends within gw (every row's old values loaded before any is stored, and the lanes past the kernel's
    /// width keep the old values they read, so a row's store that spills into the rows after it writes back what was
    /// there, and those rows' own stores come later), else one column at a time.
    /// </summary>
    private void EmitAddKernelRows(int n, int lanes, System.Func<int, string> sum)
    {
        _w.OpenBlock("if (w0 + (" + (n - 1) + " * kw) + " + lanes + " <= gw.Length)");
        _w.WriteLine("var keep = " + V256 + ".LessThan(" + V256 + ".Create(" + string.Join(", ", Enumerable.Range(0, lanes).Select(i => Lit(i))) + "), " + V256 + ".Create((" + _t + ")kw)); // the kernel's columns");
        _w.WriteLine("ref " + _t + " rgw = ref " + UnsafeRef + ".Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(gw), w0);");
        for (int k = 0; k < n; k++)
        {
            _w.WriteLine("var old" + k + " = " + V256 + ".LoadUnsafe(ref rgw" + RowOffset(k) + ");");
        }

        for (int k = 0; k < n; k++)
        {
            _w.WriteLine(V256 + ".StoreUnsafe(" + V256 + ".ConditionalSelect(keep, old" + k + " + " + sum(k) + ", old" + k + "), ref rgw" + RowOffset(k) + ");");
        }

        _w.CloseBlock();
        _w.OpenBlock("else");
        _w.OpenBlock("for (int kx = 0; kx < kw; kx++)");
        for (int k = 0; k < n; k++)
        {
            _w.WriteLine("gw[w0 + " + (k == 0 ? string.Empty : k == 1 ? "kw + " : "(" + k + " * kw) + ") + "kx] += " + V256 + ".GetElement(" + sum(k) + ", kx);");
        }

        _w.CloseBlock();
        _w.CloseBlock();

        static string RowOffset(int k) => k == 0 ? string.Empty : k == 1 ? ", (nuint)kw" : ", (nuint)(" + k + " * kw)";
    }

    private static string PooledTile(int rows) => "PooledTile" + rows.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>gw[f, rows row…row + n − 1] from the winners of filter f's windows: n vector sums in registers.</summary>
    private void EmitPooledTile(int n, int lanes, string readOnlySpan, string span, string vector)
    {
        string t = _t;
        string Row(int k) => k == 0 ? "w0 + kx" : "w0 + " + (k == 1 ? "kw" : "(" + k + " * kw)") + " + kx";
        _w.WriteLine("/// <summary>gw[f, row" + (n > 1 ? "…row + " + (n - 1) : string.Empty) + "] (a row is a (c, ky) of the kernel) += Σₖ ds[k] · the patch row" + (n > 1 ? "s" : string.Empty) + " at starts[k] (ds already scaled): " + n + " vector sum" + (n > 1 ? "s" : string.Empty) + " in registers.</summary>");
        _w.OpenBlock("private static void " + PooledTile(n) + "(in Layout s, global::System.ReadOnlySpan<int> starts, " + readOnlySpan + " ds, " + readOnlySpan + " x, " + span + " gw, int f, int row)");
        _w.WriteLine("ds = ds.Slice(0, starts.Length); // the length check the unchecked reads below rely on");
        _w.WriteLine("int c = row / s.KernelHeight, ky = row - (c * s.KernelHeight); // kernel row row is (c, ky); the next ones follow without a division");
        for (int k = 0; k < n; k++)
        {
            _w.WriteLine("nuint r" + k + " = (nuint)s.Input(c, ky, 0); // where kernel row " + Add("row", k) + " starts in a patch");
            if (k < n - 1)
            {
                _w.WriteLine("(c, ky) = ky + 1 == s.KernelHeight ? (c + 1, 0) : (c, ky + 1);");
            }
        }

        _w.WriteLine("int kw = s.KernelWidth, w0 = s.Weight(f, 0, 0, 0) + (row * kw); // where kernel row row starts in gw");

        // With few rows, one sum per row would make each winner wait for the previous one's fused multiply-adds (a chain
        // of 4-cycle latencies): two sets of sums, for the even and the odd winners, added together at the end.
        bool twoSets = n <= PooledTwoSetRows;
        foreach (string set in twoSets ? new[] { "a", "b" } : new[] { "a" })
        {
            for (int k = 0; k < n; k++)
            {
                _w.WriteLine("var " + set + k + " = " + vector + ".Zero;");
            }
        }

        _w.WriteLine("int last = x.Length - " + lanes + " - (int)r" + (n - 1) + "; // the last start whose rows can all be read as whole vectors");
        _w.WriteLine("ref " + t + " rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);");
        _w.WriteLine("ref int rs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(starts);");
        _w.WriteLine("ref " + t + " rd = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(ds);");
        _w.WriteLine("int beyond = 0; // winners whose rows cannot all be read as whole vectors");
        _w.WriteLine("int k = 0;");
        if (twoSets)
        {
            _w.OpenBlock("for (; k + 1 < starts.Length; k += 2)");
            Winner("k", "a");
            Winner("k + 1", "b");
            _w.CloseBlock();
            _w.OpenBlock("if (k < starts.Length)");
            Winner("k", "a");
            _w.CloseBlock();
            for (int r = 0; r < n; r++)
            {
                _w.WriteLine("a" + r + " += b" + r + ";");
            }
        }
        else
        {
            _w.OpenBlock("for (; k < starts.Length; k++)");
            Winner("k", "a");
            _w.CloseBlock();
        }

        void Winner(string index, string set)
        {
            _w.OpenBlock();
            _w.WriteLine("int start = " + UnsafeRef + ".Add(ref rs, " + index + ");");
            _w.OpenBlock("if (start <= last)");
            _w.WriteLine("ref " + t + " patch = ref " + UnsafeRef + ".Add(ref rx, start);");
            _w.WriteLine("var vd = " + V256 + ".Create(" + UnsafeRef + ".Add(ref rd, " + index + "));");
            for (int r = 0; r < n; r++)
            {
                _w.WriteLine(set + r + " = " + V256 + ".FusedMultiplyAdd(vd, " + V256 + ".LoadUnsafe(ref patch, r" + r + "), " + set + r + ");");
            }

            _w.CloseBlock();
            _w.OpenBlock("else");
            _w.WriteLine("beyond++;");
            _w.CloseBlock();
            _w.CloseBlock();
        }

        // The sums go to gw a whole vector per row where the last row's vector ends within gw: every row's old values are
        // loaded before any is stored, and the lanes past the kernel's width keep the old values they read, so a row's
        // store that spills into the rows after it writes back what was there, and those rows' own stores come later.
        _w.WriteLine("// add the sums to gw: whole vectors (the lanes past the kernel's width keep the values they read, and every row is read before any is stored) where they end within gw, else one column at a time");
        EmitAddKernelRows(n, lanes, k => "a" + k);
        _w.WriteLine("// the winners whose last rows end within a vector of the end of x: the lanes past the kernel's width would read past it, so only the kernel's own columns, one at a time;");
        _w.WriteLine("// they are windows of the last rows, so the search runs from the end");
        _w.OpenBlock("for (k = starts.Length - 1; k >= 0 && beyond > 0; k--)");
        _w.WriteLine("int start = " + UnsafeRef + ".Add(ref rs, k);");
        _w.OpenBlock("if (start > last)");
        _w.WriteLine("beyond--;");
        _w.WriteLine(t + " d = " + UnsafeRef + ".Add(ref rd, k);");
        _w.OpenBlock("for (int kx = 0; kx < kw; kx++)");
        for (int k = 0; k < n; k++)
        {
            _w.WriteLine("gw[" + Row(k) + "] += d * x[start + (int)r" + k + " + kx];");
        }

        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
    }
}

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Codegen.Generator.Model;

namespace Codegen.Generator.Emit;

// The AVX-512 path of PooledWeightGradient for float convolutions followed by 2×2 max pooling with stride 2. The
// Vector256 tiles read each winner's patch again, one row load per kernel row, and those loads bound them. Here the
// input rows of a window are loaded once for all the filters: the winner of filter f lies dy rows and dx columns into
// its window (dy, dx ∈ {0, 1}), so kernel row u of its patch is input row u + dy from column dx, and one two-table
// permute (vpermt2ps) picks those columns out of rows u and u + 1 of the window, for two filters at once (filter f in
// the even lanes, f + 1 in the odd ones, each with its own offset 16·dy + dx in the index). A window costs one Vector512
// load per input row, then per pair of filters one permute and one multiply-add per kernel row.
internal sealed partial class NetworkEmitter
{
    /// <summary>Kernel rows per tile of the paired path: 2 pairs of filters keep 2 · 6 sums, with 7 input rows, in 32 registers.</summary>
    private const int PairedRows = 6;

    /// <summary>The float convolutions whose pooled weight gradient can take the paired path: pooling 2×2 with stride 2.</summary>
    private IEnumerable<Conv2DSpec> PairedConvolutions =>
        _plan.Numeric != Symbolic.NumericType.Float
            ? Enumerable.Empty<Conv2DSpec>()
            : Enumerable.Range(1, _plan.LayerCount)
                .Where(i => _plan.PooledGradient(i) is { } p && _plan.Layer(p.Pool) is Pool2DSpec { Size: 2, Stride: 2 })
                .Select(i => (Conv2DSpec)_plan.Layer(i));

    /// <summary>The tile heights the paired path needs: groups of up to <see cref="PairedRows"/> kernel rows of one channel.</summary>
    private int[] PairedTileRows() =>
        PairedConvolutions
            .SelectMany(c => new[] { System.Math.Min(PairedRows, c.KernelHeight), c.KernelHeight > PairedRows ? c.KernelHeight % PairedRows : 0 })
            .Where(n => n > 0)
            .Distinct()
            .OrderByDescending(n => n)
            .ToArray();

    /// <summary>
    /// Floats of the stack buffer that takes the end of x for the windows whose rows reach it: a tile reads its windows'
    /// rows as whole Vector512s, up to 16 floats past the start of the last, so it reads those windows from a copy of
    /// the rest of x with a zero end; its height times the padded input's width, and 32.
    /// </summary>
    private int PairedTailLength() =>
        PairedConvolutions.Select(c => (System.Math.Min(PairedRows, c.KernelHeight) * (c.Input.Width + (2 * c.Padding))) + 32).DefaultIfEmpty(0).Max();

    /// <summary>The test and the call at the top of PooledWeightGradient's vector path.</summary>
    private void EmitPairedDispatch(int tail)
    {
        _w.WriteLine("// AVX-512 and 2×2 windows with stride 2: each window's input rows loaded once for all filters (PairedWeightGradient)");
        _w.OpenBlock("if (global::System.Runtime.Intrinsics.X86.Avx512F.IsSupported && " + V512 + ".IsHardwareAccelerated && poolSize == 2 && poolStride == 2 && (global::System.Math.Min(" + PairedRows + ", kernelHeight) * width) + 32 <= " + S(tail) + ")");
        _w.WriteLine("PairedWeightGradient(g, arg, pooledY, x, gw, gb, in s, filters, pooled, pooledWidth, scale);");
        _w.WriteLine("return;");
        _w.CloseBlock();
        _w.WriteLine();
    }

    private void EmitPairedWeightGradient(int tail, int[] tiles)
    {
        string p2 = PooledChunk.ToString(CultureInfo.InvariantCulture);
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// PooledWeightGradient for 2×2 windows with stride 2 where AVX-512 is there. Filters go four at a time, as two pairs, and");
        _w.WriteLine("/// windows " + p2 + " at a time: PairedWinners writes for each pair and window the two winners' offsets in their window,");
        _w.WriteLine("/// 16·dy + dx, and their scaled, gated ∇, side by side; then tiles of up to " + PairedRows + " kernel rows of one channel go over the");
        _w.WriteLine("/// windows, loading each window's input rows once for the four filters (see " + PairedTile(tiles[0]) + ").");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("private static void PairedWeightGradient(global::System.ReadOnlySpan<float> g, global::System.ReadOnlySpan<int> arg, global::System.ReadOnlySpan<float> pooledY, global::System.ReadOnlySpan<float> x, global::System.Span<float> gw, global::System.Span<float> gb, in Layout s, int filters, int pooled, int pw, float scale)");
        _w.WriteLine("int plane = s.OutputHeight * s.OutputWidth, ow = s.OutputWidth;");
        _w.WriteLine("global::System.Span<int> offsets = stackalloc int[" + (4 * PooledChunk) + "]; // two pairs of filters × " + p2 + " windows × the pair's two winners: 16·dy + dx");
        _w.WriteLine("global::System.Span<float> ds = stackalloc float[" + (4 * PooledChunk) + "]; // and their scale · gated ∇, in the same places");
        _w.WriteLine("global::System.Span<float> tail = stackalloc float[" + S(tail) + "]; // the end of x, for the windows whose rows reach it");
        _w.OpenBlock("for (int f = 0; f < filters; f += 4)");
        _w.OpenBlock("for (int q0 = 0; q0 < pooled; q0 += " + p2 + ")");
        _w.WriteLine("int n = global::System.Math.Min(" + p2 + ", pooled - q0);");
        _w.OpenBlock("for (int h = 0; h < 4; h += 2)");
        _w.WriteLine("float first = PairedWinners(arg, g, pooledY, f + h, filters, plane, pooled, q0, n, ow, pw, scale, offsets.Slice(h * " + p2 + ", 2 * n), ds.Slice(h * " + p2 + ", 2 * n), out float second);");
        _w.OpenBlock("if (f + h < filters)");
        _w.WriteLine("gb[f + h] += scale * first;");
        _w.CloseBlock();
        _w.OpenBlock("if (f + h + 1 < filters)");
        _w.WriteLine("gb[f + h + 1] += scale * second;");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.OpenBlock("for (int c = 0; c < s.Channels; c++)");
        _w.OpenBlock("for (int u0 = 0; u0 < s.KernelHeight; u0 += " + PairedRows + ")");
        _w.OpenBlock("switch (global::System.Math.Min(" + PairedRows + ", s.KernelHeight - u0))");
        foreach (int n in tiles)
        {
            _w.WriteLine("case " + n + ":");
            _w.WriteLine("    " + PairedTile(n) + "(in s, offsets, ds, n, q0, pw, x, tail, gw, f, filters, c, u0);");
            _w.WriteLine("    break;");
        }

        _w.WriteLine("default:");
        _w.WriteLine("    throw new global::System.ArgumentOutOfRangeException(nameof(s), \"No paired weight-gradient tile for this many kernel rows.\");");
        for (int k = 0; k < 6; k++)
        {
            _w.CloseBlock();
        }

        _w.WriteLine();
        EmitPairedWinners();
        _w.WriteLine();
        foreach (int n in tiles)
        {
            EmitPairedTile(n);
        }
    }

    private static string PairedTile(int rows) => "PairedTile" + rows.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// For filters f and f + 1 (a filter past the last gets offset 0 and ∇ 0) and windows q0 … q0 + n − 1: each winner's
    /// offset 16·dy + dx in its window and its scaled ∇ (0 where ReLU′ is 0), the pair's two side by side; returns the
    /// sums of the gated ∇ of f and f + 1.
    /// </summary>
    private void EmitPairedWinners()
    {
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// For windows q0 … q0 + n − 1 of filters f and f + 1 (one past the last: offset 0 and ∇ 0): offsets[2k + h] = 16·dy + dx, where");
        _w.WriteLine("/// the winner of filter f + h lies in window q0 + k (dy rows and dx columns from its first position, 2·py·ow + 2·px), and");
        _w.WriteLine("/// ds[2k + h] = scale · its ∇, or 0 where pooledY ≤ 0 (pooledY empty: no ReLU). Returns Σ of filter f's gated ∇ (not scaled), and");
        _w.WriteLine("/// filter f + 1's in <paramref name=\"second\"/>. 16 windows at a time; a two-table permute puts the two filters' values side by side.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("private static float PairedWinners(global::System.ReadOnlySpan<int> arg, global::System.ReadOnlySpan<float> g, global::System.ReadOnlySpan<float> pooledY, int f, int filters, int plane, int pooled, int q0, int n, int ow, int pw, float scale, global::System.Span<int> offsets, global::System.Span<float> ds, out float second)");
        _w.WriteLine("offsets = offsets.Slice(0, 2 * n); // the length checks the unchecked stores below rely on");
        _w.WriteLine("ds = ds.Slice(0, 2 * n);");
        _w.WriteLine("second = 0f;");
        _w.OpenBlock("if (f >= filters)");
        _w.WriteLine("offsets.Clear();");
        _w.WriteLine("ds.Clear();");
        _w.WriteLine("return 0f;");
        _w.CloseBlock();
        _w.WriteLine("bool relu = !pooledY.IsEmpty, both = f + 1 < filters;");
        _w.WriteLine("arg = arg.Slice(f * pooled, ((both ? 2 : 1) * pooled)); // the windows of f (and f + 1)");
        _w.WriteLine("g = g.Slice(f * pooled, arg.Length);");
        _w.WriteLine("pooledY = relu ? pooledY.Slice(f * pooled, arg.Length) : pooledY;");
        _w.WriteLine("var sum0 = " + V512 + "<float>.Zero;");
        _w.WriteLine("var sum1 = " + V512 + "<float>.Zero;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("// py = ⌊(q + ½) / pw⌋ in float is exact while q < 2²¹ (see PooledWinners)");
        _w.OpenBlock("if (q0 + n < 1 << 21)");
        _w.WriteLine("ref int ra = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(arg);");
        References("g", "pooledY");
        _w.WriteLine("ref int roffsets = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(offsets);");
        References("ds");
        _w.WriteLine("var lane = " + V512 + ".Create(" + string.Join(", ", Enumerable.Range(0, 16)) + ");");
        _w.WriteLine("var low = " + V512 + ".Create(" + string.Join(", ", Enumerable.Range(0, 8).SelectMany(i => new[] { i, i + 16 })) + "); // windows 0…7 of the two, interleaved");
        _w.WriteLine("var high = " + V512 + ".Create(" + string.Join(", ", Enumerable.Range(8, 8).SelectMany(i => new[] { i, i + 16 })) + "); // windows 8…15");
        _w.WriteLine("var inverse = " + V512 + ".Create(1f / pw);");
        _w.WriteLine("var vPw = " + V512 + ".Create(pw);");
        _w.WriteLine("var vOw = " + V512 + ".Create(ow);");
        _w.WriteLine("var vScale = " + V512 + ".Create(scale);");
        _w.WriteLine("var lift = " + V512 + ".Create(ow - 16); // a winner in the window's second row: 16·1 + dx = rel − (ow − 16)");
        _w.OpenBlock("for (; k <= n - 16; k += 16)");
        _w.WriteLine("var q = " + V512 + ".Create(q0 + k) + lane; // the windows' indices in the plane");
        _w.WriteLine("var py = " + V512 + ".ConvertToInt32((" + V512 + ".ConvertToSingle(q) + " + V512 + ".Create(0.5f)) * inverse);");
        _w.WriteLine("var corner = ((py * vOw) + q - (py * vPw)) * " + V512 + ".Create(2); // 2·py·ow + 2·px, each window's first position in the plane");
        _w.WriteLine("var off0 = " + V512 + "<int>.Zero;");
        _w.WriteLine("var off1 = " + V512 + "<int>.Zero;");
        _w.WriteLine("var d0 = " + V512 + "<float>.Zero;");
        _w.WriteLine("var d1 = " + V512 + "<float>.Zero;");
        Filter("0", "(nuint)(q0 + k)", "f * plane");
        _w.OpenBlock("if (both)");
        Filter("1", "(nuint)(pooled + q0 + k)", "(f + 1) * plane");
        _w.CloseBlock();
        _w.WriteLine(V512 + ".StoreUnsafe(global::System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(off0, low, off1), ref roffsets, (nuint)(2 * k));");
        _w.WriteLine(V512 + ".StoreUnsafe(global::System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(off0, high, off1), ref roffsets, (nuint)((2 * k) + 16));");
        _w.WriteLine(V512 + ".StoreUnsafe(global::System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(d0, low, d1), ref rds, (nuint)(2 * k));");
        _w.WriteLine(V512 + ".StoreUnsafe(global::System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(d0, high, d1), ref rds, (nuint)((2 * k) + 16));");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine("float first = " + V512 + ".Sum(sum0);");
        _w.WriteLine("second = " + V512 + ".Sum(sum1);");
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine("int q = q0 + k, py = q / pw, corner = 2 * ((py * ow) + q - (py * pw));");
        _w.OpenBlock("for (int h = 0; h < (both ? 2 : 1); h++)");
        _w.WriteLine("int o = (h * pooled) + q, rel = arg[o] - ((f + h) * plane) - corner;");
        _w.WriteLine("float gate = relu && !(pooledY[o] > 0f) ? 0f : g[o];");
        _w.WriteLine("offsets[(2 * k) + h] = rel >= ow ? rel - (ow - 16) : rel;");
        _w.WriteLine("ds[(2 * k) + h] = scale * gate;");
        _w.OpenBlock("if (h == 0)");
        _w.WriteLine("first += gate;");
        _w.CloseBlock();
        _w.OpenBlock("else");
        _w.WriteLine("second += gate;");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.OpenBlock("if (!both)");
        _w.WriteLine("offsets[(2 * k) + 1] = 0;");
        _w.WriteLine("ds[(2 * k) + 1] = 0f;");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine("return first;");
        _w.CloseBlock();

        // One filter's 16 windows: its winners' offsets (rel = (oy − 2·py) · ow + ox − 2·px, a second-row winner lifted to
        // 16 + dx), gated ∇ and their sum.
        void Filter(string h, string at, string plane)
        {
            _w.WriteLine("var rel" + h + " = " + V512 + ".LoadUnsafe(ref ra, " + at + ") - " + V512 + ".Create(" + plane + ") - corner; // dy · ow + dx");
            _w.WriteLine("off" + h + " = rel" + h + " - (" + V512 + ".GreaterThanOrEqual(rel" + h + ", vOw) & lift);");
            _w.WriteLine("var gate" + h + " = " + V512 + ".LoadUnsafe(ref rg, " + at + ");");
            _w.OpenBlock("if (relu)");
            _w.WriteLine("gate" + h + " = " + V512 + ".ConditionalSelect(" + V512 + ".GreaterThan(" + V512 + ".LoadUnsafe(ref rpooledY, " + at + "), " + V512 + "<float>.Zero), gate" + h + ", " + V512 + "<float>.Zero); // ReLU′ at the winner, without a branch");
            _w.CloseBlock();
            _w.WriteLine("sum" + h + " += gate" + h + ";");
            _w.WriteLine("d" + h + " = vScale * gate" + h + ";");
        }
    }

    /// <summary>
    /// Kernel rows u0 … u0 + n − 1 of channel c for filters f … f + 3 (two pairs): 2·n Vector512 sums over the windows,
    /// each window's n + 1 input rows loaded once.
    /// </summary>
    private void EmitPairedTile(int n)
    {
        string p2 = PooledChunk.ToString(CultureInfo.InvariantCulture);
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// gw[f … f + 3, c, u0 …" + (n > 1 ? " u0 + " + (n - 1) : " u0") + ", ·] += Σ over windows q0 … q0 + n − 1 of each filter's ∇ times its winner's patch. Per window: its " + (n + 1) + " input");
        _w.WriteLine("/// rows from column 2·px as Vector512s, then for each pair of filters, kernel row u = one two-table permute of rows u and u + 1");
        _w.WriteLine("/// at index 16·dy + dx + column (filter f in the even lanes, f + 1 in the odd ones) times the pair's ∇, added to that row's sum.");
        _w.WriteLine("/// The windows whose rows reach the end of x read a copy of it with a zero end, so every row can be read whole.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("private static void " + PairedTile(n) + "(in Layout s, global::System.ReadOnlySpan<int> offsets, global::System.ReadOnlySpan<float> ds, int n, int q0, int pw, global::System.ReadOnlySpan<float> x, global::System.Span<float> tail, global::System.Span<float> gw, int f, int filters, int c, int u0)");
        _w.WriteLine("offsets = offsets.Slice(0, " + (4 * PooledChunk) + "); // the length checks the unchecked reads below rely on");
        _w.WriteLine("ds = ds.Slice(0, " + (4 * PooledChunk) + ");");
        _w.WriteLine("n = global::System.Math.Min(n, " + p2 + ");");
        _w.WriteLine("int last = x.Length - 16 - (" + n + " * s.Width); // the last window start whose rows can all be read as whole Vector512s");
        References("x");
        _w.WriteLine("ref long roffsets = ref " + UnsafeRef + ".As<int, long>(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(offsets)); // a pair's two offsets as one 64-bit value");
        _w.WriteLine("ref long rds = ref " + UnsafeRef + ".As<float, long>(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(ds));");
        _w.WriteLine("// the end of x from just past the last start whose rows can be read whole, with a zero end, for the windows after it (copied first: no call while the sums are live)");
        _w.WriteLine("int from = global::System.Math.Max(0, last + 1);");
        _w.WriteLine("x.Slice(from).CopyTo(tail);");
        _w.WriteLine("tail.Slice(x.Length - from).Clear();");
        _w.WriteLine("ref float rtail = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(tail);");
        _w.WriteLine("// declared after the copy, so that no call comes between them and the loops, which keeps them in registers");
        _w.WriteLine("nint stride = s.Width; // from one input row to the next");
        _w.WriteLine("var column = " + V512 + ".Create(" + string.Join(", ", Enumerable.Range(0, 8).SelectMany(i => new[] { i, i })) + "); // each lane's kernel column");
        foreach (string set in new[] { "a", "b" })
        {
            for (int r = 0; r < n; r++)
            {
                _w.WriteLine("var " + set + r + " = " + V512 + "<float>.Zero;");
            }
        }

        _w.WriteLine("int py = q0 / pw, px = q0 - (py * pw), k = 0;");
        _w.WriteLine("// pooled row by pooled row, while the windows' rows can be read whole from x");
        _w.OpenBlock("while (k < n)");
        _w.WriteLine("int start = s.Input(c, (2 * py) + u0, 2 * px); // where the window's first input row starts in x");
        _w.OpenBlock("if (start > last)");
        _w.WriteLine("break;");
        _w.CloseBlock();
        _w.WriteLine("int run = global::System.Math.Min(n - k, pw - px), fit = global::System.Math.Min(run, ((last - start) >> 1) + 1); // windows left in this row, and those of them that can be read whole");
        _w.WriteLine("ref float window = ref " + UnsafeRef + ".Add(ref rx, start);");
        _w.WriteLine("ref long offset = ref " + UnsafeRef + ".Add(ref roffsets, k); // the pairs' offsets and ∇ of window k, the second pair's " + p2 + " further");
        _w.WriteLine("ref long d = ref " + UnsafeRef + ".Add(ref rds, k);");
        _w.WriteLine("// few values live across the loop (the window, the two references, the count, the stride), so that none is reloaded from the stack");
        _w.OpenBlock("for (int left = fit; left > 0; left--)");
        Window();
        _w.WriteLine("window = ref " + UnsafeRef + ".Add(ref window, 2);");
        _w.WriteLine("offset = ref " + UnsafeRef + ".Add(ref offset, 1);");
        _w.WriteLine("d = ref " + UnsafeRef + ".Add(ref d, 1);");
        _w.CloseBlock();
        _w.WriteLine("k += fit;");
        _w.OpenBlock("if (fit < run)");
        _w.WriteLine("px += fit;");
        _w.WriteLine("break;");
        _w.CloseBlock();
        _w.WriteLine("(py, px) = (py + 1, 0);");
        _w.CloseBlock();
        _w.WriteLine("// the windows left reach the end of x: they read the copy in tail");
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine("ref float window = ref " + UnsafeRef + ".Add(ref rtail, s.Input(c, (2 * py) + u0, 2 * px) - from);");
        _w.WriteLine("ref long offset = ref " + UnsafeRef + ".Add(ref roffsets, k);");
        _w.WriteLine("ref long d = ref " + UnsafeRef + ".Add(ref rds, k);");
        Window();
        _w.OpenBlock("if (++px == pw)");
        _w.WriteLine("(py, px) = (py + 1, 0);");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine("// each sum holds filter f's (or f + 2's) columns in its even lanes and f + 1's (f + 3's) in its odd ones; no call while they are live, so the JIT keeps them in registers");
        _w.WriteLine("var split = " + V512 + ".Create(" + string.Join(", ", Enumerable.Range(0, 8).Select(i => 2 * i).Concat(Enumerable.Range(0, 8).Select(i => (2 * i) + 1))) + ");");
        _w.WriteLine("int kw = s.KernelWidth;");
        Sums("a", "f");
        Sums("b", "f + 2");
        _w.CloseBlock();
        _w.WriteLine();

        // One window (its first input row at window, its pairs' offsets and ∇ at offset and d): its n + 1 rows, each a
        // width further, then each pair's offsets and ∇ broadcast from one 64-bit value and a permute and a multiply-add
        // per kernel row.
        void Window()
        {
            _w.WriteLine("ref float row = ref window;");
            for (int r = 0; r <= n; r++)
            {
                if (r > 0)
                {
                    _w.WriteLine("row = ref " + UnsafeRef + ".Add(ref row, stride);");
                }

                _w.WriteLine("var x" + r + " = " + V512 + ".LoadUnsafe(ref row);");
            }

            foreach (var (set, at) in new[] { ("a", 0), ("b", PooledChunk) })
            {
                _w.WriteLine("var i" + set + " = " + V512 + ".AsInt32(" + V512 + ".Create(" + (at == 0 ? "offset" : UnsafeRef + ".Add(ref offset, " + p2 + ")") + ")) + column;");
                _w.WriteLine("var d" + set + " = " + V512 + ".AsSingle(" + V512 + ".Create(" + (at == 0 ? "d" : UnsafeRef + ".Add(ref d, " + p2 + ")") + "));");
                for (int r = 0; r < n; r++)
                {
                    _w.WriteLine(set + r + " = " + V512 + ".FusedMultiplyAdd(d" + set + ", global::System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(x" + r + ", i" + set + ", x" + (r + 1) + "), " + set + r + ");");
                }
            }
        }

        // gw += one pair's sums: the even lanes of each for filter first, the odd ones for first + 1 (left out past the last
        // filter), a kernel row each (see EmitAddKernelRows).
        void Sums(string set, string first)
        {
            for (int r = 0; r < n; r++)
            {
                _w.WriteLine("var " + set + "s" + r + " = global::System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32(" + set + r + ", split);");
            }

            _w.OpenBlock("for (int h = 0; h < 2 && " + first + " + h < filters; h++)");
            _w.WriteLine("int w0 = s.Weight(" + first + " + h, c, u0, 0);");
            for (int r = 0; r < n; r++)
            {
                _w.WriteLine("var v" + r + " = h == 0 ? " + V512 + ".GetLower(" + set + "s" + r + ") : " + V512 + ".GetUpper(" + set + "s" + r + ");");
            }

            EmitAddKernelRows(n, 8, r => "v" + r);
            _w.CloseBlock();
        }
    }
}

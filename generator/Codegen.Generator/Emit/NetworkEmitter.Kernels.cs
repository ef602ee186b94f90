using System.Linq;
using Codegen.Generator.Helpers;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// The fused TrainStep, and the kernels the generated code calls for long rows, written once per generated file as
// file-local classes so the generated methods stay readable: one call per pattern, not a wall of intrinsics.
// CodegenKernels: Dot and AddScaled (Dense rows, Step), Dense4 (four Dense rows per call), TransposedProduct (Wᵀ∇ of a
// Dense layer in one pass over ∂ℓ/∂x), Scale (the fused step's
// −η∇) and, for batched networks, Dense3x4, Dense2x4, AddOuterBatch and AddColumnSums. CodegenMath: the float tanh. Each kernel uses
// Vector512 and then Vector256 where the machine accelerates them (ForEachWidth), with independent accumulators, and
// scalar code for the remainder and elsewhere.
internal sealed partial class NetworkEmitter
{
    /// <summary>Whether the kernels are called: by a Dense layer too wide to unroll, or Step.</summary>
    private bool UsesKernels => _plan.Spec.Layers.OfType<DenseSpec>().Any(d => !UnrollInner(d.Inputs)) || StepUsesKernel;

    private bool StepUsesKernel => _plan.HasLoss && _plan.ParameterCount > UnrollLimit;

    private void EmitKernels()
    {
        string t = _t;
        _w.WriteLine();
        _w.WriteLine("/// <summary>Vector kernels for the long rows of this file's network (Vector512, then Vector256, where accelerated, with independent accumulators; scalar code for the rest).</summary>");
        _w.OpenBlock("file static class CodegenKernels");
        _w.WriteLine("/// <summary>Σₖ a[k]·b[k] over the length of <paramref name=\"a\"/> (b is at least as long).</summary>");
        _w.OpenBlock("public static " + t + " Dot(global::System.ReadOnlySpan<" + t + "> a, global::System.ReadOnlySpan<" + t + "> b)");
        _w.WriteLine("int n = a.Length;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine(t + " sum = 0;");
        _w.WriteLine("ref " + t + " ra = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(a);");
        _w.WriteLine("ref " + t + " rb = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(b.Slice(0, n));");
        ForEachWidth("n - k", (v, lanes) =>
        {
            _w.WriteLine("var s0 = " + v + "<" + t + ">.Zero;");
            _w.WriteLine("var s1 = s0;");
            _w.WriteLine("var s2 = s0;");
            _w.WriteLine("var s3 = s0;");
            _w.OpenBlock("for (; k <= n - (4 * " + lanes + "); k += 4 * " + lanes + ")");
            for (int u = 0; u < 4; u++)
            {
                string offset = u == 0 ? "k" : "k + " + (u == 1 ? lanes : u + " * " + lanes);
                _w.WriteLine("s" + u + " = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref ra, (nuint)(" + offset + ")), " + v + ".LoadUnsafe(ref rb, (nuint)(" + offset + ")), s" + u + ");");
            }

            _w.CloseBlock();
            _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
            _w.WriteLine("s0 = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref ra, (nuint)k), " + v + ".LoadUnsafe(ref rb, (nuint)k), s0);");
            _w.CloseBlock();
            _w.WriteLine("sum += " + v + ".Sum((s0 + s1) + (s2 + s3));");
        });
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine("sum += a[k] * b[k];");
        _w.CloseBlock();
        _w.WriteLine("return sum;");
        _w.CloseBlock();
        _w.WriteLine();
        _w.WriteLine("/// <summary>destination[k] += scale·source[k] over the length of <paramref name=\"destination\"/> (source is at least as long).</summary>");
        _w.OpenBlock("public static void AddScaled(global::System.Span<" + t + "> destination, global::System.ReadOnlySpan<" + t + "> source, " + t + " scale)");
        _w.WriteLine("int n = destination.Length;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("ref " + t + " rd = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);");
        _w.WriteLine("ref " + t + " rs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(source.Slice(0, n));");
        ForEachWidth("n - k", (v, lanes) =>
        {
            _w.WriteLine("var factor = " + v + ".Create(scale);");
            _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
            _w.WriteLine("var d = " + v + ".LoadUnsafe(ref rd, (nuint)k);");
            _w.WriteLine(v + ".StoreUnsafe(" + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref rs, (nuint)k), factor, d), ref rd, (nuint)k);");
            _w.CloseBlock();
        });
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine("destination[k] += scale * source[k];");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
        _w.WriteLine("/// <summary>values[k] *= factor over the length of <paramref name=\"values\"/>.</summary>");
        _w.OpenBlock("public static void Scale(global::System.Span<" + t + "> values, " + t + " factor)");
        _w.WriteLine("int n = values.Length;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("ref " + t + " rv = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(values);");
        ForEachWidth("n - k", (v, lanes) =>
        {
            _w.WriteLine("var f = " + v + ".Create(factor);");
            _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
            _w.WriteLine(v + ".StoreUnsafe(" + v + ".LoadUnsafe(ref rv, (nuint)k) * f, ref rv, (nuint)k);");
            _w.CloseBlock();
        });
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine("values[k] *= factor;");
        _w.CloseBlock();
        _w.CloseBlock();
        if (_plan.Spec.Layers.OfType<DenseSpec>().Any(d => !UnrollInner(d.Inputs) && d.Units >= 4))
        {
            EmitDense4(t);
        }

        if (Enumerable.Range(1, _plan.LayerCount).Any(i => UsesTransposedProduct(i) || UsesTransposedProductBatch(i)))
        {
            EmitTransposedProduct(t);
        }

        if (Enumerable.Range(1, _plan.LayerCount).Any(UsesDenseBackward))
        {
            EmitDenseBackward(t);
        }

        if (_plan.Batched && _plan.Spec.Layers.OfType<DenseSpec>().Any(DenseHasBatchCode))
        {
            EmitBatchKernels(t);
        }

        _w.CloseBlock();
    }

    /// <summary>
    /// Writes the vector part of a kernel once per width, widest first: <c>if (Vector512.IsHardwareAccelerated &amp;&amp;
    /// left ≥ lanes) { body }</c>, then the same for Vector256 on what is left. The body advances the kernel's index, so
    /// Vector256 takes what Vector512 left (or everything, where only Vector256 is accelerated) and the scalar code after
    /// it the rest. An element the kernel computes on its own (not a sum across elements) gets the same operations, and
    /// so the same bits, whichever width handles it.
    /// </summary>
    private void ForEachWidth(string left, System.Action<string, string> body)
    {
        bool single = _plan.Numeric == NumericType.Float;
        foreach (var (v, lanes) in new[] { (V512, single ? "16" : "8"), (V256, single ? "8" : "4") })
        {
            _w.OpenBlock("if (" + v + ".IsHardwareAccelerated && " + left + " >= " + lanes + ")");
            body(v, lanes);
            _w.CloseBlock();
        }
    }

    // The vector types the generated code uses, by width.
    private const string V512 = "global::System.Runtime.Intrinsics.Vector512";

    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";

    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";

    /// <summary>
    /// Whether layer i's ∂ℓ/∂x⁽ⁱ⁾ = W⁽ⁱ⁾ᵀ ∇⁽ⁱ⁾ runs through <c>TransposedProduct</c>: a long Dense row whose ∇ has no zeros
    /// to skip (see <see cref="NetworkPlan.GradientHasZeros"/>), and a backward block that computes it.
    /// </summary>
    private bool UsesTransposedProduct(int i) =>
        _plan.HasLoss && _plan.Layer(i) is DenseSpec d && !UnrollInner(d.Inputs) && !_plan.GradientHasZeros(i) && _plan.HasGradientBuffer(i);

    /// <summary>
    /// Whether BackPropagate runs layer i's whole backward pass through <c>DenseBackward</c>: a layer whose ∂ℓ/∂x⁽ⁱ⁾ goes
    /// through TransposedProduct and is always computed (a layer before i has parameters), so ∂ℓ/∂W⁽ⁱ⁾ can ride on the
    /// same pass over W⁽ⁱ⁾. The fused train step keeps its own order (∂ℓ/∂x⁽ⁱ⁾, then the update).
    /// </summary>
    private bool UsesDenseBackward(int i) => UsesTransposedProduct(i) && _plan.HasParametersBefore(i);

    /// <summary>Whether the batch code of layer i computes ∂ℓ/∂x⁽ⁱ⁾[b] = W⁽ⁱ⁾ᵀ ∇⁽ⁱ⁾[b] sample by sample through <c>TransposedProduct</c>.</summary>
    private bool UsesTransposedProductBatch(int i) =>
        _plan.Batched && _plan.HasLoss && _plan.Layer(i) is DenseSpec d && DenseHasBatchCode(d) && _plan.HasGradientBuffer(i);

    /// <summary>
    /// gx[k] = Σⱼ g[j]·w[j·n + k]: two vectors of gx at a time keep their sums in registers over every row j, so gx is
    /// written once instead of once per row. The sums run over j in the same order, with the same fused multiply-adds,
    /// as adding the rows one by one with AddScaled.
    /// </summary>
    private void EmitTransposedProduct(string t)
    {
        string ro = "global::System.ReadOnlySpan<" + t + ">";
        _w.WriteLine();
        _w.WriteLine("/// <summary>gx[k] = Σⱼ g[j]·w[j·n + k] for every k, n = gx.Length: the product Wᵀg, each vector of gx summed in a register over the rows of W.</summary>");
        _w.OpenBlock("public static void TransposedProduct(" + ro + " w, " + ro + " g, global::System.Span<" + t + "> gx)");
        _w.WriteLine("int n = gx.Length, rows = g.Length;");
        _w.WriteLine("w = w.Slice(0, rows * n); // the length check that the unchecked loads rely on");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("ref " + t + " rw = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(w);");
        _w.WriteLine("ref " + t + " rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(gx);");
        ForEachWidth("n - k", (v, lanes) =>
        {
            _w.OpenBlock("for (; k <= n - 2 * " + lanes + "; k += 2 * " + lanes + ")");
            _w.WriteLine("var a0 = " + v + "<" + t + ">.Zero;");
            _w.WriteLine("var a1 = a0;");
            _w.OpenBlock("for (int j = 0; j < rows; j++)");
            _w.WriteLine("var d = " + v + ".Create(g[j]);");
            _w.WriteLine("a0 = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref rw, (nuint)((j * n) + k)), d, a0);");
            _w.WriteLine("a1 = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref rw, (nuint)((j * n) + k + " + lanes + ")), d, a1);");
            _w.CloseBlock();
            _w.WriteLine(v + ".StoreUnsafe(a0, ref rx, (nuint)k);");
            _w.WriteLine(v + ".StoreUnsafe(a1, ref rx, (nuint)(k + " + lanes + "));");
            _w.CloseBlock();
            _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
            _w.WriteLine("var a0 = " + v + "<" + t + ">.Zero;");
            _w.OpenBlock("for (int j = 0; j < rows; j++)");
            _w.WriteLine("a0 = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref rw, (nuint)((j * n) + k)), " + v + ".Create(g[j]), a0);");
            _w.CloseBlock();
            _w.WriteLine(v + ".StoreUnsafe(a0, ref rx, (nuint)k);");
            _w.CloseBlock();
        });
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine(t + " sum = 0;");
        _w.OpenBlock("for (int j = 0; j < rows; j++)");
        _w.WriteLine("sum += g[j] * w[(j * n) + k];");
        _w.CloseBlock();
        _w.WriteLine("gx[k] = sum;");
        _w.CloseBlock();
        _w.CloseBlock();
    }

    /// <summary>
    /// gx = Wᵀg and gw += g xᵀ in one pass over W: each pair of vectors of x stays in registers over the rows, each
    /// element of W is read once for gx and its gradient updated next to it. The sums are TransposedProduct's and the
    /// updates AddScaled's, in the same order with the same fused multiply-adds, so the bits are those of the two calls.
    /// </summary>
    private void EmitDenseBackward(string t)
    {
        string ro = "global::System.ReadOnlySpan<" + t + ">";
        _w.WriteLine();
        _w.WriteLine("/// <summary>gx[k] = Σⱼ g[j]·w[j·n + k] and gw[j·n + k] += g[j]·x[k] for every row j and k &lt; n = gx.Length: a Dense layer's backward pass, one read of W.</summary>");
        _w.OpenBlock("public static void DenseBackward(" + ro + " w, global::System.Span<" + t + "> gw, " + ro + " x, " + ro + " g, global::System.Span<" + t + "> gx)");
        _w.WriteLine("int n = gx.Length, rows = g.Length;");
        _w.WriteLine("w = w.Slice(0, rows * n); // the length checks that the unchecked loads and stores rely on");
        _w.WriteLine("gw = gw.Slice(0, rows * n);");
        _w.WriteLine("x = x.Slice(0, n);");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("ref " + t + " rw = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(w);");
        _w.WriteLine("ref " + t + " rgw = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(gw);");
        _w.WriteLine("ref " + t + " rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);");
        _w.WriteLine("ref " + t + " rgx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(gx);");
        ForEachWidth("n - k", (v, lanes) =>
        {
            foreach (int vectors in new[] { 2, 1 })
            {
                string width = vectors == 2 ? "2 * " + lanes : lanes;
                _w.OpenBlock("for (; k <= n - " + width + "; k += " + width + ")");
                for (int u = 0; u < vectors; u++)
                {
                    _w.WriteLine("var x" + u + " = " + v + ".LoadUnsafe(ref rx, (nuint)" + (u == 0 ? "k" : "(k + " + lanes + ")") + ");");
                    _w.WriteLine("var a" + u + " = " + v + "<" + t + ">.Zero;");
                }

                _w.OpenBlock("for (int j = 0; j < rows; j++)");
                _w.WriteLine("var d = " + v + ".Create(g[j]);");
                _w.WriteLine("nuint o = (nuint)((j * n) + k);");
                for (int u = 0; u < vectors; u++)
                {
                    string at = u == 0 ? "o" : "o + " + lanes;
                    _w.WriteLine("a" + u + " = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref rw, " + at + "), d, a" + u + ");");
                    _w.WriteLine(v + ".StoreUnsafe(" + v + ".FusedMultiplyAdd(x" + u + ", d, " + v + ".LoadUnsafe(ref rgw, " + at + ")), ref rgw, " + at + ");");
                }

                _w.CloseBlock();
                for (int u = 0; u < vectors; u++)
                {
                    _w.WriteLine(v + ".StoreUnsafe(a" + u + ", ref rgx, (nuint)" + (u == 0 ? "k" : "(k + " + lanes + ")") + ");");
                }

                _w.CloseBlock();
            }
        });
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine(t + " sum = 0;");
        _w.OpenBlock("for (int j = 0; j < rows; j++)");
        _w.WriteLine("sum += g[j] * w[(j * n) + k];");
        _w.WriteLine("gw[(j * n) + k] += g[j] * x[k];");
        _w.CloseBlock();
        _w.WriteLine("gx[k] = sum;");
        _w.CloseBlock();
        _w.CloseBlock();
    }

    /// <summary>
    /// y[r] = bias[r] + Σₖ rows[r·n + k]·x[k] for four rows: each vector of x is loaded once for four FMAs into four
    /// independent accumulators (five loads for four FMAs, where a row at a time needs two loads per FMA).
    /// </summary>
    private void EmitDense4(string t)
    {
        string ro = "global::System.ReadOnlySpan<" + t + ">";
        _w.WriteLine();
        _w.WriteLine("/// <summary>y[r] = bias[r] + Σₖ rows[r·n + k]·x[k] for the four rows r of <paramref name=\"rows\"/>, n = x.Length: four dot products that read x once.</summary>");
        _w.OpenBlock("public static void Dense4(" + ro + " rows, " + ro + " x, " + ro + " bias, global::System.Span<" + t + "> y)");
        _w.WriteLine("int n = x.Length;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine(t + " s0 = 0, s1 = 0, s2 = 0, s3 = 0;");
        _w.WriteLine("ref " + t + " rw = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(rows.Slice(0, 4 * n));");
        _w.WriteLine("ref " + t + " rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);");
        ForEachWidth("n - k", (v, lanes) =>
        {
            _w.WriteLine("var a0 = " + v + "<" + t + ">.Zero;");
            _w.WriteLine("var a1 = a0;");
            _w.WriteLine("var a2 = a0;");
            _w.WriteLine("var a3 = a0;");
            _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
            _w.WriteLine("var v = " + v + ".LoadUnsafe(ref rx, (nuint)k);");
            for (int r = 0; r < 4; r++)
            {
                _w.WriteLine("a" + r + " = " + v + ".FusedMultiplyAdd(" + v + ".LoadUnsafe(ref rw, (nuint)(" + (r == 0 ? string.Empty : r == 1 ? "n + " : S(r) + " * n + ") + "k)), v, a" + r + ");");
            }

            _w.CloseBlock();
            for (int r = 0; r < 4; r++)
            {
                _w.WriteLine("s" + r + " += " + v + ".Sum(a" + r + ");");
            }
        });
        _w.OpenBlock("for (; k < n; k++)");
        for (int r = 0; r < 4; r++)
        {
            _w.WriteLine("s" + r + " += rows[" + (r == 0 ? string.Empty : r == 1 ? "n + " : S(r) + " * n + ") + "k] * x[k];");
        }

        _w.CloseBlock();
        for (int r = 0; r < 4; r++)
        {
            _w.WriteLine("y[" + r + "] = bias[" + r + "] + s" + r + ";");
        }

        _w.CloseBlock();
    }

    /// <summary>
    /// Dense{rows}x4: y[s·stride + r] for <paramref name="rows"/> rows of W by four samples, each vector of the rows and of
    /// the samples loaded once for rows × 4 FMAs into as many independent accumulators (three rows: 7 loads for 12 FMAs;
    /// two rows: 6 for 8). Every output is the same dot product, in the same order, as Dense4 computes, whatever the tile,
    /// so the tile height changes no bits.
    /// </summary>
    private void EmitDenseRows(string t, int rows)
    {
        string Offset(int index) => index == 0 ? string.Empty : index == 1 ? "n + " : S(index) + " * n + ";
        string ro = "global::System.ReadOnlySpan<" + t + ">";
        string name = "Dense" + S(rows) + "x4";
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// y[s·stride + r] = bias[r] + Σₖ rows[r·n + k]·xs[s·n + k] for the " + S(rows) + " rows r of <paramref name=\"rows\"/> and the four samples s of");
        _w.WriteLine("/// <paramref name=\"xs\"/>, n = xs.Length / 4: " + S(rows * 4) + " dot products that read each row and each sample once.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void " + name + "(" + ro + " rows, " + ro + " xs, " + ro + " bias, global::System.Span<" + t + "> y, int stride)");
        _w.WriteLine("int n = xs.Length / 4;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("global::System.Span<" + t + "> s = stackalloc " + t + "[" + S(rows * 4) + "]; // s[r·4 + sample], zeroed");
        _w.WriteLine("ref " + t + " rw = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(rows.Slice(0, " + S(rows) + " * n));");
        _w.WriteLine("ref " + t + " rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(xs);");
        ForEachWidth("n - k", (v, lanes) =>
        {
            string Load(string r, string offset) => v + ".LoadUnsafe(ref " + r + ", (nuint)(" + offset + "k))";
            _w.WriteLine("var a00 = " + v + "<" + t + ">.Zero;");
            for (int r = 0; r < rows; r++)
            {
                for (int sample = r == 0 ? 1 : 0; sample < 4; sample++)
                {
                    _w.WriteLine("var a" + S(r) + S(sample) + " = a00;");
                }
            }

            _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
            for (int r = 0; r < rows; r++)
            {
                _w.WriteLine("var w" + S(r) + " = " + Load("rw", Offset(r)) + ";");
            }

            for (int sample = 0; sample < 4; sample++)
            {
                _w.WriteLine((sample == 0 ? "var " : string.Empty) + "v = " + Load("rx", Offset(sample)) + ";");
                for (int r = 0; r < rows; r++)
                {
                    _w.WriteLine("a" + S(r) + S(sample) + " = " + v + ".FusedMultiplyAdd(w" + S(r) + ", v, a" + S(r) + S(sample) + ");");
                }
            }

            _w.CloseBlock();
            for (int r = 0; r < rows; r++)
            {
                for (int sample = 0; sample < 4; sample++)
                {
                    _w.WriteLine("s[" + S((r * 4) + sample) + "] += " + v + ".Sum(a" + S(r) + S(sample) + ");");
                }
            }
        });
        _w.OpenBlock("for (; k < n; k++)");
        for (int r = 0; r < rows; r++)
        {
            for (int sample = 0; sample < 4; sample++)
            {
                _w.WriteLine("s[" + S((r * 4) + sample) + "] += rows[" + Offset(r) + "k] * xs[" + Offset(sample) + "k];");
            }
        }

        _w.CloseBlock();
        _w.OpenBlock("for (int sample = 0; sample < 4; sample++)");
        for (int r = 0; r < rows; r++)
        {
            _w.WriteLine("y[(sample * stride)" + (r == 0 ? string.Empty : " + " + S(r)) + "] = bias[" + S(r) + "] + s[" + (r == 0 ? string.Empty : S(r * 4) + " + ") + "sample];");
        }

        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
    }

    /// <summary>
    /// The kernels of the batched Dense code. Dense3x4 and Dense2x4, the forward, are blocked three (or, for the rows
    /// left, two) rows of W by four samples (see EmitDenseRows). AddOuterBatch, the weight gradient, is a matrix product
    /// with register tiles of four rows by three vectors summed over the batch; AddColumnSums sums the bias gradient.
    /// </summary>
    private void EmitBatchKernels(string t)
    {
        string ro = "global::System.ReadOnlySpan<" + t + ">";
        _w.WriteLine();
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// sums[j] += Σ_b g[b·sums.Length + j] over the first <paramref name=\"batch\"/> samples b: a Dense layer's bias gradient for a batch. Each");
        _w.WriteLine("/// lane sums its column over the samples in order, as the scalar loop does, a vector of columns at a time.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void AddColumnSums(global::System.Span<" + t + "> sums, " + ro + " g, int batch)");
        _w.WriteLine("int units = sums.Length;");
        _w.WriteLine("g = g.Slice(0, batch * units); // the length check that the unchecked reads below rely on");
        _w.WriteLine("int j = 0;");
        _w.WriteLine("ref " + t + " rg = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(g);");
        _w.WriteLine("ref " + t + " rs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(sums);");
        ForEachWidth("units - j", (v, lanes) =>
        {
            _w.OpenBlock("for (; j <= units - " + lanes + "; j += " + lanes + ")");
            _w.WriteLine("var sum = " + v + "<" + t + ">.Zero;");
            _w.OpenBlock("for (int b = 0; b < batch; b++)");
            _w.WriteLine("sum += " + v + ".LoadUnsafe(ref rg, (nuint)((b * units) + j));");
            _w.CloseBlock();
            _w.WriteLine(v + ".StoreUnsafe(" + v + ".LoadUnsafe(ref rs, (nuint)j) + sum, ref rs, (nuint)j);");
            _w.CloseBlock();
        });
        _w.OpenBlock("for (; j < units; j++)");
        _w.WriteLine(t + " sum = 0;");
        _w.OpenBlock("for (int b = 0; b < batch; b++)");
        _w.WriteLine("sum += g[(b * units) + j];");
        _w.CloseBlock();
        _w.WriteLine("sums[j] += sum;");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.WriteLine();
        var batchDense = _plan.Spec.Layers.OfType<DenseSpec>().Where(DenseHasBatchCode).ToList();
        foreach (int rows in new[] { 3, 2 })
        {
            if (batchDense.Any(d => rows == 3 ? d.Units >= 3 : d.Units % 3 == 2))
            {
                EmitDenseRows(t, rows); // only the tile heights RowTiles calls
            }
        }

        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// w[j·inputs + k] += Σ_b g[b·units + j]·xs[b·inputs + k] for every row j and the first <paramref name=\"batch\"/> samples b: the");
        _w.WriteLine("/// weight gradient of a Dense layer for a batch, as a matrix product. A tile of four rows by three vectors keeps its twelve");
        _w.WriteLine("/// sums in registers over the whole batch and adds them to w once, so w is read and written once per batch.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("public static void AddOuterBatch(global::System.Span<" + t + "> w, " + ro + " xs, " + ro + " g, int units, int inputs, int batch)");
        _w.WriteLine("w = w.Slice(0, units * inputs); // the length checks that the unchecked reads below rely on");
        _w.WriteLine("xs = xs.Slice(0, batch * inputs);");
        _w.WriteLine("g = g.Slice(0, batch * units);");
        _w.WriteLine("int k = 0;");
        _w.WriteLine("ref " + t + " rw = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(w);");
        _w.WriteLine("ref " + t + " rx = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(xs);");
        _w.WriteLine("ref " + t + " rg = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(g);");
        ForEachWidth("inputs - k", (v, lanes) =>
        {
            foreach (int columns in new[] { 3, 1 })
            {
                _w.OpenBlock("for (; k <= inputs - " + (columns == 1 ? lanes : columns + " * " + lanes) + "; k += " + (columns == 1 ? lanes : columns + " * " + lanes) + ")");
                _w.WriteLine("int j = 0;");
                foreach (int rows in columns == 3 ? new[] { 4, 1 } : new[] { 1 })
                {
                    _w.OpenBlock(rows == 4 ? "for (; j <= units - 4; j += 4)" : "for (; j < units; j++)");
                    for (int r = 0; r < rows; r++)
                    {
                        for (int c = 0; c < columns; c++)
                        {
                            _w.WriteLine("var a" + r + c + " = " + v + "<" + t + ">.Zero;");
                        }
                    }

                    _w.OpenBlock("for (int b = 0; b < batch; b++)");
                    _w.WriteLine("nuint xo = (nuint)((b * inputs) + k), go = (nuint)((b * units) + j);");
                    for (int c = 0; c < columns; c++)
                    {
                        _w.WriteLine("var x" + c + " = " + v + ".LoadUnsafe(ref rx, xo" + (c == 0 ? string.Empty : " + (nuint)(" + (c == 1 ? lanes : c + " * " + lanes) + ")") + ");");
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        _w.WriteLine((r == 0 ? "var " : string.Empty) + "f = " + v + ".Create(global::System.Runtime.CompilerServices.Unsafe.Add(ref rg, go" + (r == 0 ? string.Empty : " + " + r) + "));");
                        for (int c = 0; c < columns; c++)
                        {
                            _w.WriteLine("a" + r + c + " = " + v + ".FusedMultiplyAdd(f, x" + c + ", a" + r + c + ");");
                        }
                    }

                    _w.CloseBlock();
                    for (int r = 0; r < rows; r++)
                    {
                        for (int c = 0; c < columns; c++)
                        {
                            string at = "(nuint)(((j" + (r == 0 ? string.Empty : " + " + r) + ") * inputs) + k" + (c == 0 ? string.Empty : " + " + (c == 1 ? lanes : c + " * " + lanes)) + ")";
                            _w.WriteLine(v + ".StoreUnsafe(" + v + ".LoadUnsafe(ref rw, " + at + ") + a" + r + c + ", ref rw, " + at + ");");
                        }
                    }

                    _w.CloseBlock();
                }

                _w.CloseBlock();
            }
        });
        _w.OpenBlock("for (; k < inputs; k++)");
        _w.OpenBlock("for (int j = 0; j < units; j++)");
        _w.WriteLine(t + " sum = 0;");
        _w.OpenBlock("for (int b = 0; b < batch; b++)");
        _w.WriteLine("sum += g[(b * units) + j] * xs[(b * inputs) + k];");
        _w.CloseBlock();
        _w.WriteLine("w[(j * inputs) + k] += sum;");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
    }

    /// <summary>
    /// The float functions that replace MathF calls (<see cref="Printer.FloatMathClass"/>). Tanh is a rational function,
    /// x·P(x²)/Q(x²) of degrees 13 and 6 with the coefficients of Eigen's fast float tanh (P and Q by Estrin's scheme), clamped at ±7.9053 where
    /// tanh rounds to 1 − 2⁻²² and exact (x) below 4·10⁻⁴; its largest error against Math.Tanh over [−12, 12] in steps of
    /// 10⁻⁵ is 2.85·10⁻⁷ (a test checks 3·10⁻⁷), and it took about 9 ns against 23 ns for MathF.Tanh on the earlier machine. Fused
    /// multiply-adds round once, so the result is the same on every machine (in software where there is no FMA unit).
    /// A Vector256 overload does the same operations on eight lanes, for the vector elementwise loops.
    /// </summary>
    private void EmitFloatMath()
    {
        _w.WriteLine();
        WriteFloatMath(_w);
    }

    /// <summary>Writes the <see cref="Printer.FloatMathClass"/> class (the symbolic tests compile it with the printer's code).</summary>
    internal static void WriteFloatMath(SourceWriter w)
    {
        const string V = "global::System.Runtime.Intrinsics.Vector256";
        w.WriteLine("/// <summary>Float functions of this file's network that are faster than their MathF counterparts.</summary>");
        w.OpenBlock("file static class " + Printer.FloatMathClass);
        w.WriteLine("/// <summary>tanh(x) within 3·10⁻⁷: x·P(x²)/Q(x²), a rational approximation (degrees 13 and 6) clamped where tanh rounds to ±1.</summary>");
        w.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.OpenBlock("public static float Tanh(float x)");
        w.OpenBlock("if (global::System.MathF.Abs(x) < 0.0004f)");
        w.WriteLine("return x; // tanh(x) = x − x³/3 + …, and x³/3 is below half an ulp of x here");
        w.CloseBlock();
        w.WriteLine("x = global::System.Math.Clamp(x, -7.90531110763549805f, 7.90531110763549805f);");
        TanhPolynomials(w, v => v, (a, b, c) => "global::System.MathF.FusedMultiplyAdd(" + a + ", " + b + ", " + c + ")", "x");
        w.WriteLine("return x * p / q;");
        w.CloseBlock();
        w.WriteLine();
        w.WriteLine("/// <summary>");
        w.WriteLine("/// tanh of every lane: the operations of the scalar Tanh lane by lane (the clamp keeps NaN, as Math.Clamp does, and the");
        w.WriteLine("/// lanes below 4·10⁻⁴ select x), so each lane has the scalar result's bits.");
        w.WriteLine("/// </summary>");
        w.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.OpenBlock("public static " + V + "<float> Tanh(" + V + "<float> x)");
        w.WriteLine("var small = " + V + ".LessThan(" + V + ".Abs(x), " + V + ".Create(0.0004f));");
        w.WriteLine("var c = " + V + ".Clamp(x, " + V + ".Create(-7.90531110763549805f), " + V + ".Create(7.90531110763549805f));");
        TanhPolynomials(w, v => V + ".Create(" + v + ")", (a, b, c) => V + ".FusedMultiplyAdd(" + a + ", " + b + ", " + c + ")", "c");
        w.WriteLine("return " + V + ".ConditionalSelect(small, x, c * p / q);");
        w.CloseBlock();
        w.CloseBlock();
    }

    /// <summary>
    /// p = P(u) and q = Q(u), u = x², for the float tanh, by Estrin's scheme: pairs of coefficients first, then the pairs
    /// with u², then with u⁴, so that the longest chain is 4 operations after x² instead of Horner's 7 (the tiny benchmark
    /// network's train step waits on it). The scalar and the vector Tanh write the same operations in the same order.
    /// </summary>
    private static void TanhPolynomials(SourceWriter w, System.Func<string, string> constant, System.Func<string, string, string, string> fma, string x)
    {
        // P's coefficients from u⁰ to u⁶, Q's from u⁰ to u³ (Eigen's fast float tanh).
        string[] p = { "4.89352455891786e-03f", "6.37261928875436e-04f", "1.48572235717979e-05f", "5.12229709037114e-08f", "-8.60467152213735e-11f", "2.00018790482477e-13f", "-2.76076847742355e-16f" };
        string[] q = { "4.89352518554385e-03f", "2.26843463243900e-03f", "1.18534705686654e-04f", "1.19825839466702e-06f" };
        w.WriteLine("var u = " + x + " * " + x + ";");
        w.WriteLine("var u2 = u * u;");
        w.WriteLine("var u4 = u2 * u2;");
        w.WriteLine("var p01 = " + fma(constant(p[1]), "u", constant(p[0])) + ";");
        w.WriteLine("var p23 = " + fma(constant(p[3]), "u", constant(p[2])) + ";");
        w.WriteLine("var p45 = " + fma(constant(p[5]), "u", constant(p[4])) + ";");
        w.WriteLine("var p = " + fma(fma(constant(p[6]), "u2", "p45"), "u4", fma("p23", "u2", "p01")) + ";");
        w.WriteLine("var q = " + fma(fma(constant(q[3]), "u", constant(q[2])), "u2", fma(constant(q[1]), "u", constant(q[0]))) + ";");
    }

    /// <summary>TrainStep: Forward, Backward and Step in one call.</summary>
    private void EmitTrainStep()
    {
        foreach (bool label in _plan.Spec.Loss is SoftmaxCrossEntropySpec ? new[] { false, true } : new[] { false })
        {
            string what = label ? "int label" : _readOnlySpan + " target";
            _w.WriteLine("/// <summary>");
            _w.WriteLine("/// One step of single-sample SGD on <paramref name=\"input\"/> and <paramref name=\"" + (label ? "label" : "target") + "\"/> with step size <paramref name=\"learningRate\"/>, θ ← θ − η ∂ℓ/∂θ;");
            _w.WriteLine("/// returns the loss before the step. The update is folded into the backward pass (no gradient buffer is written), so");
            _w.WriteLine("/// <see cref=\"Gradients\"/> is neither read nor changed: from cleared gradients, the parameters end as ZeroGradients, Forward,");
            _w.WriteLine("/// Backward and Step would leave them. Call Forward again before a Backward. Allocates nothing.");
            _w.WriteLine("/// </summary>");
            _w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length" + (label ? " or the label is not a class" : string.Empty) + ".</exception>");
            _w.WriteLine(GeneratedCode);
            _w.OpenBlock("public " + _t + " TrainStep(" + _readOnlySpan + " input, " + what + ", " + _t + " learningRate)");
            EmitConstructedCheck();
            EmitLengthCheck("input", "InputLength");
            if (label)
            {
                _w.OpenBlock("if ((uint)label >= OutputLength)");
                _w.WriteLine("global::CodegenThrow.LabelOutOfRange(label, OutputLength);");
                _w.CloseBlock();
            }
            else
            {
                EmitLengthCheck("target", "OutputLength");
            }

            if (StepInRegisters)
            {
                _w.OpenBlock("if (" + V256 + ".IsHardwareAccelerated" + (AnyInColumns ? " && global::System.Runtime.Intrinsics.X86.Avx.IsSupported" : string.Empty) + ")");
                EmitStepInRegisters(label);
                _w.CloseBlock();
                _w.WriteLine();
                _w.WriteLine("// Without Vector256: the layers' methods, through the arrays");
            }

            _w.WriteLine("ForwardLayers(input);");
            _w.WriteLine(_t + " loss = LossAndGradient(" + (label ? "label" : "target") + LossInputGradientArgument(false) + ");");
            EmitTrainStepEnd("BackPropagateAndStep(learningRate);");
        }
    }

    /// <summary>The end of a TrainStep, after the loss: the backward pass with the step folded in (when there are parameters), and the return.</summary>
    private void EmitTrainStepEnd(string backPropagateAndStep)
    {
        if (_plan.ParameterCount > 0)
        {
            _w.WriteLine(backPropagateAndStep);
        }

        _w.WriteLine(HasForward + " = false;");
        _w.WriteLine("return loss;");
        _w.CloseBlock();
        _w.WriteLine();
    }
}

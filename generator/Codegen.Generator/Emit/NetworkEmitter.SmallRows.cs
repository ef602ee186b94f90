using System.Collections.Generic;
using System.Linq;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// The backward pass of a Dense layer short enough to unroll (at most UnrollLimit inputs) in vectors: a row of W is split
// into Vector256 chunks, then one Vector128 chunk, then scalar values. Each chunk does, lane by lane, the multiply and
// then the add of the scalar statements (no fused multiply-add), in the same order, so every value gets the scalar
// code's bits; that scalar code stays, as the branch for machines where these vectors are not accelerated.
internal sealed partial class NetworkEmitter
{
    /// <summary>The vector chunks of a row of <paramref name="n"/> values (offset, type, lanes), and where its scalar rest starts.</summary>
    private (List<(int Offset, string V, int Lanes)> Chunks, int ScalarFrom) RowChunks(int n)
    {
        bool single = _plan.Numeric == NumericType.Float;
        int wide = single ? 8 : 4, narrow = single ? 4 : 2;
        var chunks = new List<(int, string, int)>();
        int k = 0;
        for (; k + wide <= n; k += wide)
        {
            chunks.Add((k, V256, wide));
        }

        if (k + narrow <= n)
        {
            chunks.Add((k, V128, narrow));
            k += narrow;
        }

        return (chunks, k);
    }

    /// <summary>The file-local class of the short rows' vector steps, written into a file whose code calls it.</summary>
    private const string RowsClass = "CodegenRows";

    /// <summary>
    /// Writes <see cref="RowsClass"/>: one step of a row in a Vector256 or a Vector128, each the scalar statements'
    /// multiply, then add, lane by lane, inlined where it is called, so the backward code reads one call per chunk.
    /// </summary>
    private void EmitRowsClass()
    {
        string t = _t;
        _w.WriteLine();
        _w.WriteLine("/// <summary>The vector steps of this file's short Dense rows: each does, lane by lane, the scalar code's multiply and then its add.</summary>");
        _w.OpenBlock("file static class " + RowsClass);
        foreach (string v in new[] { V256, V128 })
        {
            string vector = v + "<" + t + ">";
            _w.WriteLine("/// <summary>row[at + k] += d · x[k] for the lanes k of x.</summary>");
            _w.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            _w.WriteLine("public static void AddScaled(ref " + t + " row, nuint at, " + vector + " x, " + t + " d) => " + v + ".StoreUnsafe(" + v + ".LoadUnsafe(ref row, at) + (" + v + ".Create(d) * x), ref row, at);");
            _w.WriteLine();
            _w.WriteLine("/// <summary>sum[k] + row[at + k] · d for the lanes k of sum.</summary>");
            _w.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            _w.WriteLine("public static " + vector + " AddScaled(" + vector + " sum, ref " + t + " row, nuint at, " + t + " d) => sum + (" + v + ".LoadUnsafe(ref row, at) * " + v + ".Create(d));");
            if (v == V256)
            {
                _w.WriteLine();
            }
        }

        _w.CloseBlock();
    }

    /// <summary>An element offset as the vector steps take it: a constant as it is, an index expression cast to nuint.</summary>
    private static string RowOffset(Ix at) => int.TryParse(at.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) ? at.ToString() : "(nuint)(" + at + ")";

    /// <summary>How a comment names the chunks: "x0 = x[0…7], x8 = x[8…11]".</summary>
    private static string ChunkNames(List<(int Offset, string V, int Lanes)> chunks, string span) =>
        string.Join(", ", chunks.Select(c => (span == "x" ? "x" : "a") + S(c.Offset) + " = " + span + "[" + S(c.Offset) + "…" + S(c.Offset + c.Lanes - 1) + "]"));

    /// <summary>Whether an unrolled row of <paramref name="n"/> values holds at least one vector.</summary>
    private bool HasRowVectors(int n) => RowChunks(n).Chunks.Count > 0;

    private static string ChunkGuard(List<(int Offset, string V, int Lanes)> chunks) =>
        string.Join(" && ", chunks.Select(c => c.V).Distinct().Select(v => v + ".IsHardwareAccelerated"));

    /// <summary>Declares d once before unrolled rows (a loop declares it in its body).</summary>
    private void DeclareOnce(bool unrollOuter)
    {
        if (unrollOuter)
        {
            _w.WriteLine(_t + " d;");
        }
    }

    private string RefOf(string name, string span, int length) =>
        "ref " + _t + " " + name + " = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + span + ".Slice(0, " + S(length) + "));";

    /// <summary>
    /// A fully unrolled Dense forward whose outputs hold a vector: each row's sum in its own local, then the outputs
    /// stored in vector chunks. The next layer's vector loads (an elementwise loop) then read whole stores; after one
    /// scalar store per output a vector load cannot take its value from the store buffer and waits for the stores to
    /// retire (9 ns of the tiny benchmark network's 33 ns forward). The sums are the scalar ones, so are the bits.
    /// </summary>
    private void StoreRowsAsVectors(DenseSpec d)
    {
        for (int j = 0; j < d.Units; j++)
        {
            _w.WriteLine(_t + " s" + S(j) + " = b[" + S(j) + "];");
            for (int k = 0; k < d.Inputs; k++)
            {
                _w.WriteLine("s" + S(j) + " += w[" + S((j * d.Inputs) + k) + "] * x[" + S(k) + "];");
            }
        }

        var (chunks, rest) = RowChunks(d.Units);
        _w.WriteLine("// ŷ stored in whole vectors, which the next layer's vector loads can read straight from the store buffer");
        _w.WriteLine(RefOf("ry", "y", d.Units));
        foreach (var c in chunks)
        {
            string values = string.Join(", ", Enumerable.Range(c.Offset, c.Lanes).Select(j => "s" + S(j)));
            _w.WriteLine(c.V + ".StoreUnsafe(" + c.V + ".Create(" + values + "), ref ry, (nuint)" + S(c.Offset) + ");");
        }

        for (int j = rest; j < d.Units; j++)
        {
            _w.WriteLine("y[" + S(j) + "] = s" + S(j) + ";");
        }
    }

    /// <summary>
    /// gb += ∇ and gw[j·n + k] += ∇ⱼ·x[k] for every row j (∇ⱼ times <paramref name="scale"/>, when the fused step leaves it
    /// to this code), each row in vector chunks (x loaded once for all rows), under the guard; <paramref name="scalar"/>
    /// writes the same rows in scalar code for the other branch.
    /// </summary>
    private void VectorRowUpdates(int units, int inputs, bool unrollOuter, string scale, System.Action scalar)
    {
        var (chunks, rest) = RowChunks(inputs);
        _w.WriteLine("// every row gains ∇ⱼ·x a vector of x at a time (" + ChunkNames(chunks, "x") + "); the else branch is the same in scalar code, with the same bits");
        _w.OpenBlock("if (" + ChunkGuard(chunks) + ")");
        _w.WriteLine(RefOf("rgw", "gw", units * inputs));
        _w.WriteLine(RefOf("rx", "x", inputs));
        foreach (var c in chunks)
        {
            _w.WriteLine("var x" + S(c.Offset) + " = " + c.V + ".LoadUnsafe(ref rx, (nuint)" + S(c.Offset) + ");");
        }

        DeclareOnce(unrollOuter);
        Loop("j", units, unrollOuter, j =>
        {
            _w.WriteLine((unrollOuter ? string.Empty : _t + " ") + "d = g[" + j + "]" + scale + ";");
            _w.WriteLine("gb[" + j + "] += d;");
            foreach (var c in chunks)
            {
                _w.WriteLine("global::" + RowsClass + ".AddScaled(ref rgw, " + RowOffset((j * inputs) + c.Offset) + ", x" + S(c.Offset) + ", d);");
            }

            for (int k = rest; k < inputs; k++)
            {
                _w.WriteLine("gw[" + ((j * inputs) + k) + "] += d * x[" + S(k) + "];");
            }
        });
        _w.CloseBlock();
        _w.OpenBlock("else");
        scalar();
        _w.CloseBlock();
    }

    /// <summary>
    /// gx[k] = Σⱼ w[j·n + k]·∇ⱼ with each chunk of gx summed in a register over the rows, from zero and in row order as the
    /// scalar code sums it in gx, under the guard; <paramref name="scalar"/> writes the scalar code for the other branch.
    /// </summary>
    private void VectorColumnSums(int units, int inputs, bool unrollOuter, System.Action scalar)
    {
        var (chunks, rest) = RowChunks(inputs);
        _w.WriteLine("// each vector of ∂ℓ/∂x (" + ChunkNames(chunks, "gx") + ") summed over the rows in a register; the else branch is the same in scalar code, with the same bits");
        _w.OpenBlock("if (" + ChunkGuard(chunks) + ")");
        _w.WriteLine(RefOf("rw", "w", units * inputs));
        _w.WriteLine(RefOf("rgx", "gx", inputs));
        foreach (var c in chunks)
        {
            _w.WriteLine("var a" + S(c.Offset) + " = " + c.V + "<" + _t + ">.Zero;");
        }

        if (rest < inputs)
        {
            _w.WriteLine("gx.Slice(" + S(rest) + ").Clear();");
        }

        DeclareOnce(unrollOuter);
        Loop("j", units, unrollOuter, j =>
        {
            _w.WriteLine((unrollOuter ? string.Empty : _t + " ") + "d = g[" + j + "];");
            foreach (var c in chunks)
            {
                _w.WriteLine("a" + S(c.Offset) + " = global::" + RowsClass + ".AddScaled(a" + S(c.Offset) + ", ref rw, " + RowOffset((j * inputs) + c.Offset) + ", d);");
            }

            for (int k = rest; k < inputs; k++)
            {
                _w.WriteLine("gx[" + S(k) + "] += w[" + ((j * inputs) + k) + "] * d;");
            }
        });
        foreach (var c in chunks)
        {
            _w.WriteLine(c.V + ".StoreUnsafe(a" + S(c.Offset) + ", ref rgx, (nuint)" + S(c.Offset) + ");");
        }

        _w.CloseBlock();
        _w.OpenBlock("else");
        scalar();
        _w.CloseBlock();
    }
}

using System.Collections.Generic;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// Elementwise loops over Vector256 lanes. A conditional such as ReLU's x > 0 ? x : 0 is a branch per value in scalar
// code, mispredicted about half the time on the signs a layer produces; as a vector select it has no branch at all.
internal sealed partial class NetworkEmitter
{
    /// <summary>
    /// Writes <c>target[j] = expr</c> for every j as a loop over Vector256 lanes (where accelerated) and a scalar
    /// remainder, when the expression has an exact vector form and the loop holds at least one vector (even a loop short
    /// enough to unroll is fewer instructions as vectors, and ReLU's select has no branch); returns whether it did.
    /// Every lane holds the value the scalar code computes.
    /// </summary>
    private bool VectorElementwiseLoop(int length, Expr expr, string target, Dictionary<string, string> arrays)
    {
        int lanes = _plan.Numeric == NumericType.Float ? 8 : 4;
        string? vector = VectorPrinter.CSharp(expr, _plan.Numeric, v => "v" + arrays[v]);
        var (temps, scalar) = Printer.CSharp(expr, _plan.Numeric, v => arrays[v] + "[j]");
        if (vector is null || length < lanes)
        {
            return false;
        }

        _w.WriteLine("int j = 0;");
        _w.OpenBlock("if (global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)");
        foreach (KeyValuePair<string, string> variable in arrays)
        {
            if (Rewriter.Uses(expr, variable.Key) && variable.Value != target)
            {
                _w.WriteLine("ref " + _t + " r" + variable.Value + " = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + variable.Value + ".Slice(0, " + S(length) + ")); // checks the length the unchecked loads rely on");
            }
        }

        _w.WriteLine("ref " + _t + " r" + target + " = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + target + ".Slice(0, " + S(length) + "));");
        _w.OpenBlock("for (; j <= " + S(length - lanes) + "; j += " + S(lanes) + ")");
        foreach (KeyValuePair<string, string> variable in arrays)
        {
            if (Rewriter.Uses(expr, variable.Key))
            {
                _w.WriteLine("var v" + variable.Value + " = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref r" + variable.Value + ", (nuint)j);");
            }
        }

        _w.WriteLine("global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(" + vector + ", ref r" + target + ", (nuint)j);");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.OpenBlock("for (; j < " + S(length) + "; j++)");
        WriteTemps(temps);

        _w.WriteLine(target + "[j] = " + scalar + ";");
        _w.CloseBlock();
        return true;
    }
}

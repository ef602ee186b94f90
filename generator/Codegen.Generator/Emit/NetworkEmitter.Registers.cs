using System.Collections.Generic;
using System.Linq;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// The TrainStep of a small network of Dense layers and activations, with every x⁽ⁱ⁾, ŷ⁽ⁱ⁾ and ∇⁽ⁱ⁾ in locals: each layer
// at most two Vector256s wide, so a vector of values is one register or two. The general TrainStep passes them through the
// network's arrays, one layer method after another; on a network this small the loads after stores and the calls are
// most of its time. The parameters stay where they are (PyTorch's layout in Parameters).
internal sealed partial class NetworkEmitter
{
    /// <summary>The most weights (Σ Units × Inputs over the Dense layers) a network may have for its TrainStep to run in registers: the method stays short.</summary>
    internal const int RegisterStepWeightLimit = 256;

    /// <summary>The lanes of a Vector256 of the element type: a vector of values in registers is one or two of these.</summary>
    private int Lanes => _plan.Numeric == NumericType.Float ? 8 : 4;

    /// <summary>The widest layer a TrainStep in registers takes: two Vector256s (16 floats or 8 doubles).</summary>
    private int RegisterWidth => 2 * Lanes;

    /// <summary>The Vector256 locals of a vector of <paramref name="length"/> values named <paramref name="name"/>: one, or a low and a high half.</summary>
    private string[] PartNames(string name, int length) => length <= Lanes ? new[] { name } : new[] { name + "_lo", name + "_hi" };

    private const string ColumnsClass = "CodegenColumns";

    /// <summary>
    /// Whether a Dense layer in registers works on W's columns: float rows of 4 and 8 or 16 units, the shape of a first
    /// layer of 4 inputs. Each 8 of its rows, rows j and j + 4 in one Vector256, are transposed in registers into 4
    /// columns, so ŷ = b + Σₖ W₍:,ₖ₎ xₖ is 4 vector multiply-adds per 8 units instead of 32 scalar ones (its step goes two
    /// rows at a time).
    /// </summary>
    private bool InColumns(DenseSpec d) => _plan.Numeric == NumericType.Float && d.Inputs == 4 && (d.Units == 8 || d.Units == 16);

    private bool AnyInColumns => _plan.Spec.Layers.Any(l => l is DenseSpec d && InColumns(d));

    /// <summary>Writes <see cref="ColumnsClass"/>: W's columns from 8 rows of 4 floats, by a 4×4 transpose in each half of 4 Vector256s.</summary>
    private void EmitColumnsClass()
    {
        string v = V256 + "<float>", four = "(" + v + ", " + v + ", " + v + ", " + v + ")", avx = "global::System.Runtime.Intrinsics.X86.Avx";
        string inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
        _w.WriteLine();
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// The columns of a Dense layer's weights of 8 rows of 4 floats, which TrainStep in registers multiplies by the input's");
        _w.WriteLine("/// values: rows j and j + 4 are loaded into one Vector256 (j = 0…3) and the four vectors transposed in registers, half by");
        _w.WriteLine("/// half, so that column k holds W[0, k] … W[7, k] in order.");
        _w.WriteLine("/// </summary>");
        _w.OpenBlock("file static class " + ColumnsClass);
        _w.WriteLine("/// <summary>The 4 columns of the 8 rows of 4 floats from rows[at] on.</summary>");
        _w.WriteLine(inline);
        _w.WriteLine("public static " + four + " Load(ref float rows, nuint at) => Transpose(" + string.Join(", ", Enumerable.Range(0, 4).Select(j => "Rows(ref rows, at + " + S(4 * j) + ")")) + ");");
        _w.WriteLine();
        _w.WriteLine("/// <summary>Row j (at rows[at]) and row j + 4 (16 floats on) in one vector.</summary>");
        _w.WriteLine(inline);
        _w.WriteLine("private static " + v + " Rows(ref float rows, nuint at) => " + V256 + ".Create(" + V128 + ".LoadUnsafe(ref rows, at), " + V128 + ".LoadUnsafe(ref rows, at + 16));");
        _w.WriteLine();
        _w.WriteLine("/// <summary>In each 128-bit half, the 4×4 transpose of the halves of a, b, c and d (one row of 4 each).</summary>");
        _w.WriteLine(inline);
        _w.OpenBlock("private static " + four + " Transpose(" + v + " a, " + v + " b, " + v + " c, " + v + " d)");
        _w.WriteLine("var ab0 = " + avx + ".UnpackLow(a, b); // a0 b0 a1 b1 in each half");
        _w.WriteLine("var ab2 = " + avx + ".UnpackHigh(a, b); // a2 b2 a3 b3");
        _w.WriteLine("var cd0 = " + avx + ".UnpackLow(c, d);");
        _w.WriteLine("var cd2 = " + avx + ".UnpackHigh(c, d);");
        _w.WriteLine("return (" + avx + ".Shuffle(ab0, cd0, 0b01_00_01_00), " + avx + ".Shuffle(ab0, cd0, 0b11_10_11_10), " + avx + ".Shuffle(ab2, cd2, 0b01_00_01_00), " + avx + ".Shuffle(ab2, cd2, 0b11_10_11_10));");
        _w.CloseBlock();
        _w.CloseBlock();
    }

    /// <summary>
    /// Whether TrainStep runs in registers where Vector256 is accelerated: an elementwise loss or a softmax with
    /// cross-entropy, only Dense layers and activations whose function and derivative have exact vector forms before it,
    /// every layer at most <see cref="RegisterWidth"/> wide, and at most <see cref="RegisterStepWeightLimit"/> weights.
    /// </summary>
    private bool StepInRegisters
    {
        get
        {
            bool softmax = _plan.Spec.Loss is SoftmaxCrossEntropySpec;
            if (!(_plan.Spec.Loss is ElementwiseLossSpec || softmax) || _plan.ParameterCount == 0 || _plan.Spec.InputLength > RegisterWidth)
            {
                return false;
            }

            int weights = 0;
            for (int i = 1; i <= _plan.LayerCount; i++)
            {
                switch (_plan.Layer(i))
                {
                    case SoftmaxSpec when softmax && i == _plan.LayerCount:
                        break;
                    case DenseSpec d when d.Units <= RegisterWidth:
                        weights += d.Inputs * d.Units;
                        break;
                    case ElementwiseSpec e when VectorPrinter.CSharp(e.Function, _plan.Numeric, v => v) is not null
                        && VectorPrinter.CSharp(Rewriter.ElementwiseBackward(e.Function), _plan.Numeric, v => v) is not null:
                        break;
                    default:
                        return false;
                }
            }

            return weights <= RegisterStepWeightLimit;
        }
    }

    /// <summary>
    /// The values of one vector (x⁽¹⁾, a ŷ⁽ⁱ⁾ or a ∇⁽ⁱ⁾) in locals: one or two Vector256s (the lanes past <see cref="Length"/>
    /// hold values nothing reads), its scalars, or both; the form not yet written is declared when first asked for.
    /// </summary>
    private sealed class RegisterValue(string name, int length)
    {
        public string Name { get; } = name;

        public int Length { get; } = length;

        /// <summary>The Vector256 locals, <see cref="Lanes"/> values each.</summary>
        public string[]? Parts { get; set; }

        public string[]? Scalars { get; set; }

        /// <summary>The Vector128 of the first half of the lanes, when Length is half a Vector256.</summary>
        public string? Half { get; set; }

        /// <summary>How to load <see cref="Half"/> directly, when it is not taken from <see cref="Vector"/>.</summary>
        public string? HalfLoad { get; set; }
    }

    private string[] VectorsOf(RegisterValue v)
    {
        if (v.Parts is null)
        {
            v.Parts = PartNames("v" + v.Name, v.Length);
            for (int part = 0; part < v.Parts.Length; part++)
            {
                int first = part * Lanes, count = System.Math.Min(Lanes, v.Length - first);
                IEnumerable<string> lanes = v.Scalars!.Skip(first).Take(count).Concat(Enumerable.Repeat(Lit(0), Lanes - count));
                _w.WriteLine("var " + v.Parts[part] + " = " + V256 + ".Create(" + string.Join(", ", lanes) + ");" + (count < Lanes ? " // the lanes past " + S(v.Length) + " are not read" : string.Empty));
            }
        }

        return v.Parts;
    }


    private string ScalarOf(RegisterValue v, int k)
    {
        if (v.Scalars is null)
        {
            v.Scalars = Enumerable.Range(0, v.Length).Select(j => v.Name + "_" + S(j)).ToArray();
            for (int j = 0; j < v.Length; j++)
            {
                _w.WriteLine(_t + " " + v.Scalars[j] + " = " + v.Parts![j / Lanes] + "[" + S(j % Lanes) + "];");
            }
        }

        return v.Scalars[k];
    }

    private string HalfOf(RegisterValue v)
    {
        if (v.Half is null)
        {
            v.Half = "h" + v.Name;
            _w.WriteLine("var " + v.Half + " = " + (v.HalfLoad ?? V256 + ".GetLower(" + VectorsOf(v)[0] + ")") + ";");
        }

        return v.Half;
    }

    /// <summary>
    /// The body of the register TrainStep, inside <c>if (Vector256.IsHardwareAccelerated)</c>: forward with the values in
    /// locals, the loss and its gradient (against a class <c>label</c> with <paramref name="label"/>, else a
    /// <c>target</c>), then back through the layers with the step folded in (each Dense layer's ∂ℓ/∂x first, from the
    /// weights before their step), and the return.
    /// </summary>
    private void EmitStepInRegisters(bool label)
    {
        int n0 = _plan.Spec.InputLength;
        bool wide = _plan.Spec.InputLength > Lanes || _plan.Spec.Layers.Any(l => l.OutputLength > Lanes);
        _w.WriteLine("// Small enough to keep every x⁽ⁱ⁾, ŷ⁽ⁱ⁾ and ∇⁽ⁱ⁾ in registers (" + (wide ? "one or two Vector256s" : "one Vector256") + " or a few scalars each): the same step as below,");
        _w.WriteLine("// without the arrays; the parameters are read and updated in place.");
        _w.WriteLine(_span + " p = new(_parameters, _p0, ParameterCount);");
        _w.WriteLine("ref " + _t + " rp = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(p);");
        var values = new RegisterValue[_plan.LayerCount + 1];
        values[0] = new RegisterValue("x", n0);
        string input = "global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input)";
        if (n0 % Lanes == 0)
        {
            string[] parts = PartNames("vx", n0);
            values[0].Parts = parts;
            for (int part = 0; part < parts.Length; part++)
            {
                _w.WriteLine("var " + parts[part] + " = " + V256 + ".LoadUnsafe(ref " + input + (part == 0 ? string.Empty : ", " + S(part * Lanes)) + "); // x⁽¹⁾" + (parts.Length == 1 ? string.Empty : part == 0 ? ", low half" : ", high half"));
            }
        }
        else
        {
            values[0].Scalars = Enumerable.Range(0, n0).Select(k => "x_" + S(k)).ToArray();
            _w.WriteLine(_t + " " + string.Join(", ", values[0].Scalars.Select((name, k) => name + " = input[" + S(k) + "]")) + "; // x⁽¹⁾");
            values[0].HalfLoad = 2 * n0 == Lanes ? V128 + ".LoadUnsafe(ref " + input + ")" : null;
        }

        for (int i = 1; i <= _plan.LossStart; i++)
        {
            _w.WriteLine();
            RegisterValue x = values[i - 1];
            switch (_plan.Layer(i))
            {
                case DenseSpec d:
                    values[i] = DenseForwardInRegisters(i, d, x);
                    break;
                case ElementwiseSpec e:
                {
                    _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "ⱼ = f(x" + Sup(i) + "ⱼ), f(x) = " + Printer.Math(e.Function) + ", all lanes at once");
                    string[] vx = VectorsOf(x);
                    values[i] = new RegisterValue("y" + S(i), e.Length) { Parts = PartNames("vy" + S(i), e.Length) };
                    for (int part = 0; part < vx.Length; part++)
                    {
                        _w.WriteLine("var " + values[i].Parts![part] + " = " + VectorPrinter.CSharp(e.Function, _plan.Numeric, _ => vx[part]) + ";");
                    }
                    break;
                }
            }
        }

        RegisterValue g = _plan.Spec.Loss is ElementwiseLossSpec loss ? ElementwiseLossInRegisters(loss, values[_plan.LayerCount]) : SoftmaxCrossEntropyInRegisters(values[_plan.LossStart], label);
        for (int i = _plan.LossStart; i >= 1; i--)
        {
            _w.WriteLine();
            bool needInputGradient = _plan.HasParametersBefore(i);
            switch (_plan.Layer(i))
            {
                case DenseSpec d:
                    g = DenseBackwardInRegisters(i, d, values[i - 1], g, needInputGradient);
                    break;
                case ElementwiseSpec e when needInputGradient:
                {
                    Expr backward = Rewriter.ElementwiseBackward(e.Function);
                    _w.WriteLine(Header(i) + "∇" + Sup(i - 1) + "ⱼ = ∂ℓ/∂x" + Sup(i) + "ⱼ = " + Printer.Math(backward) + " where g = ∇" + Sup(i) + "ⱼ, x = x" + Sup(i) + "ⱼ, y = ŷ" + Sup(i) + "ⱼ, all lanes at once");
                    var names = new Dictionary<string, string[]> { ["g"] = VectorsOf(g) };
                    if (Rewriter.Uses(backward, "x"))
                    {
                        names["x"] = VectorsOf(values[i - 1]);
                    }

                    if (Rewriter.Uses(backward, "y"))
                    {
                        names["y"] = VectorsOf(values[i]);
                    }

                    var gx = new RegisterValue("g" + S(i - 1), e.Length) { Parts = PartNames("vg" + S(i - 1), e.Length) };
                    for (int part = 0; part < gx.Parts.Length; part++)
                    {
                        _w.WriteLine("var " + gx.Parts[part] + " = " + VectorPrinter.CSharp(backward, _plan.Numeric, v => names[v][part]) + ";");
                    }

                    g = gx;
                    break;
                }

                default:
                    _w.WriteLine(Header(i) + "no parameters before it, so ∂ℓ/∂x" + Sup(i) + " is not needed");
                    break;
            }
        }

        _w.WriteLine();
        _w.WriteLine(HasForward + " = false;");
        _w.WriteLine("return " + (_plan.Spec.Loss is ElementwiseLossSpec ? "sum / " + Lit(_plan.Spec.OutputLength) : "crossEntropy") + ";");
    }

    /// <summary>ℓ's sum Σⱼ L(ŷⱼ, yⱼ) into <c>sum</c> (the return divides it by n) and ∇⁽ᴸ⁾ as scalars, from the output's scalars.</summary>
    private RegisterValue ElementwiseLossInRegisters(ElementwiseLossSpec loss, RegisterValue output)
    {
        int last = _plan.LayerCount, n = _plan.Spec.OutputLength;
        Expr perElement = Simplifier.Simplify(loss.PerElement);
        Expr gradient = Simplifier.Simplify(new Num(1.0 / n) * Differentiator.Derive(loss.PerElement, "o"));
        _w.WriteLine();
        _w.WriteLine("// ℓ = (1/n) Σⱼ L(ŷ" + Sup(last) + "ⱼ, yⱼ), L(o, t) = " + Printer.Math(perElement) + ", n = " + S(n) + "; ∇" + Sup(last) + "ⱼ = (1/n) ∂L/∂o = " + Printer.Math(gradient));
        var g = new RegisterValue("g" + S(last), n) { Scalars = new string[n] };
        _w.WriteLine(_t + " sum = " + Lit(0) + "; // Σⱼ L(ŷ" + Sup(last) + "ⱼ, yⱼ)");
        for (int j = 0; j < n; j++)
        {
            string o = ScalarOf(output, j), t = "target[" + S(j) + "]";
            var (lossTemps, lossCode) = Printer.CSharp(perElement, _plan.Numeric, v => v == "o" ? o : t, "l" + S(j) + "_");
            WriteTemps(lossTemps);
            _w.WriteLine("sum += " + lossCode + ";");
            var (gradientTemps, gradientCode) = Printer.CSharp(gradient, _plan.Numeric, v => v == "o" ? o : t, "d" + S(j) + "_");
            WriteTemps(gradientTemps);
            g.Scalars[j] = g.Name + "_" + S(j);
            _w.WriteLine(_t + " " + g.Scalars[j] + " = " + gradientCode + ";");
        }

        return g;
    }

    /// <summary>
    /// The softmax fused with the cross-entropy, from the logits z = x⁽ᴸ⁾ as scalars: ℓ by log-sum-exp into <c>crossEntropy</c>,
    /// and ∇⁽ᴸ⁻¹⁾ = p − onehot(label) (or p·Σₖyₖ − y against a target) as scalars, with the operations of the arrays' path.
    /// </summary>
    private RegisterValue SoftmaxCrossEntropyInRegisters(RegisterValue logits, bool label)
    {
        int n = _plan.Spec.OutputLength, last = _plan.LayerCount;
        string[] z = Enumerable.Range(0, n).Select(k => ScalarOf(logits, k)).ToArray();
        string[] e = Enumerable.Range(0, n).Select(k => "e_" + S(k)).ToArray();
        _w.WriteLine();
        _w.WriteLine(Header(last) + "fused with the cross-entropy: z = x" + Sup(last) + " (the logits), p = softmax(z), pₖ = exp(zₖ − m) / Σⱼ exp(zⱼ − m), m = maxₖ zₖ");
        _w.WriteLine(label
            ? "// ℓ = −log p_label = lse − z_label, lse = m + log Σₖ exp(zₖ − m) (log-sum-exp, never the log of a softmax); ∇" + Sup(last - 1) + " = ∂ℓ/∂z = p − onehot(label)"
            : "// ℓ = −Σₖ yₖ log pₖ = Σₖ yₖ (lse − zₖ), lse = m + log Σₖ exp(zₖ − m) (log-sum-exp, never the log of a softmax); ∇" + Sup(last - 1) + " = ∂ℓ/∂z = p·Σₖyₖ − y");
        _w.WriteLine(_t + " max = " + z[0] + ";");
        for (int k = 1; k < n; k++)
        {
            _w.WriteLine("max = " + z[k] + " > max ? " + z[k] + " : max;");
        }

        _w.WriteLine(_t + " sum = " + Lit(0) + ";");
        for (int k = 0; k < n; k++)
        {
            _w.WriteLine(_t + " " + e[k] + " = " + Math("Exp") + "(" + z[k] + " - max);");
            _w.WriteLine("sum += " + e[k] + ";");
        }

        _w.WriteLine(_t + " inverse = " + Lit(1) + " / sum;");
        _w.WriteLine(_t + " lse = max + " + Math("Log") + "(sum);");
        var g = new RegisterValue("g" + S(last - 1), n) { Scalars = Enumerable.Range(0, n).Select(k => "g" + S(last - 1) + "_" + S(k)).ToArray() };
        if (label)
        {
            string[] zv = VectorsOf(logits);
            string zLabel = zv.Length == 1
                ? V256 + ".GetElement(" + zv[0] + ", label)"
                : "(label < " + S(Lanes) + " ? " + V256 + ".GetElement(" + zv[0] + ", label) : " + V256 + ".GetElement(" + zv[1] + ", label - " + S(Lanes) + "))";
            _w.WriteLine(_t + " crossEntropy = lse - " + zLabel + "; // z_label (label < " + S(n) + ", checked above)");
            for (int k = 0; k < n; k++)
            {
                _w.WriteLine(_t + " " + g.Scalars[k] + " = (" + e[k] + " * inverse) - (label == " + S(k) + " ? " + Lit(1) + " : " + Lit(0) + ");");
            }
        }
        else
        {
            _w.WriteLine(_t + " crossEntropy = " + Lit(0) + ", sumY = " + Lit(0) + ";");
            for (int k = 0; k < n; k++)
            {
                _w.WriteLine("crossEntropy += target[" + S(k) + "] * (lse - " + z[k] + ");");
                _w.WriteLine("sumY += target[" + S(k) + "];");
            }

            for (int k = 0; k < n; k++)
            {
                _w.WriteLine(_t + " " + g.Scalars[k] + " = ((" + e[k] + " * inverse) * sumY) - target[" + S(k) + "];");
            }
        }

        return g;
    }

    /// <summary>ŷ⁽ⁱ⁾ⱼ = b⁽ⁱ⁾ⱼ + Σₖ W⁽ⁱ⁾ⱼₖ x⁽ⁱ⁾ₖ as scalars: a row of W a vector, summed across its lanes, when rows are one Vector256 long; else one multiply-add per weight.</summary>
    private RegisterValue DenseForwardInRegisters(int i, DenseSpec d, RegisterValue x)
    {
        var (w, b) = _plan.Slots[i];
        if (InColumns(d))
        {
            _w.WriteLine(Header(i) + "ŷ" + Sup(i) + " = b" + Sup(i) + " + Σₖ W" + Sup(i) + "₍:,ₖ₎ x" + Sup(i) + "ₖ, W" + Sup(i) + " " + w.Shape + " at " + S(w.Offset) + ", b" + Sup(i) + " at " + S(b.Offset)
                + ": W" + Sup(i) + "'s columns from its rows, transposed in registers" + (d.Units > 8 ? ", 8 units at a time" : string.Empty));
            string[] xs = Enumerable.Range(0, 4).Select(k => ScalarOf(x, k)).ToArray();
            string[] parts = PartNames("vy" + S(i), d.Units);
            for (int part = 0; part < parts.Length; part++)
            {
                string[] c = Enumerable.Range(0, 4).Select(k => "c" + S(i) + "_" + S((4 * part) + k)).ToArray();
                _w.WriteLine("var (" + string.Join(", ", c) + ") = global::" + ColumnsClass + ".Load(ref rp, " + S(w.Offset + (32 * part)) + ");");
                string sum = "((" + c[0] + " * " + xs[0] + ") + (" + c[1] + " * " + xs[1] + ")) + ((" + c[2] + " * " + xs[2] + ") + (" + c[3] + " * " + xs[3] + "))";
                _w.WriteLine("var " + parts[part] + " = (" + sum + ") + " + V256 + ".LoadUnsafe(ref rp, " + S(b.Offset + (8 * part)) + ");");
            }

            return new RegisterValue("y" + S(i), d.Units) { Parts = parts };
        }

        var y = new RegisterValue("y" + S(i), d.Units) { Scalars = Enumerable.Range(0, d.Units).Select(j => "y" + S(i) + "_" + S(j)).ToArray() };
        bool rows = d.Inputs % Lanes == 0;
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "ⱼ = b" + Sup(i) + "ⱼ + Σₖ W" + Sup(i) + "ⱼₖ x" + Sup(i) + "ₖ, W" + Sup(i) + " " + w.Shape + " at " + S(w.Offset) + ", b" + Sup(i) + " at " + S(b.Offset)
            + (rows ? ": row j of W" + Sup(i) + " times x" + Sup(i) + ", summed across the lanes" : string.Empty));
        _ = rows ? VectorsOf(x)[0] : ScalarOf(x, 0); // the form the rows read, declared before them
        for (int j = 0; j < d.Units; j++)
        {
            if (rows)
            {
                string[] vx = VectorsOf(x);
                string products = string.Join(" + ", vx.Select((part, k) => (vx.Length == 1 ? string.Empty : "(") + V256 + ".LoadUnsafe(ref rp, " + S(w.Offset + (j * d.Inputs) + (k * Lanes)) + ") * " + part + (vx.Length == 1 ? string.Empty : ")")));
                _w.WriteLine(_t + " " + y.Scalars[j] + " = " + V256 + ".Sum(" + products + ") + p[" + S(b.Offset + j) + "];");
                continue;
            }

            _w.WriteLine(_t + " " + y.Scalars[j] + " = p[" + S(b.Offset + j) + "];");
            for (int k = 0; k < d.Inputs; k++)
            {
                _w.WriteLine(y.Scalars[j] + " += p[" + S(w.Offset + (j * d.Inputs) + k) + "] * " + ScalarOf(x, k) + ";");
            }
        }

        return y;
    }

    /// <summary>
    /// A Dense layer's backward pass with the step folded in: ∇⁽ⁱ⁻¹⁾ = W⁽ⁱ⁾ᵀ ∇⁽ⁱ⁾ from the weights before their step (when a
    /// layer before has parameters), then b⁽ⁱ⁾ += −η ∇⁽ⁱ⁾ and W⁽ⁱ⁾ += (−η ∇⁽ⁱ⁾) x⁽ⁱ⁾ᵀ, a row at a time as a vector when a row is
    /// a Vector256 or a Vector128 long. Returns ∇⁽ⁱ⁻¹⁾ (null when not needed).
    /// </summary>
    private RegisterValue DenseBackwardInRegisters(int i, DenseSpec d, RegisterValue x, RegisterValue g, bool needInputGradient)
    {
        var (w, b) = _plan.Slots[i];
        RegisterValue gx = null!;
        if (needInputGradient)
        {
            _w.WriteLine(Header(i) + "∇" + Sup(i - 1) + " = ∂ℓ/∂x" + Sup(i) + " = W" + Sup(i) + "ᵀ ∇" + Sup(i) + ", from W" + Sup(i) + " before its step"
                + (d.Inputs % Lanes == 0 ? ": the rows of W" + Sup(i) + " as vectors, each times its ∇" + Sup(i) + "ⱼ" : string.Empty));
            gx = new RegisterValue("g" + S(i - 1), d.Inputs);
            if (d.Inputs % Lanes == 0)
            {
                gx.Parts = PartNames("vg" + S(i - 1), d.Inputs);
                for (int j = 0; j < d.Units; j++)
                {
                    for (int part = 0; part < gx.Parts.Length; part++)
                    {
                        string row = V256 + ".LoadUnsafe(ref rp, " + S(w.Offset + (j * d.Inputs) + (part * Lanes)) + ") * " + ScalarOf(g, j);
                        _w.WriteLine(j == 0 ? "var " + gx.Parts[part] + " = " + row + ";" : gx.Parts[part] + " += " + row + ";");
                    }
                }
            }
            else
            {
                gx.Scalars = Enumerable.Range(0, d.Inputs).Select(k => gx.Name + "_" + S(k)).ToArray();
                for (int k = 0; k < d.Inputs; k++)
                {
                    for (int j = 0; j < d.Units; j++)
                    {
                        string term = "p[" + S(w.Offset + (j * d.Inputs) + k) + "] * " + ScalarOf(g, j);
                        _w.WriteLine(j == 0 ? _t + " " + gx.Scalars[k] + " = " + term + ";" : gx.Scalars[k] + " += " + term + ";");
                    }
                }
            }
        }

        _w.WriteLine(Header(i) + "the step: b" + Sup(i) + "ⱼ += eⱼ and W" + Sup(i) + "ⱼₖ += eⱼ x" + Sup(i) + "ₖ, eⱼ = −η ∇" + Sup(i) + "ⱼ"
            + (2 * d.Inputs == Lanes && d.Units % 2 == 0 ? ", two rows of W" + Sup(i) + " at a time" : d.Inputs % Lanes == 0 || 2 * d.Inputs == Lanes ? ", a row of W" + Sup(i) + " at a time" : string.Empty));
        var step = new RegisterValue("e" + S(i), d.Units);
        if (g.Parts is not null && d.Units % Lanes == 0)
        {
            // ∇⁽ⁱ⁾ is a vector already (from an activation's backward pass): e and b⁽ⁱ⁾'s step as vectors too
            step.Parts = PartNames("ve" + S(i), d.Units);
            for (int part = 0; part < step.Parts.Length; part++)
            {
                int at = b.Offset + (part * Lanes);
                _w.WriteLine("var " + step.Parts[part] + " = " + g.Parts[part] + " * -learningRate;");
                _w.WriteLine(V256 + ".StoreUnsafe(" + V256 + ".LoadUnsafe(ref rp, " + S(at) + ") + " + step.Parts[part] + ", ref rp, " + S(at) + ");");
            }
        }
        else
        {
            step.Scalars = Enumerable.Range(0, d.Units).Select(j => step.Name + "_" + S(j)).ToArray();
            for (int j = 0; j < d.Units; j++)
            {
                _w.WriteLine(_t + " " + step.Scalars[j] + " = " + ScalarOf(g, j) + " * -learningRate;");
            }

            for (int j = 0; j < d.Units; j++)
            {
                _w.WriteLine("p[" + S(b.Offset + j) + "] += " + step.Scalars[j] + ";");
            }
        }

        if (2 * d.Inputs == Lanes && d.Units % 2 == 0)
        {
            // rows 2m and 2m + 1 are one Vector256: e₂ₘ in its lower half, e₂ₘ₊₁ in its upper, times x twice
            string[] ve = VectorsOf(step);
            string xx = "xx" + S(i), half = HalfOf(x), index = _plan.Numeric == NumericType.Float ? string.Empty : "L";
            _w.WriteLine("var " + xx + " = " + V256 + ".Create(" + half + ", " + half + "); // x" + Sup(i) + " twice");
            for (int m = 0; m < d.Units / 2; m++)
            {
                int row = w.Offset + (2 * m * d.Inputs);
                int lane = (2 * m) % Lanes; // rows 2m and 2m + 1 are lanes lane and lane + 1 of the same part of e
                string lanes = string.Join(", ", Enumerable.Repeat(S(lane) + index, d.Inputs).Concat(Enumerable.Repeat(S(lane + 1) + index, d.Inputs)));
                _w.WriteLine(V256 + ".StoreUnsafe(" + V256 + ".LoadUnsafe(ref rp, " + S(row) + ") + (" + V256 + ".Shuffle(" + ve[2 * m / Lanes] + ", " + V256 + ".Create(" + lanes + ")) * " + xx + "), ref rp, " + S(row) + ");");
            }

            return gx;
        }

        string[] e = Enumerable.Range(0, d.Units).Select(j => ScalarOf(step, j)).ToArray();
        for (int j = 0; j < d.Units; j++)
        {
            int row = w.Offset + (j * d.Inputs);
            if (d.Inputs % Lanes == 0)
            {
                string[] vx = VectorsOf(x);
                for (int part = 0; part < vx.Length; part++)
                {
                    int at = row + (part * Lanes);
                    _w.WriteLine(V256 + ".StoreUnsafe(" + V256 + ".LoadUnsafe(ref rp, " + S(at) + ") + (" + vx[part] + " * " + e[j] + "), ref rp, " + S(at) + ");");
                }
            }
            else if (2 * d.Inputs == Lanes)
            {
                _w.WriteLine(V128 + ".StoreUnsafe(" + V128 + ".LoadUnsafe(ref rp, " + S(row) + ") + (" + HalfOf(x) + " * " + e[j] + "), ref rp, " + S(row) + ");");
            }
            else
            {
                for (int k = 0; k < d.Inputs; k++)
                {
                    _w.WriteLine("p[" + S(row + k) + "] += " + e[j] + " * " + ScalarOf(x, k) + ";");
                }
            }
        }

        return gx;
    }
}

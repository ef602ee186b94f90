using System.Linq;
using Codegen.Generator.Model;

namespace Codegen.Generator.Emit;

// The vector kernels the generated code calls for long rows (a dot product, and adding a scaled row), written once per
// generated file as a file-local class, so the generated methods stay readable: one call per pattern, not a wall of
// intrinsics. Each uses Vector256 where the machine accelerates it, with four independent accumulators, and scalar
// code for the remainder and where no vector type is accelerated.
internal sealed partial class NetworkEmitter
{
    /// <summary>Whether the kernels are called: by a Dense layer too wide to unroll, or Step.</summary>
    private bool UsesKernels => _plan.Spec.Layers.OfType<DenseSpec>().Any(d => !UnrollInner(d.Inputs)) || StepUsesKernel;

    private bool StepUsesKernel => _plan.HasLoss && _plan.ParameterCount > UnrollLimit;

    private void EmitKernels()
    {
        string t = _t;
        string lanes = _plan.Numeric == Symbolic.NumericType.Float ? "8" : "4";
        _w.WriteLine();
        _w.WriteLine("/// <summary>Vector kernels for the long rows of this file's network (Vector256 with four accumulators where accelerated, scalar otherwise).</summary>");
        _w.OpenBlock("file static class CodegenKernels");
        _w.WriteLine("/// <summary>Σₖ a[k]·b[k] over the length of <paramref name=\"a\"/> (b is at least as long).</summary>");
        _w.OpenBlock("public static " + t + " Dot(global::System.ReadOnlySpan<" + t + "> a, global::System.ReadOnlySpan<" + t + "> b)");
        _w.WriteLine("int n = a.Length;");
        _w.WriteLine("int k = 0;");
        _w.WriteLine(t + " sum = 0;");
        _w.OpenBlock("if (global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && n >= " + lanes + ")");
        _w.WriteLine("ref " + t + " ra = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(a);");
        _w.WriteLine("ref " + t + " rb = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(b.Slice(0, n));");
        _w.WriteLine("var s0 = global::System.Runtime.Intrinsics.Vector256<" + t + ">.Zero;");
        _w.WriteLine("var s1 = s0;");
        _w.WriteLine("var s2 = s0;");
        _w.WriteLine("var s3 = s0;");
        _w.OpenBlock("for (; k <= n - (4 * " + lanes + "); k += 4 * " + lanes + ")");
        for (int u = 0; u < 4; u++)
        {
            string offset = u == 0 ? "k" : "k + " + (u == 1 ? lanes : u + " * " + lanes);
            _w.WriteLine("s" + u + " = global::System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref ra, (nuint)(" + offset + ")), global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref rb, (nuint)(" + offset + ")), s" + u + ");");
        }

        _w.CloseBlock();
        _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
        _w.WriteLine("s0 = global::System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref ra, (nuint)k), global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref rb, (nuint)k), s0);");
        _w.CloseBlock();
        _w.WriteLine("sum = global::System.Runtime.Intrinsics.Vector256.Sum((s0 + s1) + (s2 + s3));");
        _w.CloseBlock();
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
        _w.OpenBlock("if (global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && n >= " + lanes + ")");
        _w.WriteLine("ref " + t + " rd = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);");
        _w.WriteLine("ref " + t + " rs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(source.Slice(0, n));");
        _w.WriteLine("var factor = global::System.Runtime.Intrinsics.Vector256.Create(scale);");
        _w.OpenBlock("for (; k <= n - " + lanes + "; k += " + lanes + ")");
        _w.WriteLine("var d = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref rd, (nuint)k);");
        _w.WriteLine("global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(global::System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref rs, (nuint)k), factor, d), ref rd, (nuint)k);");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.OpenBlock("for (; k < n; k++)");
        _w.WriteLine("destination[k] += scale * source[k];");
        _w.CloseBlock();
        _w.CloseBlock();
        _w.CloseBlock();
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

            _w.WriteLine("ForwardLayers(input);");
            _w.WriteLine(_t + " loss = LossAndGradient(" + (label ? "label" : "target") + LossInputGradientArgument(false) + ");");
            if (_plan.ParameterCount > 0)
            {
                _w.WriteLine("BackPropagateAndStep(learningRate);");
            }

            _w.WriteLine(HasForward + " = false;");
            _w.WriteLine("return loss;");
            _w.CloseBlock();
            _w.WriteLine();
        }
    }
}

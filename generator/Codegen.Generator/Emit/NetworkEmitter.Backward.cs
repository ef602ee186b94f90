using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// The loss, the backward pass and the update.
internal sealed partial class NetworkEmitter
{
    private void EmitBackward()
    {
        LossSpec loss = _plan.Spec.Loss!;
        string summary = "/// <summary>The loss ℓ of the last Forward against <paramref name=\"{0}\"/>; adds ∂ℓ/∂θ into <see cref=\"Gradients\"/> (it accumulates, so a mini-batch is several Forward/Backward pairs) and returns ℓ.{1}</summary>";
        string exceptions = "/// <exception cref=\"global::System.InvalidOperationException\">No Forward since the network was created, its parameters were initialized or Step updated them.</exception>";

        foreach (bool withInputGradient in new[] { false, true })
        {
            string extra = withInputGradient ? " Also writes ∂ℓ/∂x⁽¹⁾, the gradient with respect to the input, into <paramref name=\"inputGradient\"/>." : string.Empty;
            _w.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, summary, "target", extra));
            _w.WriteLine("/// <param name=\"target\">The expected output, of length <see cref=\"OutputLength\"/>" + (loss is SoftmaxCrossEntropySpec ? " (a probability distribution, such as a one-hot vector)" : string.Empty) + ".</param>");
            if (withInputGradient)
            {
                _w.WriteLine("/// <param name=\"inputGradient\">Receives ∂ℓ/∂x⁽¹⁾, of length <see cref=\"InputLength\"/>.</param>");
            }

            _w.WriteLine(exceptions);
            _w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>");
            _w.WriteLine(GeneratedCode);
            _w.OpenBlock("public " + _t + " Backward(" + _readOnlySpan + " target" + (withInputGradient ? ", " + _span + " inputGradient" : string.Empty) + ")");
            BackwardChecks(withInputGradient);
            EmitLengthCheck("target", "OutputLength");
            _w.WriteLine(_t + " loss = LossAndGradient(target" + LossInputGradientArgument(withInputGradient) + ");");
            _w.WriteLine("BackPropagate(" + (withInputGradient ? "inputGradient" : "default") + ");");
            _w.WriteLine("return loss;");
            _w.CloseBlock();
            _w.WriteLine();
        }

        if (loss is SoftmaxCrossEntropySpec)
        {
            foreach (bool withInputGradient in new[] { false, true })
            {
                string extra = withInputGradient ? " Also writes ∂ℓ/∂x⁽¹⁾ into <paramref name=\"inputGradient\"/>." : string.Empty;
                _w.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, summary, "label", " The target is the one-hot vector of <paramref name=\"label\"/>, so ℓ = −log p_label." + extra));
                _w.WriteLine("/// <param name=\"label\">The class, from 0 to <see cref=\"OutputLength\"/> − 1.</param>");
                if (withInputGradient)
                {
                    _w.WriteLine("/// <param name=\"inputGradient\">Receives ∂ℓ/∂x⁽¹⁾, of length <see cref=\"InputLength\"/>.</param>");
                }

                _w.WriteLine(exceptions);
                _w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The label is not a class of this network.</exception>");
                _w.WriteLine(GeneratedCode);
                _w.OpenBlock("public " + _t + " Backward(int label" + (withInputGradient ? ", " + _span + " inputGradient" : string.Empty) + ")");
                BackwardChecks(withInputGradient);
                _w.OpenBlock("if ((uint)label >= OutputLength)");
                _w.WriteLine("global::CodegenThrow.LabelOutOfRange(label, OutputLength);");
                _w.CloseBlock();
                _w.WriteLine(_t + " loss = LossAndGradient(label" + LossInputGradientArgument(withInputGradient) + ");");
                _w.WriteLine("BackPropagate(" + (withInputGradient ? "inputGradient" : "default") + ");");
                _w.WriteLine("return loss;");
                _w.CloseBlock();
                _w.WriteLine();
            }
        }

        EmitLoss(loss, label: false);
        if (loss is SoftmaxCrossEntropySpec)
        {
            EmitLoss(loss, label: true);
        }

        EmitBackPropagate(fused: false);
        if (_plan.ParameterCount > 0)
        {
            EmitBackPropagate(fused: true);
        }

        if (_plan.Batched)
        {
            EmitBackPropagate(fused: false, batch: true);
            if (_plan.ParameterCount > 0)
            {
                EmitBackPropagate(fused: true, batch: true);
            }
        }
    }

    /// <summary>The loss writes the input gradient itself only when it is fused with the first layer.</summary>
    private string LossInputGradientArgument(bool withInputGradient) =>
        (_plan.LossStart == 0 ? ", " + (withInputGradient ? "inputGradient" : "default") : string.Empty) + (_plan.Batched ? ", 0" : string.Empty);

    private void BackwardChecks(bool withInputGradient)
    {
        EmitConstructedCheck();
        _w.OpenBlock("if (!" + HasForward + ")");
        _w.WriteLine("global::CodegenThrow.NoForward();");
        _w.CloseBlock();
        if (_plan.Batched)
        {
            _w.OpenBlock("if (" + BatchSize + " != 1)");
            _w.WriteLine("global::CodegenThrow.BatchMismatch(" + BatchSize + ", 1);");
            _w.CloseBlock();
        }

        if (withInputGradient)
        {
            EmitLengthCheck("inputGradient", "InputLength");
        }
    }

    /// <summary>Where the loss block writes its gradient: ∇⁽ᴸ⁾, or for a fused loss ∂ℓ/∂x⁽ᴸ⁾ = ∇⁽ᴸ⁻¹⁾ (the input gradient when L = 1).</summary>
    private string LossGradientTarget => _plan.LossStart == 0 ? "inputGradient" : _plan.GradientOf(_plan.LossStart);

    private void EmitLoss(LossSpec loss, bool label)
    {
        int n = _plan.Spec.OutputLength;
        int last = _plan.LayerCount;
        _w.WriteLine(GeneratedCode);
        _w.OpenBlock("private " + _t + " LossAndGradient(" + (label ? "int label" : _readOnlySpan + " target") + (_plan.LossStart == 0 ? ", " + _span + " inputGradient" : string.Empty) + (_plan.Batched ? ", int sample" : string.Empty) + ")");
        _sample = _plan.Batched ? "sample" : null; // a batched network's loss works on one sample of its buffers
        _w.WriteLine(_t + " loss = " + Lit(0) + ";");
        switch (loss)
        {
            case ElementwiseLossSpec e:
            {
                Expr perElement = Simplifier.Simplify(e.PerElement);
                Expr gradient = Simplifier.Simplify(new Num(1.0 / n) * Differentiator.Derive(e.PerElement, "o"));
                _w.WriteLine("// ℓ = (1/n) Σⱼ L(ŷ" + Sup(last) + "ⱼ, yⱼ), L(o, t) = " + Printer.Math(perElement) + ", n = " + S(n));
                _w.WriteLine("// ∇" + Sup(last) + "ⱼ = ∂ℓ/∂ŷ" + Sup(last) + "ⱼ = (1/n) ∂L/∂o = " + Printer.Math(gradient));
                Declare("o", _plan.OutputOf(last));
                Declare("g", LossGradientTarget, readOnly: false);
                Loop("j", n, false, j =>
                {
                    var (lossTemps, lossCode) = Printer.CSharp(perElement, _plan.Numeric, v => v == "o" ? "o[j]" : "target[j]", "l");
                    WriteTemps(lossTemps);

                    _w.WriteLine("loss += " + lossCode + ";");
                    var (gradTemps, gradCode) = Printer.CSharp(gradient, _plan.Numeric, v => v == "o" ? "o[j]" : "target[j]", "d");
                    WriteTemps(gradTemps);

                    _w.WriteLine("g[j] = " + gradCode + ";");
                });
                _w.WriteLine("return loss / " + Lit(n) + ";");
                break;
            }

            case SoftmaxCrossEntropySpec:
            {
                string z = "x" + Sup(last);
                _w.WriteLine("// z = " + z + " (the logits), p = ŷ" + Sup(last) + " = softmax(z)");
                _w.WriteLine(label
                    ? "// ℓ = −log p_label = lse − z_label, lse = m + log Σₖ exp(zₖ − m), m = maxₖ zₖ (log-sum-exp, never the log of a softmax)"
                    : "// ℓ = −Σₖ yₖ log pₖ = Σₖ yₖ (lse − zₖ), lse = m + log Σₖ exp(zₖ − m), m = maxₖ zₖ (log-sum-exp, never the log of a softmax)");
                Declare("z", _plan.InputOf(last));
                Declare("p", _plan.OutputOf(last));
                EmitMax("z", n);
                _w.WriteLine(_t + " sum = " + Lit(0) + ";");
                Loop("k", n, false, k => _w.WriteLine("sum += " + Math("Exp") + "(z[k] - max);"));
                _w.WriteLine(_t + " lse = max + " + Math("Log") + "(sum);");
                if (label)
                {
                    _w.WriteLine("loss = lse - z[label];");
                }
                else
                {
                    _w.WriteLine(_t + " sumY = " + Lit(0) + ";");
                    Loop("k", n, false, k =>
                    {
                        _w.WriteLine("loss += target[k] * (lse - z[k]);");
                        _w.WriteLine("sumY += target[k];");
                    });
                }

                WriteFusedGradient(label
                    ? "∇" + Sup(last - 1) + " = ∂ℓ/∂z = p − onehot(label)"
                    : "∇" + Sup(last - 1) + " = ∂ℓ/∂z = p·Σₖyₖ − y (p − y when the target sums to 1)",
                    label ? "gz[k] = p[k];" : "gz[k] = (p[k] * sumY) - target[k];",
                    label ? "gz[label] -= " + Lit(1) + ";" : null);
                _w.WriteLine("return loss;");
                break;
            }

            case SigmoidBinaryCrossEntropySpec:
                _w.WriteLine("// z = x" + Sup(last) + " (the logits), p = ŷ" + Sup(last) + " = σ(z)");
                _w.WriteLine("// ℓ = (1/n) Σₖ [max(zₖ, 0) − zₖ yₖ + log(1 + exp(−|zₖ|))], which equals −(1/n) Σₖ [yₖ log pₖ + (1 − yₖ) log(1 − pₖ)] and is stable for large |z|");
                Declare("z", _plan.InputOf(last));
                Declare("p", _plan.OutputOf(last));
                Loop("k", n, false, k =>
                {
                    _w.WriteLine(_t + " zk = z[k];");
                    _w.WriteLine("loss += " + Math("Max") + "(zk, " + Lit(0) + ") - (zk * target[k]) + " + Math("Log") + "(" + Lit(1) + " + " + Math("Exp") + "(-" + Math("Abs") + "(zk)));");
                });
                WriteFusedGradient("∇" + Sup(last - 1) + " = ∂ℓ/∂z = (p − y)/n", "gz[k] = (p[k] - target[k]) / " + Lit(n) + ";", null);
                _w.WriteLine("return loss / " + Lit(n) + ";");
                break;
        }

        _sample = null;
        _w.CloseBlock();
        _w.WriteLine();
    }

    private void WriteFusedGradient(string formula, string statement, string? after)
    {
        int n = _plan.Spec.OutputLength;
        _w.WriteLine("// " + formula);
        bool optional = _plan.LossStart == 0;
        _w.OpenBlock(optional ? "if (!inputGradient.IsEmpty)" : null);
        Declare("gz", LossGradientTarget, readOnly: false);
        Loop("k", n, false, k => _w.WriteLine(statement));
        if (after is not null)
        {
            _w.WriteLine(after);
        }

        _w.CloseBlock();
    }

    /// <summary>
    /// BackPropagate, or with <paramref name="fused"/> BackPropagateAndStep: the same blocks with the SGD update folded
    /// into each layer with parameters (see <see cref="ParametricBackward"/>), for TrainStep. With
    /// <paramref name="batch"/>, their batch twins (BackPropagateBatch, BackPropagateBatchAndStep) over the first
    /// batchSize samples of the buffers.
    /// </summary>
    private void EmitBackPropagate(bool fused, bool batch = false)
    {
        _fusedStep = fused;
        _batchMethod = batch;
        string samples = batch ? " for each of the first <paramref name=\"batchSize\"/> samples (the gradients of the batch add up)" : string.Empty;
        string batchParameter = batch ? "int batchSize" : string.Empty;
        if (fused)
        {
            _w.WriteLine("/// <summary>");
            _w.WriteLine("/// The backward blocks from the loss down to layer 1" + samples + " with the SGD step folded in: each layer with parameters first");
            _w.WriteLine("/// computes ∂ℓ/∂x⁽ⁱ⁾ with its old weights, then adds −η ∂ℓ/∂θ straight into its parameters. Gradients is not used.");
            _w.WriteLine("/// </summary>");
            _w.WriteLine(GeneratedCode);
            _w.OpenBlock("private void BackPropagate" + (batch ? "Batch" : string.Empty) + "AndStep(" + (batch ? batchParameter + ", " : string.Empty) + _t + " learningRate)");
            Declare("p", "_parameters", readOnly: false);
        }
        else
        {
            _w.WriteLine(batch
                ? "/// <summary>Runs the backward blocks from the loss down to layer 1" + samples + ".</summary>"
                : "/// <summary>Runs the backward blocks from the loss down to layer 1; an empty <paramref name=\"inputGradient\"/> skips ∂ℓ/∂x⁽¹⁾.</summary>");
            _w.WriteLine(GeneratedCode);
            _w.OpenBlock(batch ? "private void BackPropagateBatch(" + batchParameter + ")" : "private void BackPropagate(" + _span + " inputGradient)");
            if (_plan.ParameterCount > 0)
            {
                Declare("p", "_parameters");
                Declare("gp", "_gradients", readOnly: false);
            }
        }

        for (int i = _plan.LossStart; i >= 1; i--)
        {
            _w.WriteLine();
            EmitLayerBackward(i);
        }

        _w.CloseBlock();
        _w.WriteLine();
        _fusedStep = false;
        _batchMethod = false;
    }

    /// <summary>
    /// The backward block of layer i. In a batch method, layers with parameters and Dense layers write their own
    /// loops over the samples (see <see cref="ParametricBackward"/>); every other layer's block runs once per sample.
    /// </summary>
    private void EmitLayerBackward(int i)
    {
        if (_plan.OnlyForPooledInputGradient(i) is int conv)
        {
            if (_fusedStep || _batchMethod)
            {
                _w.WriteLine(Header(i) + "no block: ∂ℓ/∂W" + Sup(conv) + " reads the pooled ∇ directly, and ∇" + Sup(conv) + " would serve only an input gradient, which this method does not compute");
                return;
            }

            _w.WriteLine("// Layer " + S(i) + " runs only for an input gradient: ∂ℓ/∂W" + Sup(conv) + " reads the pooled ∇ directly, and ∇" + Sup(conv) + " serves only ∂ℓ/∂x" + Sup(conv));
            _w.OpenBlock("if (!inputGradient.IsEmpty)");
            EmitLayerBackwardBlock(i);
            _w.CloseBlock();
            return;
        }

        if (_batchMethod && _plan.Layer(i) is not (DenseSpec or Conv2DSpec or ConvTranspose2DSpec) && !_plan.FlattenShares(i))
        {
            ForEachSample(() => EmitLayerBackwardBlock(i));
            return;
        }

        EmitLayerBackwardBlock(i);
    }

    private void EmitLayerBackwardBlock(int i)
    {
        switch (_plan.Layer(i))
        {
            case DenseSpec d:
                DenseBackward(i, d);
                break;
            case ElementwiseSpec e:
                ElementwiseBackward(i, e);
                break;
            case SoftmaxSpec s:
                SoftmaxBackward(i, s);
                break;
            case Conv2DSpec c:
                Conv2DBackward(i, c);
                break;
            case ConvTranspose2DSpec t:
                ConvTranspose2DBackward(i, t);
                break;
            case Pool2DSpec pool:
                Pool2DBackward(i, pool);
                break;
            case MaxUnpool2DSpec u:
                MaxUnpool2DBackward(i, u);
                break;
            case FlattenSpec f:
                FlattenBackward(i, f);
                break;
            case DropoutSpec d:
                DropoutBackward(i, d);
                break;
            default:
                throw new System.NotSupportedException("No backward for " + _plan.Layer(i).GetType().Name);
        }
    }

    private void EmitStep()
    {
        _w.WriteLine("/// <summary>Clears <see cref=\"Gradients\"/>.</summary>");
        _w.WriteLine(GeneratedCode);
        _w.OpenBlock("public void ZeroGradients()");
        EmitConstructedCheck();
        _w.WriteLine("global::System.Array.Clear(_gradients);");
        _w.CloseBlock();
        _w.WriteLine();
        _w.WriteLine("/// <summary>One step of plain stochastic gradient descent, θ ← θ − η·g for every parameter, then clears the gradients.</summary>");
        _w.WriteLine("/// <param name=\"learningRate\">η.</param>");
        _w.WriteLine(GeneratedCode);
        _w.OpenBlock("public void Step(" + _t + " learningRate)");
        EmitConstructedCheck();
        if (StepUsesKernel)
        {
            _w.WriteLine("global::CodegenKernels.AddScaled(new " + _span + "(_parameters, _p0, ParameterCount), new " + _readOnlySpan + "(_gradients, _g0, ParameterCount), -learningRate);");
        }
        else
        {
            Declare("p", "_parameters", readOnly: false);
            Declare("g", "_gradients");
            Loop("i", _plan.ParameterCount, false, i => _w.WriteLine("p[i] -= learningRate * g[i];"));
        }

        _w.WriteLine("global::System.Array.Clear(_gradients);");
        _w.WriteLine(HasForward + " = false;");
        _w.CloseBlock();
    }
}

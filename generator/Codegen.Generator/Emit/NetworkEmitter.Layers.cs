using System.Collections.Generic;
using System.Globalization;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;

namespace Codegen.Generator.Emit;

// Forward and backward of each layer kind, side by side. A new layer kind adds its two blocks here.
internal sealed partial class NetworkEmitter
{
    private void EmitForward()
    {
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Computes the network's output for <paramref name=\"input\"/> (length <see cref=\"InputLength\"/>) into <paramref name=\"output\"/>");
        _w.WriteLine("/// (length <see cref=\"OutputLength\"/>), and keeps every x⁽ⁱ⁾ and ŷ⁽ⁱ⁾ for the Backward that follows. Allocates nothing.");
        _w.WriteLine("/// </summary>");
        _w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>");
        _w.WriteLine(GeneratedCode);
        _w.OpenBlock("public void Forward(" + _readOnlySpan + " input, " + _span + " output)");
        EmitConstructedCheck();
        EmitLengthCheck("input", "InputLength");
        EmitLengthCheck("output", "OutputLength");
        _w.WriteLine("ForwardLayers(input);");
        _w.WriteLine("((" + _readOnlySpan + ")" + _plan.OutputOf(_plan.LayerCount) + ")" + (_plan.Batched ? ".Slice(0, OutputLength)" : string.Empty) + ".CopyTo(output);");
        if (_plan.HasLoss)
        {
            _w.WriteLine(HasForward + " = true;");
            if (_plan.Batched)
            {
                _w.WriteLine(BatchSize + " = 1;");
            }
        }

        _w.CloseBlock();
        _w.WriteLine();
        EmitForwardLayers(batch: false);
        if (_plan.Batched)
        {
            EmitForwardLayers(batch: true);
        }
    }

    /// <summary>
    /// ForwardLayers: every layer's forward block on one input. With <paramref name="batch"/>, ForwardLayersBatch on the
    /// first batchSize samples: wide Dense layers through their batch code, every other block once per sample.
    /// </summary>
    private void EmitForwardLayers(bool batch)
    {
        _w.WriteLine(batch
            ? "/// <summary>Runs every layer's forward block on the first <paramref name=\"batchSize\"/> samples of <paramref name=\"inputs\"/>, checked by the caller.</summary>"
            : "/// <summary>Runs every layer's forward block on <paramref name=\"input\"/>, whose length the caller checked.</summary>");
        _w.WriteLine(GeneratedCode);
        _w.OpenBlock(batch ? "private void ForwardLayersBatch(" + _readOnlySpan + " inputs, int batchSize)" : "private void ForwardLayers(" + _readOnlySpan + " input)");
        _w.WriteLine((batch ? "inputs" : "input") + ".CopyTo(new " + _span + "(_x, _x0, InputLength" + (batch ? " * MaxBatch" : string.Empty) + "));");
        if (_plan.ParameterCount > 0)
        {
            Declare("p", "_parameters");
        }

        for (int i = 1; i <= _plan.LayerCount; i++)
        {
            _w.WriteLine();
            if (!batch)
            {
                EmitLayerForward(i);
            }
            else if (_plan.Layer(i) is DenseSpec d && DenseHasBatchCode(d))
            {
                DenseForwardBatch(i, d);
            }
            else if (_plan.ReLUInConvolution(i) || _plan.FlattenShares(i))
            {
                EmitLayerForward(i);
            }
            else
            {
                ForEachSample(() => EmitLayerForward(i));
            }
        }

        _w.CloseBlock();
        _w.WriteLine();
    }

    /// <summary>The forward block of layer i: its formula as a comment, then the code, for one sample.</summary>
    private void EmitLayerForward(int i)
    {
        switch (_plan.Layer(i))
        {
            case DenseSpec d:
                DenseForward(i, d);
                break;
            case ElementwiseSpec e:
                ElementwiseForward(i, e);
                break;
            case SoftmaxSpec s:
                SoftmaxForward(i, s);
                break;
            case Conv2DSpec c:
                Conv2DForward(i, c);
                break;
            case ConvTranspose2DSpec t:
                ConvTranspose2DForward(i, t);
                break;
            case Pool2DSpec pool:
                Pool2DForward(i, pool);
                break;
            case MaxUnpool2DSpec u:
                MaxUnpool2DForward(i, u);
                break;
            case FlattenSpec f:
                FlattenForward(i, f);
                break;
            case DropoutSpec d:
                DropoutForward(i, d);
                break;
            default:
                throw new System.NotSupportedException("No forward for " + _plan.Layer(i).GetType().Name);
        }
    }

    private string Header(int i) => "// Layer " + S(i) + ", " + _plan.Layer(i).Name + ": ";

    private string Sup(int i) => NetworkPlan.Sup(i);

    /// <summary>Declares the temporaries <see cref="Printer.CSharp"/> returned with an expression, in their order.</summary>
    private void WriteTemps(IReadOnlyList<(string Name, string Code)> temps)
    {
        foreach (var (name, value) in temps)
        {
            _w.WriteLine(_t + " " + name + " = " + value + ";");
        }
    }

    private void Declare(string name, string field, bool readOnly = true) =>
        _w.WriteLine((readOnly ? _readOnlySpan : _span) + " " + name + " = " + WithConstantLength(field) + ";");

    /// <summary>
    /// A buffer of the network as a span of its constant length (<c>new(_y2, 0, 16)</c>): the JIT then knows the
    /// length, so the constant indices of unrolled code and the constant-bound loops need no bounds checks.
    /// </summary>
    private string WithConstantLength(string field)
    {
        int length = BufferLength(field);
        if (length < 0)
        {
            return field;
        }

        if (field == "inputGradient")
        {
            return field + ".Slice(0, " + S(length) + ")";
        }

        string start = BufferStart(field);
        if (_sample is not null && field is not ("_parameters" or "_gradients"))
        {
            string offset = Times(_sample, length);
            start = start == "0" ? offset : start + " + " + offset;
        }

        return "new(" + field + ", " + start + ", " + S(length) + ")";
    }

    /// <summary>
    /// Where a buffer's values start in its array: for _parameters, _gradients and _x the offset (_p0, _g0, _x0) of the
    /// first 64-byte boundary, which CodegenMemory.Aligned chose when it allocated them; 0 for every other buffer.
    /// </summary>
    private static string BufferStart(string field) => field switch
    {
        "_parameters" => "_p0",
        "_gradients" => "_g0",
        "_x" => "_x0",
        _ => "0",
    };

    /// <summary>
    /// The values per sample of one of the network's buffers (<c>_x</c>, <c>_yi</c>, <c>_gi</c>, <c>_argi</c>,
    /// <c>_maski</c>; the caller's <c>inputGradient</c>; the parameters), or −1 for anything else.
    /// </summary>
    private int BufferLength(string field)
    {
        switch (field)
        {
            case "_x" or "inputGradient":
                return _plan.Spec.Input.Length;
            case "_parameters" or "_gradients":
                return _plan.ParameterCount;
        }

        foreach (string prefix in new[] { "_y", "_g", "_arg", "_mask" })
        {
            if (field.StartsWith(prefix, System.StringComparison.Ordinal)
                && int.TryParse(field.Substring(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i >= 1 && i <= _plan.LayerCount)
            {
                return _plan.Layer(i).OutputLength;
            }
        }

        return -1;
    }

    /// <summary>A per-sample buffer of a batched network as one span over all <c>MaxBatch</c> samples.</summary>
    private string WholeBatch(string field) => "new(" + field + ", " + BufferStart(field) + ", " + S(BufferLength(field) * _plan.MaxBatch) + ")";

    private static bool UnrollInner(int inputs) => inputs <= UnrollLimit;

    private static bool UnrollOuter(int units, int inputs) => UnrollInner(inputs) && units * inputs <= FullUnrollLimit;

    private void DenseForward(int i, DenseSpec d)
    {
        var (weight, bias) = _plan.Slots[i];
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + " = W" + Sup(i) + " x" + Sup(i) + " + b" + Sup(i) + ", W" + Sup(i) + " of shape " + weight.Shape);
        _w.WriteLine("//   ŷ" + Sup(i) + "ⱼ = b" + Sup(i) + "ⱼ + Σₖ W" + Sup(i) + "ⱼₖ x" + Sup(i) + "ₖ");
        _w.OpenBlock();
        Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
        Declare("b", "p.Slice(" + bias.Constant + ", " + bias.Constant + "Length)");
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        bool unrollOuter = UnrollOuter(d.Units, d.Inputs);
        if (!UnrollInner(d.Inputs) && d.Units >= 4)
        {
            // Long rows, four at a time: one kernel call computes four dot products and reads x once for them.
            int blocked = d.Units - (d.Units % 4);
            _w.WriteLine("//   four rows of W" + Sup(i) + " per kernel call, each vector of x loaded once for the four");
            _w.OpenBlock("for (int j = 0; j < " + S(blocked) + "; j += 4)");
            _w.WriteLine("global::CodegenKernels.Dense4(w.Slice(j * " + S(d.Inputs) + ", " + S(4 * d.Inputs) + "), x, b.Slice(j, 4), y.Slice(j, 4));");
            _w.CloseBlock();
            for (int j = blocked; j < d.Units; j++)
            {
                _w.WriteLine("y[" + S(j) + "] = b[" + S(j) + "] + global::CodegenKernels.Dot(w.Slice(" + S(j * d.Inputs) + ", " + S(d.Inputs) + "), x);");
            }

            _w.CloseBlock();
            return;
        }

        if (unrollOuter && HasRowVectors(d.Units))
        {
            StoreRowsAsVectors(d);
            _w.CloseBlock();
            return;
        }

        if (unrollOuter)
        {
            _w.WriteLine(_t + " s;");
        }

        Loop("j", d.Units, unrollOuter, j =>
        {
            _w.WriteLine((unrollOuter ? string.Empty : _t + " ") + "s = b[" + j + "];");
            if (UnrollInner(d.Inputs))
            {
                for (int k = 0; k < d.Inputs; k++)
                {
                    _w.WriteLine("s += w[" + ((j * d.Inputs) + k) + "] * x[" + S(k) + "];");
                }
            }
            else
            {
                _w.WriteLine("s += global::CodegenKernels.Dot(w.Slice(" + (j * d.Inputs) + ", " + S(d.Inputs) + "), x);");
            }

            _w.WriteLine("y[" + j + "] = s;");
        });
        _w.CloseBlock();
    }

    private void DenseBackward(int i, DenseSpec d)
    {
        var (weight, bias) = _plan.Slots[i];
        bool unrollOuter = UnrollOuter(d.Units, d.Inputs);
        bool batchCode = _batchMethod && DenseHasBatchCode(d);
        if (!_fusedStep && !_batchMethod && UsesDenseBackward(i))
        {
            _w.WriteLine(Header(i) + "∂ℓ/∂W" + Sup(i) + " += ∇" + Sup(i) + " x" + Sup(i) + "ᵀ, ∂ℓ/∂b" + Sup(i) + " += ∇" + Sup(i) + "; ∂ℓ/∂x" + Sup(i) + " = W" + Sup(i) + "ᵀ ∇" + Sup(i) + ", written to ∇" + Sup(i - 1));
            _w.WriteLine("//   one pass over W" + Sup(i) + " for both (CodegenKernels.DenseBackward): each element read for ∂ℓ/∂x" + Sup(i) + ", its gradient updated next to it");
            _w.OpenBlock();
            Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
            Declare("g", _plan.GradientOf(i));
            Declare("x", _plan.InputOf(i));
            Declare("gw", "gp.Slice(" + weight.Constant + ", " + weight.Constant + "Length)", readOnly: false);
            Declare("gb", "gp.Slice(" + bias.Constant + ", " + bias.Constant + "Length)", readOnly: false);
            Declare("gx", _plan.GradientOf(i - 1), readOnly: false);
            Loop("j", d.Units, unrollOuter, j => _w.WriteLine("gb[" + j + "] += g[" + j + "];"));
            _w.WriteLine("global::CodegenKernels.DenseBackward(w, gw, x, g, gx);");
            _w.CloseBlock();
            return;
        }

        // In a single-sample train step a short-row layer reads ∇⁽ⁱ⁾ⱼ·(−η) as it goes instead of scaling ∇⁽ⁱ⁾ in a pass of
        // its own: the same product, so the same bits, one store and reload fewer on the step's critical path.
        bool scalesItself = _fusedStep && !_batchMethod && !batchCode && UnrollInner(d.Inputs);
        string scale = scalesItself ? " * -learningRate" : string.Empty;
        ParametricBackward(i, "∂ℓ/∂W" + Sup(i) + " += ∇" + Sup(i) + " x" + Sup(i) + "ᵀ, ∂ℓ/∂b" + Sup(i) + " += ∇" + Sup(i), d.Units, target =>
        {
            if (batchCode)
            {
                DenseParameterGradientBatch(i, d, target);
                return;
            }

            Declare("g", _plan.GradientOf(i));
            Declare("x", _plan.InputOf(i));
            Declare("gw", target + ".Slice(" + weight.Constant + ", " + weight.Constant + "Length)", readOnly: false);
            Declare("gb", target + ".Slice(" + bias.Constant + ", " + bias.Constant + "Length)", readOnly: false);
            if (UnrollInner(d.Inputs) && HasRowVectors(d.Inputs))
            {
                VectorRowUpdates(d.Units, d.Inputs, unrollOuter, scale, ScalarRows);
                return;
            }

            ScalarRows();
        }, () => InputGradient(i, "∂ℓ/∂x" + Sup(i) + " = W" + Sup(i) + "ᵀ ∇" + Sup(i), gx =>
        {
            if (batchCode)
            {
                DenseInputGradientBatch(i, d, gx);
                return;
            }

            Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
            Declare("g", _plan.GradientOf(i));
            Declare("gx", gx, readOnly: false);
            if (UsesTransposedProduct(i))
            {
                _w.WriteLine("//   each vector of ∂ℓ/∂x" + Sup(i) + " summed in registers over the " + S(d.Units) + " rows of W" + Sup(i) + ", written once (CodegenKernels.TransposedProduct)");
                _w.WriteLine("global::CodegenKernels.TransposedProduct(w, g, gx);");
                return;
            }

            if (UnrollInner(d.Inputs) && HasRowVectors(d.Inputs))
            {
                VectorColumnSums(d.Units, d.Inputs, unrollOuter, ScalarColumnSums);
                return;
            }

            ScalarColumnSums();
        }), writesBatchLoops: batchCode, scalesItself: scalesItself);

        // gb += ∇ and gw += ∇ xᵀ, row by row: unrolled for short rows, through the kernels for long ones.
        void ScalarRows()
        {
            if (unrollOuter)
            {
                _w.WriteLine(_t + " d;");
            }

            Loop("j", d.Units, unrollOuter, j =>
            {
                _w.WriteLine((unrollOuter ? string.Empty : _t + " ") + "d = g[" + j + "]" + scale + ";");
                _w.WriteLine("gb[" + j + "] += d;");
                if (UnrollInner(d.Inputs))
                {
                    for (int k = 0; k < d.Inputs; k++)
                    {
                        _w.WriteLine("gw[" + ((j * d.Inputs) + k) + "] += d * x[" + S(k) + "];");
                    }
                }
                else if (_plan.GradientHasZeros(i))
                {
                    _w.WriteLine("// ∇" + Sup(i) + "ⱼ = 0 wherever layer " + (i + 1) + " zeroed it: the row would gain 0·x" + Sup(i) + ", nothing for a finite x, so it is skipped");
                    _w.OpenBlock("if (d != 0)");
                    _w.WriteLine("global::CodegenKernels.AddScaled(gw.Slice(" + (j * d.Inputs) + ", " + S(d.Inputs) + "), x, d);");
                    _w.CloseBlock();
                }
                else
                {
                    _w.WriteLine("global::CodegenKernels.AddScaled(gw.Slice(" + (j * d.Inputs) + ", " + S(d.Inputs) + "), x, d);");
                }
            });
        }

        // ∂ℓ/∂x = Wᵀ∇ as a sum of the rows of W scaled by ∇ⱼ, into gx: unrolled for short rows, the kernels for long ones.
        void ScalarColumnSums()
        {
            _w.WriteLine("gx.Clear();");
            if (unrollOuter)
            {
                _w.WriteLine(_t + " d;");
            }

            Loop("j", d.Units, unrollOuter, j =>
            {
                _w.WriteLine((unrollOuter ? string.Empty : _t + " ") + "d = g[" + j + "];");
                if (UnrollInner(d.Inputs))
                {
                    for (int k = 0; k < d.Inputs; k++)
                    {
                        _w.WriteLine("gx[" + S(k) + "] += w[" + ((j * d.Inputs) + k) + "] * d;");
                    }
                }
                else if (_plan.GradientHasZeros(i))
                {
                    _w.WriteLine("// a row whose ∇" + Sup(i) + "ⱼ layer " + (i + 1) + " zeroed adds nothing: skipped");
                    _w.OpenBlock("if (d != 0)");
                    _w.WriteLine("global::CodegenKernels.AddScaled(gx, w.Slice(" + (j * d.Inputs) + ", " + S(d.Inputs) + "), d);");
                    _w.CloseBlock();
                }
                else
                {
                    _w.WriteLine("global::CodegenKernels.AddScaled(gx, w.Slice(" + (j * d.Inputs) + ", " + S(d.Inputs) + "), d);");
                }
            });
        }
    }

    /// <summary>
    /// The backward pass of a layer with parameters. In BackPropagate: the parameter gradients (written by
    /// <paramref name="parameterGradient"/> into spans sliced from <c>gp</c>, the gradients), then ∂ℓ/∂x⁽ⁱ⁾. In the fused
    /// train step the SGD update is folded in: ∂ℓ/∂x⁽ⁱ⁾ first, while W⁽ⁱ⁾ still holds its old values; then ∇⁽ⁱ⁾, no
    /// longer needed, is scaled by −η in place, and the same parameter-gradient code adds into spans sliced from
    /// <c>p</c>, the parameters themselves: θ ← θ − η ∂ℓ/∂θ without a gradient buffer.
    /// </summary>
    /// <remarks>
    /// With <paramref name="scalesItself"/> the parameter-gradient code reads another ∇ than ∇⁽ⁱ⁾ and applies −η itself
    /// (see <see cref="NetworkPlan.PooledGradient"/>), so ∇⁽ⁱ⁾ is not scaled.
    /// </remarks>
    private void ParametricBackward(int i, string formula, int outputLength, System.Action<string> parameterGradient, System.Action inputGradient, bool writesBatchLoops = false, bool scalesItself = false)
    {
        // In a batch method a layer without batch code of its own runs each part once per sample; each part must
        // finish for every sample before the next starts, so that the fused step changes W only after all ∂ℓ/∂x.
        System.Action<string> parameters = _batchMethod && !writesBatchLoops ? target => ForEachSample(() => parameterGradient(target)) : parameterGradient;
        System.Action input = _batchMethod && !writesBatchLoops ? () => ForEachSample(inputGradient) : inputGradient;
        if (!_fusedStep)
        {
            _w.WriteLine(Header(i) + formula);
            _w.OpenBlock();
            parameters("gp");
            _w.CloseBlock();
            input();
            return;
        }

        _w.WriteLine(Header(i) + "∂ℓ/∂x" + Sup(i) + " first, while W" + Sup(i) + " holds its old values; then " + (scalesItself ? "the gradient code, given −η," : "∇" + Sup(i) + " ← −η ∇" + Sup(i) + " in place, and the"));
        _w.WriteLine("//   " + (scalesItself ? string.Empty : "gradient code ") + "adds into the parameters instead of Gradients (θ ← θ − η ∂ℓ/∂θ): " + formula);
        input();
        if (scalesItself)
        {
            _w.OpenBlock();
            parameters("p");
            _w.CloseBlock();
            return;
        }

        bool vector = StepUsesKernel && outputLength > UnrollLimit; // CodegenKernels is in the file whenever Step uses it
        _w.OpenBlock();
        if (_batchMethod)
        {
            _w.WriteLine(_span + " gs = " + WholeBatch(_plan.GradientOf(i)) + ";");
            if (vector)
            {
                _w.WriteLine("global::CodegenKernels.Scale(gs.Slice(0, batchSize * " + S(outputLength) + "), -learningRate);");
            }
            else
            {
                _w.OpenBlock("for (int k = 0; k < batchSize * " + S(outputLength) + "; k++)");
                _w.WriteLine("gs[k] *= -learningRate;");
                _w.CloseBlock();
            }
        }
        else
        {
            Declare("gs", _plan.GradientOf(i), readOnly: false);
            if (vector)
            {
                _w.WriteLine("global::CodegenKernels.Scale(gs, -learningRate);");
            }
            else
            {
                Loop("k", outputLength, false, k => _w.WriteLine("gs[" + k + "] *= -learningRate;"));
            }
        }

        _w.CloseBlock();
        _w.OpenBlock();
        parameters("p");
        _w.CloseBlock();
    }

    /// <summary>Writes <paramref name="body"/> inside a loop over the samples of a batch, its buffers offset to that sample.</summary>
    private void ForEachSample(System.Action body)
    {
        _w.OpenBlock("for (int sample = 0; sample < batchSize; sample++)");
        string? outer = _sample;
        _sample = "sample";
        body();
        _sample = outer;
        _w.CloseBlock();
    }

    /// <summary>
    /// Writes the block that computes ∂ℓ/∂x⁽ⁱ⁾ (which is ∇⁽ⁱ⁻¹⁾). For layer 1 it is the caller's input gradient, and
    /// where no layer before i has parameters it is only needed for that, so the block runs only when one was asked for.
    /// </summary>
    private void InputGradient(int i, string formula, System.Action<string> body)
    {
        bool optional = !_plan.HasParametersBefore(i);
        if ((_fusedStep || _batchMethod) && optional)
        {
            return; // the train step and the batch methods take no input gradient, and no layer before i needs ∇⁽ⁱ⁻¹⁾
        }

        string target = i == 1 ? "inputGradient" : _plan.GradientOf(i - 1);
        _w.WriteLine("// " + formula + (i == 1 ? ", written to the caller's input gradient" : ", written to ∇" + Sup(i - 1)));
        _w.OpenBlock(optional ? "if (!inputGradient.IsEmpty)" : null);
        body(target);
        _w.CloseBlock();
    }

    private void ElementwiseForward(int i, ElementwiseSpec e)
    {
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "ⱼ = f(x" + Sup(i) + "ⱼ), f(x) = " + Printer.Math(e.Function));
        if (_plan.ReLUInConvolution(i))
        {
            _w.WriteLine("//   applied by layer " + S(i - 1) + "'s kernel as it stored its sums: " + _plan.OutputOf(i) + " is " + _plan.OutputOf(i - 1) + ", nothing to do here");
            return;
        }

        _w.OpenBlock();
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        ElementwiseLoop(e.Length, e.Function, "y", new Dictionary<string, string> { ["x"] = "x" });
        _w.CloseBlock();
    }

    private void ElementwiseBackward(int i, ElementwiseSpec e)
    {
        Expr backward = Rewriter.ElementwiseBackward(e.Function);
        InputGradient(i, "Layer " + S(i) + ", " + e.Name + ": ∂ℓ/∂x" + Sup(i) + "ⱼ = ∇" + Sup(i) + "ⱼ f′(x" + Sup(i) + "ⱼ) = (" + Printer.Math(backward)
            + ") where g = ∇" + Sup(i) + "ⱼ, x = x" + Sup(i) + "ⱼ, y = ŷ" + Sup(i) + "ⱼ", gx =>
        {
            var names = new Dictionary<string, string> { ["g"] = "g" };
            Declare("g", _plan.GradientOf(i));
            if (Rewriter.Uses(backward, "x"))
            {
                Declare("x", _plan.InputOf(i));
                names["x"] = "x";
            }

            if (Rewriter.Uses(backward, "y"))
            {
                Declare("y", _plan.OutputOf(i));
                names["y"] = "y";
            }

            Declare("gx", gx, readOnly: false);
            ElementwiseLoop(e.Length, backward, "gx", names);
        });
    }

    /// <summary><c>target[j] = expr</c> for every j, the expression's variables read at index j.</summary>
    private void ElementwiseLoop(int length, Expr expr, string target, Dictionary<string, string> arrays)
    {
        if (VectorElementwiseLoop(length, expr, target, arrays))
        {
            return;
        }

        var probe = Printer.CSharp(expr, _plan.Numeric, v => arrays[v] + "[j]");
        bool unroll = length <= UnrollLimit && probe.Temps.Count == 0;
        Loop("j", length, unroll, j =>
        {
            var (temps, code) = Printer.CSharp(expr, _plan.Numeric, v => arrays[v] + "[" + j + "]");
            WriteTemps(temps);

            _w.WriteLine(target + "[" + j + "] = " + code + ";");
        });
    }

    private void SoftmaxForward(int i, SoftmaxSpec s)
    {
        string m = Printer.Literal(0, _plan.Numeric);
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "ⱼ = exp(x" + Sup(i) + "ⱼ − m) / Σₖ exp(x" + Sup(i) + "ₖ − m), m = maxₖ x" + Sup(i) + "ₖ");
        _w.WriteLine("//   (subtracting m changes nothing mathematically and keeps exp from overflowing)");
        _w.OpenBlock();
        Declare("x", _plan.InputOf(i));
        Declare("y", _plan.OutputOf(i), readOnly: false);
        EmitMax("x", s.Length);
        _w.WriteLine(_t + " sum = " + m + ";");
        Loop("k", s.Length, false, k =>
        {
            _w.WriteLine(_t + " e = " + Math("Exp") + "(x[k] - max);");
            _w.WriteLine("y[k] = e;");
            _w.WriteLine("sum += e;");
        });
        _w.WriteLine(_t + " inverse = " + Lit(1) + " / sum;");
        Loop("k", s.Length, false, k => _w.WriteLine("y[k] *= inverse;"));
        _w.CloseBlock();
    }

    private void EmitMax(string array, int length)
    {
        _w.WriteLine(_t + " max = " + array + "[0];");
        _w.OpenBlock("for (int k = 1; k < " + S(length) + "; k++)");
        _w.WriteLine("max = " + array + "[k] > max ? " + array + "[k] : max;");
        _w.CloseBlock();
    }

    private string Math(string function) => (_plan.Numeric == NumericType.Float ? "global::System.MathF." : "global::System.Math.") + function;

    private void SoftmaxBackward(int i, SoftmaxSpec s)
    {
        InputGradient(i, "Layer " + S(i) + ", Softmax: ∂ℓ/∂x" + Sup(i) + "ⱼ = pⱼ (∇" + Sup(i) + "ⱼ − Σₖ ∇" + Sup(i) + "ₖ pₖ) with p = ŷ" + Sup(i), gx =>
        {
            Declare("g", _plan.GradientOf(i));
            Declare("y", _plan.OutputOf(i));
            Declare("gx", gx, readOnly: false);
            _w.WriteLine(_t + " dot = " + Lit(0) + ";");
            Loop("k", s.Length, false, k => _w.WriteLine("dot += g[k] * y[k];"));
            Loop("j", s.Length, false, j => _w.WriteLine("gx[j] = y[j] * (g[j] - dot);"));
        });
    }
}

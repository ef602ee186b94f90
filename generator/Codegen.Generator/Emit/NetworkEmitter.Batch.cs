using Codegen.Generator.Model;

namespace Codegen.Generator.Emit;

// The batched path of [Network(MaxBatch = n)]: overloads of Forward, Backward and TrainStep for up to n samples laid
// out one after another. Every per-sample buffer holds MaxBatch samples. Wide Dense layers have batch code of their own
// (Dense3x4 and Dense2x4: three or two rows of W by four samples; AddOuterBatch: the weight gradient as a register-tiled matrix product;
// AddColumnSums: the bias gradient; TransposedProduct per sample: ∂ℓ/∂x); every other block is the per-sample block inside
// a loop over the samples, its buffers offset to that sample (see ForEachSample and WithConstantLength).
internal sealed partial class NetworkEmitter
{
    /// <summary>Whether a Dense layer runs its own batch code: rows too long to unroll, where reusing a row pays.</summary>
    private static bool DenseHasBatchCode(DenseSpec d) => !UnrollInner(d.Inputs);

    /// <summary>The loop over the blocks of four samples (b0 the first), then over the samples left, one at a time.</summary>
    private void SampleBlocks(System.Action<bool> body)
    {
        _w.WriteLine("int b0 = 0;");
        _w.OpenBlock("for (; b0 <= batchSize - 4; b0 += 4)");
        body(true);
        _w.CloseBlock();
        _w.OpenBlock("for (; b0 < batchSize; b0++)");
        body(false);
        _w.CloseBlock();
    }

    /// <summary>
    /// Inside a block of four samples: the rows of W in threes (j, j + 1, j + 2) through <paramref name="tile"/> with 3,
    /// then the two or one rows left, two through <paramref name="tile"/> with 2 and one sample at a time through
    /// <paramref name="single"/>. Outside a block: every row, one sample.
    /// </summary>
    private void RowTiles(int units, bool block, System.Action<int> tile, System.Action<string> single)
    {
        if (!block)
        {
            _w.OpenBlock("for (int j = 0; j < " + S(units) + "; j++)");
            single("b0");
            _w.CloseBlock();
            return;
        }

        if (units >= 3)
        {
            _w.OpenBlock("for (int j = 0; j < " + S(units - (units % 3)) + "; j += 3)");
            tile(3);
            _w.CloseBlock();
        }

        if (units % 3 == 2)
        {
            _w.OpenBlock();
            _w.WriteLine("const int j = " + S(units - 2) + ";");
            tile(2);
            _w.CloseBlock();
        }

        if (units % 3 == 1)
        {
            _w.OpenBlock();
            _w.WriteLine("const int j = " + S(units - 1) + ";");
            _w.OpenBlock("for (int sample = b0; sample < b0 + 4; sample++)");
            single("sample");
            _w.CloseBlock();
            _w.CloseBlock();
        }
    }

    private void DenseForwardBatch(int i, DenseSpec d)
    {
        var (weight, bias) = _plan.Slots[i];
        int n = d.Inputs, u = d.Units;
        _w.WriteLine(Header(i) + "ŷ" + Sup(i) + "[b] = W" + Sup(i) + " x" + Sup(i) + "[b] + b" + Sup(i) + " for every sample b, W" + Sup(i) + " of shape " + weight.Shape);
        _w.WriteLine("//   three rows of W" + Sup(i) + " by four samples per kernel call, so each row is read once for four samples");
        _w.OpenBlock();
        Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
        Declare("bias", "p.Slice(" + bias.Constant + ", " + bias.Constant + "Length)");
        _w.WriteLine(_readOnlySpan + " x = " + WholeBatch(_plan.InputOf(i)) + ";");
        _w.WriteLine(_span + " y = " + WholeBatch(_plan.OutputOf(i)) + ";");
        SampleBlocks(block => RowTiles(u, block,
            rows => _w.WriteLine("global::CodegenKernels.Dense" + S(rows) + "x4(w.Slice(j * " + S(n) + ", " + S(rows * n) + "), x.Slice(b0 * " + S(n) + ", " + S(4 * n) + "), bias.Slice(j, " + S(rows) + "), y.Slice((b0 * " + S(u) + ") + j), " + S(u) + ");"),
            sample => _w.WriteLine("y[(" + sample + " * " + S(u) + ") + j] = bias[j] + global::CodegenKernels.Dot(w.Slice(j * " + S(n) + ", " + S(n) + "), x.Slice(" + sample + " * " + S(n) + ", " + S(n) + "));")));
        _w.CloseBlock();
    }

    /// <summary>∂ℓ/∂W += Σ_b ∇[b] x[b]ᵀ and ∂ℓ/∂b += Σ_b ∇[b] for the batch, into spans sliced from <paramref name="target"/>.</summary>
    private void DenseParameterGradientBatch(int i, DenseSpec d, string target)
    {
        var (weight, bias) = _plan.Slots[i];
        int n = d.Inputs, u = d.Units;
        _w.WriteLine("//   a matrix product, ∂ℓ/∂W += ∇ᵀ X over the batch, in register tiles: the weights are read and written once");
        _w.WriteLine(_readOnlySpan + " g = " + WholeBatch(_plan.GradientOf(i)) + ";");
        _w.WriteLine(_readOnlySpan + " x = " + WholeBatch(_plan.InputOf(i)) + ";");
        Declare("gb", target + ".Slice(" + bias.Constant + ", " + bias.Constant + "Length)", readOnly: false);
        _w.WriteLine("global::CodegenKernels.AddColumnSums(gb, g, batchSize);");
        _w.WriteLine("global::CodegenKernels.AddOuterBatch(" + target + ".Slice(" + weight.Constant + ", " + weight.Constant + "Length), x, g, " + S(u) + ", " + S(n) + ", batchSize);");
    }

    /// <summary>∂ℓ/∂x[b] = Wᵀ ∇[b] for each sample b of the batch, into <paramref name="gx"/>, through TransposedProduct.</summary>
    private void DenseInputGradientBatch(int i, DenseSpec d, string gx)
    {
        var (weight, _) = _plan.Slots[i];
        int n = d.Inputs, u = d.Units;
        _w.WriteLine("//   each vector of ∂ℓ/∂x" + Sup(i) + "[b] summed in registers over the " + S(u) + " rows of W" + Sup(i) + ", written once (CodegenKernels.TransposedProduct)");
        Declare("w", "p.Slice(" + weight.Constant + ", " + weight.Constant + "Length)");
        _w.WriteLine(_readOnlySpan + " g = " + WholeBatch(_plan.GradientOf(i)) + ";");
        _w.WriteLine(_span + " gx = " + WholeBatch(gx) + ";");
        _w.OpenBlock("for (int sample = 0; sample < batchSize; sample++)");
        _w.WriteLine("global::CodegenKernels.TransposedProduct(w, g.Slice(sample * " + S(u) + ", " + S(u) + "), gx.Slice(sample * " + S(n) + ", " + S(n) + "));");
        _w.CloseBlock();
    }

    /// <summary>The public batch overloads: Forward, Backward (targets; labels with cross-entropy) and TrainStep.</summary>
    private void EmitBatchMethods()
    {
        int last = _plan.LayerCount;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Forward for <paramref name=\"batchSize\"/> samples at once (1 to <see cref=\"MaxBatch\"/>): <paramref name=\"inputs\"/> holds them one after another");
        _w.WriteLine("/// (batchSize × <see cref=\"InputLength\"/> values), <paramref name=\"outputs\"/> receives batchSize × <see cref=\"OutputLength\"/>. The same");
        _w.WriteLine("/// outputs as a Forward per sample, to rounding; keeps what the batch Backward needs. Allocates nothing.");
        _w.WriteLine("/// </summary>");
        _w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The batch size is not from 1 to MaxBatch.</exception>");
        _w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>");
        _w.WriteLine(GeneratedCode);
        _w.OpenBlock("public void Forward(" + _readOnlySpan + " inputs, " + _span + " outputs, int batchSize)");
        EmitConstructedCheck();
        EmitBatchSizeCheck("batchSize");
        EmitLengthCheck("inputs", "batchSize * InputLength");
        EmitLengthCheck("outputs", "batchSize * OutputLength");
        _w.WriteLine("ForwardLayersBatch(inputs, batchSize);");
        _w.WriteLine("((" + _readOnlySpan + ")" + _plan.OutputOf(last) + ").Slice(0, batchSize * OutputLength).CopyTo(outputs);");
        if (_plan.HasLoss)
        {
            _w.WriteLine(HasForward + " = true;");
            _w.WriteLine(BatchSize + " = batchSize;");
        }

        _w.CloseBlock();
        _w.WriteLine();
        if (!_plan.HasLoss)
        {
            return;
        }

        string lossCall = _plan.LossStart == 0 ? ", default" : string.Empty;
        bool labels = _plan.Spec.Loss is SoftmaxCrossEntropySpec;
        foreach (bool label in labels ? new[] { false, true } : new[] { false })
        {
            _w.WriteLine("/// <summary>");
            _w.WriteLine(label
                ? "/// Backward for the batch of the last Forward, one class label per sample: returns the sum of the samples' losses and adds"
                : "/// Backward for the batch of the last Forward, the targets one after another (batchSize × <see cref=\"OutputLength\"/>): returns the sum of");
            _w.WriteLine(label
                ? "/// the sum of their ∂ℓ/∂θ into <see cref=\"Gradients\"/>, as a Backward per sample would. Allocates nothing."
                : "/// the samples' losses and adds the sum of their ∂ℓ/∂θ into <see cref=\"Gradients\"/>, as a Backward per sample would. Allocates nothing.");
            _w.WriteLine("/// </summary>");
            _w.WriteLine("/// <exception cref=\"global::System.InvalidOperationException\">No Forward since the network was created, its parameters were initialized or Step updated them; or it ran another number of samples.</exception>");
            _w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">" + (label ? "A label is not a class of this network." : "A span has the wrong length.") + "</exception>");
            _w.WriteLine(GeneratedCode);
            _w.OpenBlock(label ? "public " + _t + " Backward(global::System.ReadOnlySpan<int> labels)" : "public " + _t + " Backward(" + _readOnlySpan + " targets, int batchSize)");
            EmitConstructedCheck();
            _w.OpenBlock("if (!" + HasForward + ")");
            _w.WriteLine("global::CodegenThrow.NoForward();");
            _w.CloseBlock();
            if (label)
            {
                _w.WriteLine("int batchSize = labels.Length;");
            }

            _w.OpenBlock("if (batchSize != " + BatchSize + ")");
            _w.WriteLine("global::CodegenThrow.BatchMismatch(" + BatchSize + ", batchSize);");
            _w.CloseBlock();
            EmitBatchTargetChecks(label);
            EmitBatchLoss(label, lossCall);
            _w.WriteLine("BackPropagateBatch(batchSize);");
            _w.WriteLine("return loss;");
            _w.CloseBlock();
            _w.WriteLine();
        }

        foreach (bool label in labels ? new[] { false, true } : new[] { false })
        {
            _w.WriteLine("/// <summary>");
            _w.WriteLine("/// One step of mini-batch SGD on " + (label ? "<paramref name=\"batchSize\"/> = labels.Length samples" : "<paramref name=\"batchSize\"/> samples") + ": θ ← θ − η Σ_b ∂ℓ_b/∂θ, the summed gradient of the batch,");
            _w.WriteLine("/// folded into the backward pass like the single-sample TrainStep (<see cref=\"Gradients\"/> is neither read nor changed). Returns the");
            _w.WriteLine("/// summed loss before the step; the parameters end as ZeroGradients, the batch Forward and Backward, and Step would leave them.");
            _w.WriteLine("/// </summary>");
            _w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The batch size is not from 1 to MaxBatch.</exception>");
            _w.WriteLine("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length" + (label ? " or a label is not a class" : string.Empty) + ".</exception>");
            _w.WriteLine(GeneratedCode);
            _w.OpenBlock(label
                ? "public " + _t + " TrainStep(" + _readOnlySpan + " inputs, global::System.ReadOnlySpan<int> labels, " + _t + " learningRate)"
                : "public " + _t + " TrainStep(" + _readOnlySpan + " inputs, " + _readOnlySpan + " targets, int batchSize, " + _t + " learningRate)");
            EmitConstructedCheck();
            if (label)
            {
                _w.WriteLine("int batchSize = labels.Length;");
            }

            EmitBatchSizeCheck(label ? "labels.Length" : "batchSize");
            EmitLengthCheck("inputs", "batchSize * InputLength");
            EmitBatchTargetChecks(label);
            _w.WriteLine("ForwardLayersBatch(inputs, batchSize);");
            EmitBatchLoss(label, lossCall);
            EmitTrainStepEnd("BackPropagateBatchAndStep(batchSize, learningRate);");
        }
    }

    private void EmitBatchSizeCheck(string batchSize)
    {
        _w.OpenBlock("if ((uint)(" + batchSize + " - 1) >= MaxBatch)");
        _w.WriteLine("global::CodegenThrow.BatchOutOfRange(" + batchSize + ", MaxBatch);");
        _w.CloseBlock();
    }

    private void EmitBatchTargetChecks(bool label)
    {
        if (!label)
        {
            EmitLengthCheck("targets", "batchSize * OutputLength");
            return;
        }

        _w.OpenBlock("foreach (int label in labels)");
        _w.OpenBlock("if ((uint)label >= OutputLength)");
        _w.WriteLine("global::CodegenThrow.LabelOutOfRange(label, OutputLength);");
        _w.CloseBlock();
        _w.CloseBlock();
    }

    private void EmitBatchLoss(bool label, string lossCall)
    {
        _w.WriteLine(_t + " loss = " + Lit(0) + ";");
        _w.OpenBlock("for (int sample = 0; sample < batchSize; sample++)");
        _w.WriteLine("loss += LossAndGradient(" + (label ? "labels[sample]" : "targets.Slice(sample * OutputLength, OutputLength)") + lossCall + ", sample);");
        _w.CloseBlock();
    }
}

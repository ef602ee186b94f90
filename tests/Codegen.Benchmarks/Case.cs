using System;
using Codegen.Benchmarks.Naive;

namespace Codegen.Benchmarks;

/// <summary>
/// One benchmark case: a batch of seeded data and the same network three times (generated, naive C#, TorchSharp when
/// it loads) with the generated network's initial parameters. <see cref="Verify"/> checks that all three compute the
/// same outputs, loss and gradients, and the same parameters after one SGD step, and throws if not.
/// </summary>
public sealed class Case : IDisposable
{
    public const float LearningRate = 1e-3f;

    public Case(string name, IGeneratedNetwork generated, Sequential naive, Func<float[], TorchModel> torch, float[][] inputs, int[]? labels, float[][]? targets, int outputs)
    {
        Name = name;
        Generated = generated;
        Naive = naive;
        Inputs = inputs;
        Labels = labels;
        Targets = targets;
        Output = new float[outputs];
        naive.LoadParameters(generated.Parameters);
        if (LibTorchLoader.Available)
        {
            Torch = torch(generated.Parameters.ToArray());
        }
    }

    public string Name { get; }

    public IGeneratedNetwork Generated { get; }

    public Sequential Naive { get; }

    public TorchModel? Torch { get; }

    public float[][] Inputs { get; }

    public int[]? Labels { get; }

    public float[][]? Targets { get; }

    /// <summary>A buffer for one sample's output.</summary>
    public float[] Output { get; }

    public int Batch => Inputs.Length;

    /// <summary>The batch's inputs one after another, as the generated batch overloads take them.</summary>
    public float[] FlatInputs => System.Linq.Enumerable.ToArray(System.Linq.Enumerable.SelectMany(Inputs, x => x));

    public static Case Mlp(int batch)
    {
        float[][] inputs = Data.Uniform(batch, 784, seed: 1);
        int[] labels = Data.Labels(batch, 10, seed: 2);
        return new Case($"MLP 784-128-10, batch {batch}", new MlpNet(), new Sequential(new CrossEntropy(), 10, new Dense(784, 128), new ReLU(), new Dense(128, 10), new Softmax()),
            p => TorchModel.Mlp(p, LearningRate, inputs, labels), inputs, labels, null, 10);
    }

    public static Case Tiny()
    {
        float[][] inputs = Data.Uniform(1, 4, seed: 3, -1, 1);
        float[][] targets = Data.Uniform(1, 3, seed: 4, -1, 1);
        return new Case("tiny 4-8-3, batch 1", new TinyNet(), new Sequential(new MeanSquaredError(), 3, new Dense(4, 8), new Tanh(), new Dense(8, 3)),
            p => TorchModel.Tiny(p, LearningRate, inputs, targets), inputs, null, targets, 3);
    }

    /// <summary>
    /// Case 4's network written by hand (<see cref="Benchmarks.HandWrittenTiny"/>), from the generated network's
    /// parameters, after checking that one SGD step of each changes the parameters alike and reports the same loss;
    /// the generated network's parameters are put back.
    /// </summary>
    public HandWrittenTiny HandWrittenTiny()
    {
        var generated = (IGeneratedRegressor)Generated;
        float[] start = Generated.Parameters.ToArray();
        var hand = new HandWrittenTiny(start);
        Check.Close($"{Name}: hand-written parameters as loaded", hand.Parameters(), start, 0f);
        float handLoss = hand.TrainStep(Inputs[0], Targets![0], LearningRate);
        float generatedLoss = generated.TrainStep(Inputs[0], Targets![0], LearningRate);
        Check.Close($"{Name}: loss, hand-written vs generated TrainStep", handLoss, generatedLoss);
        float[] handStep = hand.Parameters(), generatedStep = Generated.Parameters.ToArray();
        for (int i = 0; i < start.Length; i++)
        {
            handStep[i] -= start[i];
            generatedStep[i] -= start[i];
        }

        Check.Close($"{Name}: parameter change in one SGD step, hand-written vs generated TrainStep", handStep, generatedStep, 1e-4f);
        start.CopyTo(Generated.Parameters);
        return new HandWrittenTiny(start);
    }

    public static Case Cnn(int batch)
    {
        float[][] inputs = Data.Uniform(batch, 784, seed: 5);
        int[] labels = Data.Labels(batch, 10, seed: 6);
        return new Case($"CNN conv5x5x8-pool-dense10, batch {batch}", new CnnNet(),
            new Sequential(new CrossEntropy(), 10, new Conv2D(1, 28, 28, 8, 5), new ReLU(), new MaxPool2D(8, 24, 24, 2), new Flatten(), new Dense(1152, 10), new Softmax()),
            p => TorchModel.Cnn(p, LearningRate, inputs, labels), inputs, labels, null, 10);
    }

    /// <summary>The generated network: Forward and Backward for every sample of the batch (through the interface: not timed).</summary>
    public float GeneratedForwardBackward()
    {
        float loss = 0;
        for (int s = 0; s < Batch; s++)
        {
            Generated.Forward(Inputs[s], Output);
            loss += Generated is IGeneratedClassifier c ? c.Backward(Labels![s]) : ((IGeneratedRegressor)Generated).Backward(Targets![s]);
        }

        return loss;
    }

    /// <summary>The naive library: forward and backward for every sample of the batch.</summary>
    public float NaiveForwardBackward()
    {
        float loss = 0;
        for (int s = 0; s < Batch; s++)
        {
            loss += Labels is not null ? Naive.ForwardBackward(Inputs[s], Labels[s]) : Naive.ForwardBackward(Inputs[s], Targets![s]);
        }

        return loss;
    }

    public float NaiveTrainStep()
    {
        float loss = NaiveForwardBackward();
        Naive.Step(LearningRate);
        return loss;
    }

    /// <summary>Checks the three implementations against each other; throws <see cref="InvalidOperationException"/> on a mismatch.</summary>
    public void Verify()
    {
        // Outputs of every sample.
        var generatedOutputs = new float[Batch * Output.Length];
        var naiveOutputs = new float[Batch * Output.Length];
        for (int s = 0; s < Batch; s++)
        {
            Generated.Forward(Inputs[s], generatedOutputs.AsSpan(s * Output.Length, Output.Length));
            Naive.Forward(Inputs[s]).CopyTo(naiveOutputs, s * Output.Length);
        }

        Check.Close($"{Name}: outputs, naive vs generated", naiveOutputs, generatedOutputs);
        if (Torch is not null)
        {
            var torchOutputs = new float[generatedOutputs.Length];
            Torch.Forward(torchOutputs);
            Check.Close($"{Name}: outputs, TorchSharp vs generated", torchOutputs, generatedOutputs);
        }

        // Loss and gradients of the batch.
        Generated.ZeroGradients();
        Naive.ZeroGradients();
        Torch?.ZeroGradients();
        float generatedLoss = GeneratedForwardBackward();
        float[] generatedGradients = Generated.Gradients.ToArray();
        Check.Close($"{Name}: loss, naive vs generated", NaiveForwardBackward(), generatedLoss);
        Check.Close($"{Name}: gradients, naive vs generated", Naive.FlatGradients(), generatedGradients);
        if (Torch is not null)
        {
            Check.Close($"{Name}: loss, TorchSharp vs generated", Torch.ForwardBackward(), generatedLoss);
            Check.Close($"{Name}: gradients, TorchSharp vs generated", Torch.Gradients(), generatedGradients);
        }

        // One SGD step from those gradients: the parameters must agree after it.
        Generated.Step(LearningRate);
        Naive.Step(LearningRate);
        float[] generatedParameters = Generated.Parameters.ToArray();
        Check.Close($"{Name}: parameters after one SGD step, naive vs generated", Naive.FlatParameters(), generatedParameters, 1e-5f);
        Naive.LoadParameters(generatedParameters); // the same starting point for the timed runs
        if (Torch is not null)
        {
            Torch.ZeroGradients();
            Torch.TrainStep();
            Check.Close($"{Name}: parameters after one SGD step, TorchSharp vs generated", Torch.Parameters(), generatedParameters, 1e-5f);
        }

        // The fused TrainStep must equal Forward + Backward + Step (single sample).
        if (Batch == 1)
        {
            float fusedLoss = Generated is IGeneratedClassifier c
                ? c.TrainStep(Inputs[0], Labels![0], LearningRate)
                : ((IGeneratedRegressor)Generated).TrainStep(Inputs[0], Targets![0], LearningRate);
            float[] fused = Generated.Parameters.ToArray();
            generatedParameters.CopyTo(Generated.Parameters);
            Generated.ZeroGradients();
            float separateLoss = GeneratedForwardBackward();
            Generated.Step(LearningRate);
            Check.Close($"{Name}: loss, generated TrainStep vs Forward + Backward + Step", fusedLoss, separateLoss);
            Check.Close($"{Name}: parameters, generated TrainStep vs Forward + Backward + Step", fused, Generated.Parameters, 1e-6f);
            generatedParameters.CopyTo(Generated.Parameters); // all three start the timed runs from the same parameters
        }

        // The batch overloads must equal the per-sample calls: outputs, summed loss and gradients, and the batch TrainStep.
        if (Batch > 1 && Generated is IGeneratedBatchClassifier batched)
        {
            float[] flat = FlatInputs;
            var sampleOutputs = new float[Batch * Output.Length];
            for (int s = 0; s < Batch; s++)
            {
                Generated.Forward(Inputs[s], sampleOutputs.AsSpan(s * Output.Length, Output.Length));
            }

            Generated.ZeroGradients();
            float sampleLoss = GeneratedForwardBackward();
            float[] sampleGradients = Generated.Gradients.ToArray();
            var batchOutputs = new float[Batch * Output.Length];
            batched.Forward(flat, batchOutputs, Batch);
            Check.Close($"{Name}: outputs, generated batch Forward vs per sample", sampleOutputs, batchOutputs);
            Generated.ZeroGradients();
            float batchLoss = batched.Backward(Labels!);
            Check.Close($"{Name}: loss, generated batch Backward vs per sample", sampleLoss, batchLoss);
            Check.Close($"{Name}: gradients, generated batch Backward vs per sample", sampleGradients, Generated.Gradients);
            Generated.ZeroGradients();
            float fusedLoss = batched.TrainStep(flat, Labels!, LearningRate);
            float[] fused = Generated.Parameters.ToArray();
            generatedParameters.CopyTo(Generated.Parameters);
            batched.Forward(flat, batchOutputs, Batch);
            Check.Close($"{Name}: loss, generated batch TrainStep vs batch Forward + Backward", batched.Backward(Labels!), fusedLoss);
            Generated.Step(LearningRate);
            Check.Close($"{Name}: parameters, generated batch TrainStep vs batch Forward + Backward + Step", fused, Generated.Parameters, 1e-5f);
            generatedParameters.CopyTo(Generated.Parameters);
        }

        Generated.ZeroGradients();
        Naive.ZeroGradients();
        Torch?.ZeroGradients();
    }

    public void Dispose() => Torch?.Dispose();
}

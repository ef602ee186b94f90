using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Codegen.Benchmarks;

/// <summary>
/// The same network in TorchSharp (libtorch on the CPU, one thread), with the generated network's initial weights,
/// its batch held in tensors made once, trained with torch.optim.SGD. Only touched once <see cref="LibTorchLoader"/>
/// has loaded TorchSharp.
/// </summary>
public sealed class TorchModel : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _sgd;
    private readonly Tensor _input;
    private readonly Tensor? _labels;
    private readonly Tensor? _targets;
    private readonly int _batch;

    private TorchModel(nn.Module<Tensor, Tensor> model, ReadOnlySpan<float> parameters, float learningRate, float[][] inputs, long[] sampleShape, int[]? labels, float[][]? targets)
    {
        _model = model;
        _batch = inputs.Length;
        var shape = new List<long> { inputs.Length };
        shape.AddRange(sampleShape);
        _input = torch.tensor(Data.Concat(inputs), shape.ToArray());
        if (labels is not null)
        {
            _labels = torch.tensor(Array.ConvertAll(labels, l => (long)l), new long[] { labels.Length });
        }

        if (targets is not null)
        {
            _targets = torch.tensor(Data.Concat(targets), new long[] { targets.Length, targets[0].Length });
        }

        SetParameters(parameters);
        _sgd = torch.optim.SGD(_model.parameters(), learningRate);
    }

    public static TorchModel Mlp(ReadOnlySpan<float> parameters, float learningRate, float[][] inputs, int[] labels) =>
        new(nn.Sequential(("fc1", nn.Linear(784, 128)), ("relu", nn.ReLU()), ("fc2", nn.Linear(128, 10))),
            parameters, learningRate, inputs, new long[] { 784 }, labels, null);

    public static TorchModel Tiny(ReadOnlySpan<float> parameters, float learningRate, float[][] inputs, float[][] targets) =>
        new(nn.Sequential(("fc1", nn.Linear(4, 8)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(8, 3))),
            parameters, learningRate, inputs, new long[] { 4 }, null, targets);

    public static TorchModel Cnn(ReadOnlySpan<float> parameters, float learningRate, float[][] inputs, int[] labels) =>
        new(nn.Sequential(("conv", nn.Conv2d(1, 8, 5)), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)), ("flatten", nn.Flatten()), ("fc", nn.Linear(1152, 10))),
            parameters, learningRate, inputs, new long[] { 1, 28, 28 }, labels, null);

    /// <summary>The loss summed over the batch, as the generated Backward accumulates it (for MSE, each sample's mean over its outputs).</summary>
    private Tensor Loss()
    {
        Tensor output = _model.forward(_input);
        return _labels is not null
            ? nn.functional.cross_entropy(output, _labels, reduction: nn.Reduction.Sum)
            : nn.functional.mse_loss(output, _targets!, nn.Reduction.Mean) * _batch;
    }

    /// <summary>zero_grad, forward, loss, backward, SGD step; returns the loss.</summary>
    public float TrainStep()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        _sgd.zero_grad();
        Tensor loss = Loss();
        loss.backward();
        _sgd.step();
        return loss.item<float>();
    }

    /// <summary>Forward and backward; the gradients accumulate as the generated Backward's do.</summary>
    public float ForwardBackward()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor loss = Loss();
        loss.backward();
        return loss.item<float>();
    }

    /// <summary>Inference without autograd; the output (softmax probabilities for a classifier) is copied out.</summary>
    public void Forward(Span<float> output)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        Tensor result = _model.forward(_input);
        if (_labels is not null)
        {
            result = nn.functional.softmax(result, 1);
        }

        result.data<float>().CopyTo(output);
    }

    public void ZeroGradients() => _sgd.zero_grad();

    public float[] Parameters()
    {
        var flat = new List<float>();
        foreach (Parameter p in _model.parameters())
        {
            flat.AddRange(p.data<float>().ToArray());
        }

        return flat.ToArray();
    }

    public float[] Gradients()
    {
        var flat = new List<float>();
        foreach (Parameter p in _model.parameters())
        {
            Tensor? g = p.grad;
            flat.AddRange(g is null ? new float[p.numel()] : g.data<float>().ToArray());
        }

        return flat.ToArray();
    }

    private void SetParameters(ReadOnlySpan<float> flat)
    {
        using IDisposable noGrad = torch.no_grad();
        int at = 0;
        foreach (Parameter p in _model.parameters())
        {
            int n = (int)p.numel();
            using Tensor source = torch.tensor(flat.Slice(at, n).ToArray(), p.shape);
            p.copy_(source);
            at += n;
        }

        if (at != flat.Length)
        {
            throw new ArgumentException($"TorchSharp model has {at} parameters, the generated network {flat.Length}.");
        }
    }

    public void Dispose()
    {
        _input.Dispose();
        _labels?.Dispose();
        _targets?.Dispose();
        _sgd.Dispose();
        _model.Dispose();
    }
}

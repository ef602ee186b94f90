using System;
using System.Collections.Generic;

// The baseline a user would otherwise write or download: a small layer library in the style of typical C# neural
// network code (layer objects with virtual Forward/Backward, jagged weight arrays, a new array for every result).
// It is correct and straightforward, not tuned; nothing in it is made slow on purpose.
namespace Codegen.Benchmarks.Naive;

public abstract class Layer
{
    /// <summary>Weights and biases, in the order the generated network stores them (weight, then bias).</summary>
    public virtual IEnumerable<float[]> ParameterArrays => Array.Empty<float[]>();

    /// <summary>The gradients, in the same order and shapes as <see cref="ParameterArrays"/>.</summary>
    public virtual IEnumerable<float[]> GradientArrays => Array.Empty<float[]>();

    public abstract float[] Forward(float[] input);

    /// <summary>Takes ∂ℓ/∂output, accumulates the parameter gradients, returns ∂ℓ/∂input.</summary>
    public abstract float[] Backward(float[] outputGradient);
}

public sealed class Dense : Layer
{
    private readonly int _inputs;
    private readonly int _units;
    private readonly float[][] _weights; // [units][inputs]
    private readonly float[] _bias;
    private readonly float[][] _weightGradients;
    private readonly float[] _biasGradients;
    private float[] _input = Array.Empty<float>();

    public Dense(int inputs, int units)
    {
        _inputs = inputs;
        _units = units;
        _weights = new float[units][];
        _weightGradients = new float[units][];
        for (int j = 0; j < units; j++)
        {
            _weights[j] = new float[inputs];
            _weightGradients[j] = new float[inputs];
        }

        _bias = new float[units];
        _biasGradients = new float[units];
    }

    public override IEnumerable<float[]> ParameterArrays
    {
        get
        {
            foreach (float[] row in _weights)
            {
                yield return row;
            }

            yield return _bias;
        }
    }

    public override IEnumerable<float[]> GradientArrays
    {
        get
        {
            foreach (float[] row in _weightGradients)
            {
                yield return row;
            }

            yield return _biasGradients;
        }
    }

    public override float[] Forward(float[] input)
    {
        _input = input;
        var output = new float[_units];
        for (int j = 0; j < _units; j++)
        {
            float sum = _bias[j];
            for (int k = 0; k < _inputs; k++)
            {
                sum += _weights[j][k] * input[k];
            }

            output[j] = sum;
        }

        return output;
    }

    public override float[] Backward(float[] outputGradient)
    {
        var inputGradient = new float[_inputs];
        for (int j = 0; j < _units; j++)
        {
            float g = outputGradient[j];
            _biasGradients[j] += g;
            for (int k = 0; k < _inputs; k++)
            {
                _weightGradients[j][k] += g * _input[k];
                inputGradient[k] += g * _weights[j][k];
            }
        }

        return inputGradient;
    }
}

public sealed class ReLU : Layer
{
    private float[] _input = Array.Empty<float>();

    public override float[] Forward(float[] input)
    {
        _input = input;
        var output = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = Math.Max(0, input[i]);
        }

        return output;
    }

    public override float[] Backward(float[] outputGradient)
    {
        var inputGradient = new float[outputGradient.Length];
        for (int i = 0; i < outputGradient.Length; i++)
        {
            inputGradient[i] = _input[i] > 0 ? outputGradient[i] : 0;
        }

        return inputGradient;
    }
}

public sealed class Tanh : Layer
{
    private float[] _output = Array.Empty<float>();

    public override float[] Forward(float[] input)
    {
        var output = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = MathF.Tanh(input[i]);
        }

        _output = output;
        return output;
    }

    public override float[] Backward(float[] outputGradient)
    {
        var inputGradient = new float[outputGradient.Length];
        for (int i = 0; i < outputGradient.Length; i++)
        {
            inputGradient[i] = outputGradient[i] * (1 - _output[i] * _output[i]);
        }

        return inputGradient;
    }
}

/// <summary>2-D cross-correlation, no padding, stride 1; input and output flat in CHW order.</summary>
public sealed class Conv2D : Layer
{
    private readonly int _channels, _height, _width, _filters, _kernel, _outHeight, _outWidth;
    private readonly float[] _weights; // [filters, channels, k, k]
    private readonly float[] _bias;
    private readonly float[] _weightGradients;
    private readonly float[] _biasGradients;
    private float[] _input = Array.Empty<float>();

    public Conv2D(int channels, int height, int width, int filters, int kernel)
    {
        (_channels, _height, _width, _filters, _kernel) = (channels, height, width, filters, kernel);
        _outHeight = height - kernel + 1;
        _outWidth = width - kernel + 1;
        _weights = new float[filters * channels * kernel * kernel];
        _weightGradients = new float[_weights.Length];
        _bias = new float[filters];
        _biasGradients = new float[filters];
    }

    public override IEnumerable<float[]> ParameterArrays => new[] { _weights, _bias };

    public override IEnumerable<float[]> GradientArrays => new[] { _weightGradients, _biasGradients };

    private int W(int f, int c, int ky, int kx) => ((f * _channels + c) * _kernel + ky) * _kernel + kx;

    public override float[] Forward(float[] input)
    {
        _input = input;
        var output = new float[_filters * _outHeight * _outWidth];
        for (int f = 0; f < _filters; f++)
        {
            for (int oy = 0; oy < _outHeight; oy++)
            {
                for (int ox = 0; ox < _outWidth; ox++)
                {
                    float sum = _bias[f];
                    for (int c = 0; c < _channels; c++)
                    {
                        for (int ky = 0; ky < _kernel; ky++)
                        {
                            for (int kx = 0; kx < _kernel; kx++)
                            {
                                sum += _weights[W(f, c, ky, kx)] * input[(c * _height + oy + ky) * _width + ox + kx];
                            }
                        }
                    }

                    output[(f * _outHeight + oy) * _outWidth + ox] = sum;
                }
            }
        }

        return output;
    }

    public override float[] Backward(float[] outputGradient)
    {
        var inputGradient = new float[_input.Length];
        for (int f = 0; f < _filters; f++)
        {
            for (int oy = 0; oy < _outHeight; oy++)
            {
                for (int ox = 0; ox < _outWidth; ox++)
                {
                    float g = outputGradient[(f * _outHeight + oy) * _outWidth + ox];
                    _biasGradients[f] += g;
                    for (int c = 0; c < _channels; c++)
                    {
                        for (int ky = 0; ky < _kernel; ky++)
                        {
                            for (int kx = 0; kx < _kernel; kx++)
                            {
                                int x = (c * _height + oy + ky) * _width + ox + kx;
                                _weightGradients[W(f, c, ky, kx)] += g * _input[x];
                                inputGradient[x] += g * _weights[W(f, c, ky, kx)];
                            }
                        }
                    }
                }
            }
        }

        return inputGradient;
    }
}

/// <summary>Max pooling over size×size windows with stride size; the gradient goes to the first maximum.</summary>
public sealed class MaxPool2D : Layer
{
    private readonly int _channels, _height, _width, _size, _outHeight, _outWidth;
    private int[] _argmax = Array.Empty<int>();

    public MaxPool2D(int channels, int height, int width, int size)
    {
        (_channels, _height, _width, _size) = (channels, height, width, size);
        _outHeight = height / size;
        _outWidth = width / size;
    }

    public override float[] Forward(float[] input)
    {
        var output = new float[_channels * _outHeight * _outWidth];
        _argmax = new int[output.Length];
        for (int c = 0; c < _channels; c++)
        {
            for (int oy = 0; oy < _outHeight; oy++)
            {
                for (int ox = 0; ox < _outWidth; ox++)
                {
                    int best = -1;
                    float max = float.NegativeInfinity;
                    for (int ky = 0; ky < _size; ky++)
                    {
                        for (int kx = 0; kx < _size; kx++)
                        {
                            int x = (c * _height + oy * _size + ky) * _width + ox * _size + kx;
                            if (best < 0 || input[x] > max)
                            {
                                max = input[x];
                                best = x;
                            }
                        }
                    }

                    int o = (c * _outHeight + oy) * _outWidth + ox;
                    output[o] = max;
                    _argmax[o] = best;
                }
            }
        }

        return output;
    }

    public override float[] Backward(float[] outputGradient)
    {
        var inputGradient = new float[_channels * _height * _width];
        for (int o = 0; o < outputGradient.Length; o++)
        {
            inputGradient[_argmax[o]] += outputGradient[o];
        }

        return inputGradient;
    }
}

/// <summary>CHW to a vector: the data is already flat, so both directions copy.</summary>
public sealed class Flatten : Layer
{
    public override float[] Forward(float[] input) => (float[])input.Clone();

    public override float[] Backward(float[] outputGradient) => (float[])outputGradient.Clone();
}

public sealed class Softmax : Layer
{
    private float[] _output = Array.Empty<float>();

    public override float[] Forward(float[] input)
    {
        float max = float.NegativeInfinity;
        foreach (float x in input)
        {
            max = Math.Max(max, x);
        }

        var output = new float[input.Length];
        float sum = 0;
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = MathF.Exp(input[i] - max);
            sum += output[i];
        }

        for (int i = 0; i < input.Length; i++)
        {
            output[i] /= sum;
        }

        _output = output;
        return output;
    }

    /// <summary>The Jacobian-vector product: ∂ℓ/∂xᵢ = pᵢ (gᵢ − Σⱼ gⱼ pⱼ).</summary>
    public override float[] Backward(float[] outputGradient)
    {
        float dot = 0;
        for (int j = 0; j < _output.Length; j++)
        {
            dot += outputGradient[j] * _output[j];
        }

        var inputGradient = new float[_output.Length];
        for (int i = 0; i < _output.Length; i++)
        {
            inputGradient[i] = _output[i] * (outputGradient[i] - dot);
        }

        return inputGradient;
    }
}

public interface ILoss
{
    /// <summary>The loss of <paramref name="output"/> against <paramref name="target"/>, and ∂ℓ/∂output.</summary>
    (float Loss, float[] Gradient) Compute(float[] output, float[] target);
}

/// <summary>ℓ = −Σ y log p, on the probabilities the softmax layer produced; ∂ℓ/∂p = −y/p.</summary>
public sealed class CrossEntropy : ILoss
{
    public (float Loss, float[] Gradient) Compute(float[] output, float[] target)
    {
        float loss = 0;
        var gradient = new float[output.Length];
        for (int i = 0; i < output.Length; i++)
        {
            if (target[i] != 0)
            {
                loss -= target[i] * MathF.Log(output[i]);
                gradient[i] = -target[i] / output[i];
            }
        }

        return (loss, gradient);
    }
}

/// <summary>ℓ = (1/n) Σ (ŷ − y)².</summary>
public sealed class MeanSquaredError : ILoss
{
    public (float Loss, float[] Gradient) Compute(float[] output, float[] target)
    {
        float loss = 0;
        var gradient = new float[output.Length];
        for (int i = 0; i < output.Length; i++)
        {
            float d = output[i] - target[i];
            loss += d * d;
            gradient[i] = 2 * d / output.Length;
        }

        return (loss / output.Length, gradient);
    }
}

/// <summary>A sequence of layers and a loss, trained by plain SGD.</summary>
public sealed class Sequential
{
    private readonly Layer[] _layers;
    private readonly ILoss _loss;
    private readonly int _outputs;

    public Sequential(ILoss loss, int outputs, params Layer[] layers)
    {
        _layers = layers;
        _loss = loss;
        _outputs = outputs;
    }

    public float[] Forward(float[] input)
    {
        float[] x = input;
        foreach (Layer layer in _layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }

    /// <summary>Forward, then backward from the loss; accumulates the gradients and returns the loss.</summary>
    public float ForwardBackward(float[] input, float[] target)
    {
        float[] output = Forward(input);
        (float loss, float[] gradient) = _loss.Compute(output, target);
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }

        return loss;
    }

    public float ForwardBackward(float[] input, int label)
    {
        var target = new float[_outputs];
        target[label] = 1;
        return ForwardBackward(input, target);
    }

    public void Step(float learningRate)
    {
        foreach (Layer layer in _layers)
        {
            using IEnumerator<float[]> gradients = layer.GradientArrays.GetEnumerator();
            foreach (float[] parameters in layer.ParameterArrays)
            {
                gradients.MoveNext();
                float[] g = gradients.Current;
                for (int i = 0; i < parameters.Length; i++)
                {
                    parameters[i] -= learningRate * g[i];
                    g[i] = 0;
                }
            }
        }
    }

    /// <summary>Copies a flat parameter vector (the generated network's layout) into the layers.</summary>
    public void LoadParameters(ReadOnlySpan<float> flat)
    {
        int at = 0;
        foreach (Layer layer in _layers)
        {
            foreach (float[] parameters in layer.ParameterArrays)
            {
                flat.Slice(at, parameters.Length).CopyTo(parameters);
                at += parameters.Length;
            }
        }

        if (at != flat.Length)
        {
            throw new ArgumentException($"Expected {at} parameters, got {flat.Length}.");
        }
    }

    /// <summary>The parameters, flat, in the generated network's layout.</summary>
    public float[] FlatParameters()
    {
        var flat = new List<float>();
        foreach (Layer layer in _layers)
        {
            foreach (float[] p in layer.ParameterArrays)
            {
                flat.AddRange(p);
            }
        }

        return flat.ToArray();
    }

    /// <summary>The accumulated gradients, flat, in the generated network's layout.</summary>
    public float[] FlatGradients()
    {
        var flat = new List<float>();
        foreach (Layer layer in _layers)
        {
            foreach (float[] g in layer.GradientArrays)
            {
                flat.AddRange(g);
            }
        }

        return flat.ToArray();
    }

    public void ZeroGradients()
    {
        foreach (Layer layer in _layers)
        {
            foreach (float[] g in layer.GradientArrays)
            {
                Array.Clear(g);
            }
        }
    }
}

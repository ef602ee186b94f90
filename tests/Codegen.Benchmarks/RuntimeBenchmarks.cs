using BenchmarkDotNet.Attributes;

// The six runtime cases. In each, Generated is the baseline, so BenchmarkDotNet's Ratio column of the TorchSharp and
// Naive rows says how many times longer they take than the generated code. Every setup first checks that the three
// implementations compute the same outputs, loss, gradients and updated parameters (Case.Verify), and throws if not.
namespace Codegen.Benchmarks;

public static class Categories
{
    public const string Torch = "TorchSharp";
}

[MemoryDiagnoser]
public abstract class CaseBenchmark
{
    protected Case Case { get; private set; } = null!;

    protected abstract Case Create();

    [GlobalSetup]
    public void Setup()
    {
        Case = Create();
        Case.Verify();
        SetUpGenerated();
    }

    protected abstract void SetUpGenerated();

    [GlobalCleanup]
    public void Cleanup() => Case.Dispose();
}

/// <summary>Case 1: MLP 784-128(ReLU)-10, softmax + CE, one SGD train step, batch 1.</summary>
public class Case1_MlpTrainStep : CaseBenchmark
{
    private MlpNet _net = null!;
    private float[] _input = null!, _output = null!;
    private int _label;

    protected override Case Create() => Case.Mlp(1);

    protected override void SetUpGenerated() => (_net, _input, _output, _label) = ((MlpNet)Case.Generated, Case.Inputs[0], Case.Output, Case.Labels![0]);

    [Benchmark(Baseline = true)]
    public float Generated()
    {
        _net.Forward(_input, _output);
        float loss = _net.Backward(_label);
        _net.Step(Case.LearningRate);
        return loss;
    }

    /// <summary>The generated fused train step: the same result as Generated (checked in the setup).</summary>
    [Benchmark]
    public float GeneratedTrainStep() => _net.TrainStep(_input, _label, Case.LearningRate);

    [Benchmark, BenchmarkCategory(Categories.Torch)]
    public float TorchSharp() => Case.Torch!.TrainStep();

    [Benchmark]
    public float Naive() => Case.NaiveTrainStep();
}

/// <summary>Case 2: the same MLP, forward only (softmax probabilities out), batch 1.</summary>
public class Case2_MlpForward : CaseBenchmark
{
    private MlpNet _net = null!;
    private float[] _input = null!, _output = null!;

    protected override Case Create() => Case.Mlp(1);

    protected override void SetUpGenerated() => (_net, _input, _output) = ((MlpNet)Case.Generated, Case.Inputs[0], Case.Output);

    [Benchmark(Baseline = true)]
    public float Generated()
    {
        _net.Forward(_input, _output);
        return _output[0];
    }

    [Benchmark, BenchmarkCategory(Categories.Torch)]
    public float TorchSharp()
    {
        Case.Torch!.Forward(_output);
        return _output[0];
    }

    [Benchmark]
    public float Naive() => Case.Naive.Forward(_input)[0];
}

/// <summary>
/// Case 3: the same MLP, one SGD train step on a batch of 32: generated, the batch TrainStep (the update folded into the
/// backward pass) and, as GeneratedForwardBackwardStep, the batch Forward and Backward then Step.
/// </summary>
public class Case3_MlpTrainStepBatch32 : CaseBenchmark
{
    private MlpNet _net = null!;
    private float[] _inputs = null!;
    private float[] _outputs = null!;
    private int[] _labels = null!;

    protected override Case Create() => Case.Mlp(32);

    protected override void SetUpGenerated() => (_net, _inputs, _outputs, _labels) = ((MlpNet)Case.Generated, Case.FlatInputs, new float[32 * MlpNet.OutputLength], Case.Labels!);

    [Benchmark(Baseline = true)]
    public float Generated() => _net.TrainStep(_inputs, _labels, Case.LearningRate);

    [Benchmark]
    public float GeneratedForwardBackwardStep()
    {
        _net.Forward(_inputs, _outputs, 32);
        float loss = _net.Backward(_labels);
        _net.Step(Case.LearningRate);
        return loss;
    }

    [Benchmark, BenchmarkCategory(Categories.Torch)]
    public float TorchSharp() => Case.Torch!.TrainStep();

    [Benchmark]
    public float Naive() => Case.NaiveTrainStep();
}

/// <summary>Case 4: tiny 4-8(Tanh)-3, MSE, one SGD train step, batch 1.</summary>
public class Case4_TinyTrainStep : CaseBenchmark
{
    private TinyNet _net = null!;
    private float[] _input = null!, _output = null!, _target = null!;

    private HandWrittenTiny _hand = null!;

    protected override Case Create() => Case.Tiny();

    protected override void SetUpGenerated()
    {
        (_net, _input, _output, _target) = ((TinyNet)Case.Generated, Case.Inputs[0], Case.Output, Case.Targets![0]);
        _hand = Case.HandWrittenTiny();
    }

    [Benchmark(Baseline = true)]
    public float Generated()
    {
        _net.Forward(_input, _output);
        float loss = _net.Backward(_target);
        _net.Step(Case.LearningRate);
        return loss;
    }

    /// <summary>The generated fused train step: the same result as Generated (checked in the setup).</summary>
    [Benchmark]
    public float GeneratedTrainStep() => _net.TrainStep(_input, _target, Case.LearningRate);

    /// <summary>The same step written by hand, everything in registers (HandWrittenTiny; checked against the generated step in the setup).</summary>
    [Benchmark]
    public float HandWritten() => _hand.TrainStep(_input, _target, Case.LearningRate);

    [Benchmark, BenchmarkCategory(Categories.Torch)]
    public float TorchSharp() => Case.Torch!.TrainStep();

    [Benchmark]
    public float Naive() => Case.NaiveTrainStep();
}

/// <summary>Case 5: CNN conv 5×5×8 → ReLU → max-pool 2 → dense 1152→10, softmax + CE: forward + backward, batch 1 (gradients accumulate).</summary>
public class Case5_CnnForwardBackward : CaseBenchmark
{
    private CnnNet _net = null!;
    private float[] _input = null!, _output = null!;
    private int _label;

    protected override Case Create() => Case.Cnn(1);

    protected override void SetUpGenerated() => (_net, _input, _output, _label) = ((CnnNet)Case.Generated, Case.Inputs[0], Case.Output, Case.Labels![0]);

    [Benchmark(Baseline = true)]
    public float Generated()
    {
        _net.Forward(_input, _output);
        return _net.Backward(_label);
    }

    [Benchmark, BenchmarkCategory(Categories.Torch)]
    public float TorchSharp() => Case.Torch!.ForwardBackward();

    [Benchmark]
    public float Naive() => Case.NaiveForwardBackward();
}

/// <summary>Case 6: the same CNN, forward + backward on a batch of 32 (generated: the batch Forward and Backward overloads).</summary>
public class Case6_CnnForwardBackwardBatch32 : CaseBenchmark
{
    private CnnNet _net = null!;
    private float[] _inputs = null!;
    private float[] _outputs = null!;
    private int[] _labels = null!;

    protected override Case Create() => Case.Cnn(32);

    protected override void SetUpGenerated() => (_net, _inputs, _outputs, _labels) = ((CnnNet)Case.Generated, Case.FlatInputs, new float[32 * CnnNet.OutputLength], Case.Labels!);

    [Benchmark(Baseline = true)]
    public float Generated()
    {
        _net.Forward(_inputs, _outputs, 32);
        return _net.Backward(_labels);
    }

    [Benchmark, BenchmarkCategory(Categories.Torch)]
    public float TorchSharp() => Case.Torch!.ForwardBackward();

    [Benchmark]
    public float Naive() => Case.NaiveForwardBackward();
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Xunit;

namespace Codegen.Tests;

/// <summary>
/// Loss and gradients of generated networks against TensorFlow.js (pure JavaScript CPU backend, float32, its own
/// autodiff), run under node by tests/tfjs/check.js. The test project installs it with npm before it builds.
/// Tolerances are float32's: |ours − theirs| ≤ 1e-4 + 1e-3·|theirs|.
/// </summary>
public class TensorFlowJsCrossCheckTests
{
    private const double Atol = 1e-4, Rtol = 1e-3;

    private static object Dense(int inputs, int units) => new { kind = "dense", inputs, units };

    private static object Kind(string kind) => new { kind };

    public static TheoryData<string> Networks => new()
    {
        "ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Softsign", "SoftmaxMse", "CrossEntropy", "CrossEntropyLabel",
        "BinaryCrossEntropy", "Deep", "SparseReLU", "ActivationsFirst", "ConvStride", "ConvPadding", "ConvWide", "ConvTiled", "ConvWideRows", "MaxPool", "PooledGradient", "PooledChunks", "PooledOverlap", "AvgPool", "ConvTranspose",
    };

    private static object Image(int channels, int height, int width) => new { kind = "input", channels, height, width };

    private static object Conv(string kind, int channels, int filters, int kh, int kw, int stride, int padding) =>
        new { kind, channels, filters, kh, kw, stride, padding };

    private static object Pool(string kind, int size, int stride) => new { kind, size, stride };

    private static (IDoubleNetwork Net, int In, int Out, object[] Layers, string Loss) Describe(string name) => name switch
    {
        "ReLU" => (new ReluNet(), 5, 3, new[] { Dense(5, 7), Kind("relu"), Dense(7, 3) }, "mse"),
        "LeakyReLU" => (new LeakyReluNet(), 6, 4, new[] { Dense(6, 9), new { kind = "leakyrelu", slope = 0.2 }, Dense(9, 4) }, "mse"),
        "ELU" => (new EluNet(), 3, 5, new[] { Dense(3, 8), new { kind = "elu", alpha = 0.7 }, Dense(8, 5) }, "mse"),
        "Sigmoid" => (new SigmoidNet(), 7, 2, new[] { Dense(7, 6), Kind("sigmoid"), Dense(6, 2) }, "mse"),
        "Tanh" => (new TanhNet(), 9, 3, new[] { Dense(9, 11), Kind("tanh"), Dense(11, 3) }, "mse"),
        "Softsign" => (new SoftsignNet(), 4, 6, new[] { Dense(4, 13), Kind("softsign"), Dense(13, 6) }, "mse"),
        "SoftmaxMse" => (new SoftmaxMseNet(), 5, 4, new[] { Dense(5, 4), Kind("softmax") }, "mse"),
        "CrossEntropy" => (new CrossEntropyNet(), 6, 7, new[] { Dense(6, 10), Kind("tanh"), Dense(10, 7), Kind("softmax") }, "crossentropy"),
        "CrossEntropyLabel" => (new CrossEntropyNet(), 6, 7, new[] { Dense(6, 10), Kind("tanh"), Dense(10, 7), Kind("softmax") }, "crossentropy-label"),
        "BinaryCrossEntropy" => (new BinaryCrossEntropyNet(), 5, 3, new[] { Dense(5, 8), new { kind = "elu", alpha = 1.0 }, Dense(8, 3), Kind("sigmoid") }, "binarycrossentropy"),
        "Deep" => (new DeepNet(), 23, 3, new[]
        {
            Dense(23, 19), Kind("tanh"), Kind("softsign"), Dense(19, 17), new { kind = "elu", alpha = 1.3 }, new { kind = "leakyrelu", slope = 0.05 },
            Dense(17, 21), Kind("sigmoid"), Kind("relu"), Dense(21, 3),
        }, "mse"),
        "SparseReLU" => (new SparseReluNet(), 20, 3, new[] { Dense(20, 18), Kind("relu"), Dense(18, 19), Kind("relu"), Dense(19, 3) }, "mse"),
        "ActivationsFirst" => (new ActivationsFirstNet(), 8, 3, new[] { Kind("tanh"), Kind("softsign"), Dense(8, 3), Kind("softmax") }, "crossentropy"),
        "ConvStride" => (new ConvStrideNet(), 84, 2, new[] { Image(2, 7, 6), Conv("conv2d", 2, 3, 3, 2, 2, 0), Kind("tanh"), Kind("flatten"), Dense(27, 2) }, "mse"),
        "ConvPadding" => (new ConvPaddingNet(), 243, 3, new[] { Image(3, 9, 9), Conv("conv2d", 3, 4, 5, 3, 2, 2), new { kind = "elu", alpha = 1.0 }, Kind("flatten"), Dense(120, 3) }, "mse"),
        "ConvWide" => (new ConvWideNet(), 95, 2, new[] { Image(1, 5, 19), Conv("conv2d", 1, 2, 3, 3, 1, 1), Kind("relu"), Conv("conv2d", 2, 2, 1, 17, 1, 0), Kind("flatten"), Dense(30, 2) }, "mse"),
        "ConvTiled" => (new ConvTiledNet(), 204, 3, new[] { Image(2, 6, 17), Conv("conv2d", 2, 6, 3, 5, 1, 2), Kind("tanh"), Conv("conv2d", 6, 5, 2, 7, 1, 1), new { kind = "elu", alpha = 1.0 }, Kind("flatten"), Dense(585, 3) }, "mse"),
        "ConvWideRows" => (new ConvWideRowsNet(), 300, 2, new[] { Image(2, 5, 30), Conv("conv2d", 2, 4, 3, 3, 1, 1), Kind("tanh"), Conv("conv2d", 4, 3, 4, 3, 1, 0), Pool("maxpool", 2, 2), Kind("flatten"), Dense(42, 2) }, "mse"),
        "PooledGradient" => (new PooledGradientNet(), 200, 3, new[] { Image(2, 10, 10), Conv("conv2d", 2, 5, 3, 3, 1, 1), Kind("relu"), Pool("maxpool", 2, 2), Conv("conv2d", 5, 4, 2, 2, 1, 0), Pool("maxpool", 2, 2), Kind("flatten"), Dense(16, 3) }, "mse"),
        "PooledChunks" => (new PooledChunksNet(), 1156, 2, new[] { Image(1, 34, 34), Conv("conv2d", 1, 2, 3, 3, 1, 1), Kind("relu"), Pool("maxpool", 2, 2), Kind("flatten"), Dense(578, 2) }, "mse"),
        "PooledOverlap" => (new PooledOverlapNet(), 189, 2, new[] { Image(1, 9, 21), Conv("conv2d", 1, 2, 3, 3, 1, 0), Kind("relu"), Pool("maxpool", 3, 2), Kind("flatten"), Dense(54, 2) }, "mse"),
        "MaxPool" => (new MaxPoolNet(), 126, 3, new[] { Image(2, 7, 9), Pool("maxpool", 3, 2), Kind("flatten"), Dense(24, 3) }, "mse"),
        "AvgPool" => (new AvgPoolNet(), 147, 2, new[] { Image(3, 7, 7), Pool("avgpool", 2, 1), Pool("avgpool", 3, 3), Kind("flatten"), Dense(12, 2) }, "mse"),
        "ConvTranspose" => (new ConvTransposeNet(), 24, 2, new[] { Image(2, 3, 4), Conv("convtranspose2d", 2, 3, 3, 3, 2, 1), Kind("tanh"), Conv("convtranspose2d", 3, 1, 2, 3, 1, 0), Kind("flatten"), Dense(54, 2) }, "mse"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };

    [Theory, MemberData(nameof(Networks))]
    public void AgreesWithTensorFlowJs(string name)
    {
        var (net, inputLength, outputLength, layers, loss) = Describe(name);
        for (int seed = 11; seed <= 13; seed++)
        {
            var (input, target) = GradientCheck.RandomCase(net, inputLength, outputLength, seed, distribution: loss == "crossentropy");
            int label = seed % outputLength;

            net.ZeroGradients();
            net.Forward(input, new double[outputLength]);
            double[] inputGradient = new double[inputLength];
            double ours = loss == "crossentropy-label"
                ? ((IDoubleClassifier)net).Backward(label, inputGradient)
                : net.Backward(target, inputGradient);

            var theirs = RunTensorFlowJs(new { layers, loss, input, target, label, parameters = net.Parameters.ToArray() });
            Compare(ours, theirs.GetProperty("loss").GetDouble(), name + " loss");
            double[] theirParameterGradients = theirs.GetProperty("parameterGradients").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] theirInputGradient = theirs.GetProperty("inputGradient").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(net.Gradients.Length, theirParameterGradients.Length);
            for (int i = 0; i < theirParameterGradients.Length; i++)
            {
                Compare(net.Gradients[i], theirParameterGradients[i], $"{name} ∂ℓ/∂θ[{i}] (seed {seed})");
            }

            for (int i = 0; i < inputLength; i++)
            {
                Compare(inputGradient[i], theirInputGradient[i], $"{name} ∂ℓ/∂x[{i}] (seed {seed})");
            }
        }
    }

    private static void Compare(double ours, double theirs, string what)
    {
        double tolerance = Atol + (Rtol * Math.Abs(theirs));
        Assert.True(Math.Abs(ours - theirs) <= tolerance, $"{what}: Codegen {ours:R}, TensorFlow.js {theirs:R}");
    }

    private static JsonElement RunTensorFlowJs(object testCase, [CallerFilePath] string thisFile = "")
    {
        string directory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "tfjs"));
        Assert.True(
            Directory.Exists(Path.Combine(directory, "node_modules", "@tensorflow", "tfjs")),
            $"TensorFlow.js is not installed in {directory}: building the test project runs 'npm ci' there (it needs Node.js and npm).");
        string casePath = Path.Combine(Path.GetTempPath(), "codegen-tfjs-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(casePath, JsonSerializer.Serialize(testCase));
        try
        {
            var start = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("check.js");
            start.ArgumentList.Add(casePath);
            using Process process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"node check.js failed ({process.ExitCode}): {error.Result}");
            return JsonDocument.Parse(output).RootElement.Clone();
        }
        finally
        {
            File.Delete(casePath);
        }
    }
}

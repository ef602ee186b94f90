using System.Globalization;
using Codegen.Generator.Tests.TestHelpers;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// The emitter's output for representative networks, compared with Baselines/&lt;TestName&gt;/. Each test also checks
/// that the generated code compiles cleanly and that an unrelated edit leaves every pipeline step cached.
/// To accept a change: <c>CODEGEN_ACCEPT=1 dotnet test tests/Codegen.Generator.Tests</c>, then review the diff.
/// </summary>
public sealed class GoldenTests
{
    internal const string IrisNet = """
        using Codegen;

        namespace Demo;

        [Network]
        [Input(4)]
        [Dense(16), ReLU]
        [Dense(3), Softmax]
        [CrossEntropy]
        public partial class IrisNet;
        """;

    internal const string RegressionNet = """
        using Codegen;

        namespace Demo.Regression
        {
            /// <summary>Every elementwise activation but the ones a classifier uses, in double precision.</summary>
            [Network(Precision = Precision.Double)]
            [Input(3)]
            [Dense(5), Tanh]
            [Dense(4), ELU]
            [Dense(4), LeakyReLU(0.2)]
            [Dense(3), Softsign]
            [Dense(2)]
            [MeanSquaredError]
            public partial class RegressionNet
            {
                public double Predict(double a, double b, double c)
                {
                    System.Span<double> output = stackalloc double[OutputLength];
                    Forward(new[] { a, b, c }, output);
                    return output[0];
                }
            }
        }
        """;

    internal const string NestedStruct = """
        using Codegen;

        namespace Demo.Nested;

        public partial class Models
        {
            [Network]
            [Input(5)]
            [Dense(4), Sigmoid]
            [Dense(2), Sigmoid]
            [BinaryCrossEntropy]
            internal partial struct SpamFilter
            {
            }
        }
        """;

    internal const string InferenceOnly = """
        using Codegen;

        [Network]
        [Input(6)]
        [Dense(5), ReLU]
        [Dense(3), Sigmoid]
        internal partial class Scorer;
        """;

    internal const string DigitsNet = """
        using Codegen;

        namespace Demo.Digits;

        [Network]
        [Input(64)]
        [Dense(32), ReLU]
        [Dense(10), Softmax]
        [CrossEntropy]
        public partial class DigitsNet;
        """;

    [Fact]
    public void Iris() => Check(IrisNet);

    [Fact]
    public void DoubleRegression() => Check(RegressionNet);

    [Fact]
    public void NestedPartialStruct() => Check(NestedStruct);

    [Fact]
    public void InferenceOnlyInGlobalNamespace() => Check(InferenceOnly);

    [Fact]
    public void Digits()
    {
        GeneratorOutput output = Check(DigitsNet);

        // 64 → 32 is too large to unroll: the forward runs four rows per vector kernel call, the backward a row per call.
        string code = output.Sources["Demo.Digits.DigitsNet.g.cs"];
        Assert.Contains("for (int j = 0; j < 32; j += 4)", code, System.StringComparison.Ordinal);
        Assert.Contains("global::CodegenKernels.Dense4(w.Slice(j * 64, 256), x, b.Slice(j, 4), y.Slice(j, 4));", code, System.StringComparison.Ordinal);
        Assert.Contains("global::CodegenKernels.AddScaled(gw.Slice(j * 64, 64), x, d);", code, System.StringComparison.Ordinal);
        Assert.Contains("file static class CodegenKernels", code, System.StringComparison.Ordinal);
    }

    [Fact]
    public void BatchedMlp()
    {
        // [Network(MaxBatch = 16)]: buffers for 16 samples, the batch overloads, and the Dense batch kernels for the
        // 20-wide first layer (three rows by four samples; its 7 units leave one row, so no two-row kernel is written);
        // the 7 → 3 layer is short enough to run the per-sample block once per sample.
        GeneratorOutput output = Check("""
            using Codegen;

            namespace Demo;

            [Network(MaxBatch = 16)]
            [Input(20)]
            [Dense(7), Tanh]
            [Dense(3), Softmax]
            [CrossEntropy]
            public partial class BatchNet;
            """);
        string code = output.Sources["Demo.BatchNet.g.cs"];
        Assert.Contains("public const int MaxBatch = 16;", code, System.StringComparison.Ordinal);
        Assert.Contains("global::CodegenKernels.Dense3x4(w.Slice(j * 20, 60), x.Slice(b0 * 20, 80), bias.Slice(j, 3), y.Slice((b0 * 7) + j), 7);", code, System.StringComparison.Ordinal);
        Assert.DoesNotContain("Dense2x4", code, System.StringComparison.Ordinal);
        Assert.Contains("public float TrainStep(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<int> labels, float learningRate)", code, System.StringComparison.Ordinal);
    }

    [Fact]
    public void BatchedCnn()
    {
        // Image layers run once per sample in the batch methods, on that sample's slice of every buffer. Flatten after
        // another layer copies nothing: ŷ⁽⁴⁾ and ∇⁽⁴⁾ are the arrays of ŷ⁽³⁾ and ∇⁽³⁾, in the per-sample and batch methods.
        GeneratorOutput output = Check("""
            using Codegen;

            namespace Demo;

            [Network(MaxBatch = 4)]
            [Input(1, 6, 6)]
            [Conv2D(2, 3), ReLU]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(3), Softmax]
            [CrossEntropy]
            public partial class BatchCnn;
            """);
        string code = output.Sources["Demo.BatchCnn.g.cs"];
        Assert.Contains("_y4 = _y3; // Flatten", code, System.StringComparison.Ordinal);
        Assert.Contains("_g4 = _g3; // Flatten", code, System.StringComparison.Ordinal);
        Assert.DoesNotContain("CopyTo(new(_y4", code, System.StringComparison.Ordinal);
        Assert.DoesNotContain("CopyTo(new(_g3", code, System.StringComparison.Ordinal);
        Assert.DoesNotContain("CopyTo(_y4)", code, System.StringComparison.Ordinal);
    }

    [Fact]
    public void TinyNetTrainStepInRegisters()
    {
        // Every layer at most 8 floats wide and an elementwise loss: TrainStep keeps x⁽ⁱ⁾, ŷ⁽ⁱ⁾ and ∇⁽ⁱ⁾ in locals where
        // Vector256 is accelerated (W⁽¹⁾, 8 rows of 4, summed as its 4 columns, transposed in registers, and stepped two rows
        // per Vector256; rows of 8 summed and stepped as Vector256s), and calls the layers' methods otherwise. Forward and
        // Backward are unchanged.
        GeneratorOutput output = Check("""
            using Codegen;

            namespace Demo;

            [Network]
            [Input(4)]
            [Dense(8), Tanh]
            [Dense(3)]
            [MeanSquaredError]
            public partial class TinyNet;
            """);

        string code = output.Sources["Demo.TinyNet.g.cs"];
        Assert.Contains("var vy2 = global::CodegenMath.Tanh(vy1);", code, System.StringComparison.Ordinal);
        Assert.Contains("var (c1_0, c1_1, c1_2, c1_3) = global::CodegenColumns.Load(ref rp, 0);", code, System.StringComparison.Ordinal);
        Assert.Contains("file static class CodegenColumns", code, System.StringComparison.Ordinal);
        Assert.Contains("// Without Vector256: the layers' methods, through the arrays", code, System.StringComparison.Ordinal);
    }

    [Fact]
    public void TinyClassifierTrainStepInRegisters()
    {
        // The same with a softmax fused with the cross-entropy: both TrainStep overloads (label and target) compute the
        // log-sum-exp loss and ∇ = p − onehot(label) or p·Σₖyₖ − y from the logits in locals.
        GeneratorOutput output = Check("""
            using Codegen;

            namespace Demo;

            [Network]
            [Input(4)]
            [Dense(8), ReLU]
            [Dense(3), Softmax]
            [CrossEntropy]
            public partial class TinyClassifier;
            """);

        string code = output.Sources["Demo.TinyClassifier.g.cs"];
        Assert.Contains("float crossEntropy = lse - global::System.Runtime.Intrinsics.Vector256.GetElement(vy3, label);", code, System.StringComparison.Ordinal);
        Assert.Contains("float g3_0 = ((e_0 * inverse) * sumY) - target[0];", code, System.StringComparison.Ordinal);
    }

    [Fact]
    public void TwoNetworksInOneFile()
    {
        // Same type name in two places: the hint names (and so the generated files) stay distinct.
        Check("""
            using Codegen;

            namespace First
            {
                [Network]
                [Input(2)]
                [Dense(1)]
                [MeanSquaredError]
                public partial class Net;
            }

            namespace Second
            {
                public partial class Outer
                {
                    [Network]
                    [Input(2)]
                    [Dense(1)]
                    public partial class Net;
                }
            }
            """);
    }

    [Fact]
    public void InvalidNetworksReportDiagnostics()
    {
        // The golden helper also records diagnostics; nothing is generated for a network with an error.
        const string source = """
            using Codegen;

            namespace Demo.Invalid;

            [Network]
            [Input(4)]
            [Dense(3)]
            [CrossEntropy]
            public partial class NoSoftmax;

            [Network]
            [Dense(3)]
            public class NotPartialNoInput;
            """;
        GeneratorOutput output = GeneratorDriverHelper.Run(source);
        Assert.Empty(output.Sources);
        GoldenFile.Verify(output);
        GeneratorDriverHelper.AssertCached(source);
    }

    [Fact]
    public void OutputDoesNotDependOnCulture()
    {
        string expected = GeneratorDriverHelper.RunValid(RegressionNet).Sources["Demo.Regression.RegressionNet.g.cs"];
        foreach (CultureInfo culture in TestCultures.All())
        {
            using (TestCultures.Use(culture))
            {
                string actual = GeneratorDriverHelper.RunValid(RegressionNet).Sources["Demo.Regression.RegressionNet.g.cs"];
                Assert.True(expected == actual, $"Under {culture.Name}: {GoldenFile.FirstDifference(expected, actual)}");
            }
        }
    }

    private static GeneratorOutput Check(string source, [System.Runtime.CompilerServices.CallerMemberName] string testName = "")
    {
        GeneratorOutput output = GeneratorDriverHelper.RunValid(source);
        GoldenFile.Verify(output, testName);
        GeneratorDriverHelper.AssertCached(source);
        return output;
    }
}

using System;
using System.Linq;
using System.Text.RegularExpressions;
using Codegen.Generator.Tests.TestHelpers;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// Declarations at the edge of what the generator handles. For each, the generator must either report a Codegen
/// diagnostic or generate code that compiles cleanly: code that does not compile, with no diagnostic to explain it,
/// leaves the user with errors in a file they did not write.
/// Each case here once failed: code that did not compile, or a crash, with no diagnostic.
/// </summary>
public sealed class RobustnessTests
{
    private const string Network = "using Codegen;\n\nnamespace Demo;\n\n[Network]\n[Input(2)]\n[Dense(1)]\n[MeanSquaredError]\n";

    [Theory]
    // A type or namespace named with a keyword: the generated declaration must escape it (@class).
    [InlineData("keyword type name", Network + "public partial class @class;")]
    // A primary constructor: a generated parameterless constructor must chain to it (CS8862) or be reported.
    [InlineData("class with a primary constructor", Network + "public partial class Net(int seed)\n{\n    public int Seed => seed;\n}")]
    [InlineData("positional record", Network + "public partial record Net(int Seed);")]
    [InlineData("positional record struct", Network + "public partial record struct Net(int Seed);")]
    // A readonly struct cannot hold the mutable _hasForward flag (CS8340).
    [InlineData("readonly struct", Network + "public readonly partial struct Net;")]
    // Members the generator adds but does not check for (CG0016 only covers the public ones).
    [InlineData("field named _x", Network + "public partial class Net\n{\n    private int _x;\n    public int X => _x;\n}")]
    [InlineData("method named BackPropagate", Network + "public partial class Net\n{\n    private void BackPropagate(System.Span<float> gradient) { }\n}")]
    [InlineData("constant named W1", Network + "public partial class Net\n{\n    public const int W1 = 3;\n}")]
    [InlineData("nested type named CodegenThrow", Network + "public partial class Net\n{\n    private static class CodegenThrow { }\n}")]
    [InlineData("type named CodegenThrow in the namespace", Network + "public partial class Net;\n\ninternal static class CodegenThrow { }")]
    // A file-local type: the generated 'partial class Net' in another file declares a different type.
    [InlineData("file-local type", Network + "file partial class Net;\n\nfile static class Use\n{\n    public static float[] Run()\n    {\n        var output = new float[Net.OutputLength];\n        new Net().Forward(new float[Net.InputLength], output);\n        return output;\n    }\n}")]
    public void GeneratesCompilableCodeOrReportsADiagnostic(string name, string source)
    {
        GeneratorOutput output = GeneratorDriverHelper.Run(source);
        bool reported = output.GeneratorDiagnostics.Any(d => d.Id.StartsWith("CG", StringComparison.Ordinal) && d.Id != "CG0099");
        Assert.True(
            reported || output.CompilationDiagnostics.IsEmpty,
            $"{name}: no Codegen diagnostic, but the compilation with the generated code has errors or warnings:\n{GeneratorDriverHelper.Format(output.CompilationDiagnostics.Take(6))}");
    }

    [Theory]
    [InlineData("[Input(3)]\n[Sigmoid]\n[BinaryCrossEntropy]")]                       // no parameters; the fused loss writes the input gradient
    [InlineData("[Input(3)]\n[Softmax]\n[CrossEntropy]")]
    [InlineData("[Input(3)]\n[Tanh]\n[MeanSquaredError]")]
    [InlineData("[Input(3)]\n[Dense(4), Softmax]\n[MeanSquaredError]")]              // the general softmax backward
    [InlineData("[Input(3)]\n[Dense(4), LeakyReLU, ELU(0.5), Softsign]\n[Dense(2)]\n[MeanSquaredError]")]
    [InlineData("[Input(5)]\n[Dense(4)]\n[Dense(3)]\n[Dense(2)]\n[MeanSquaredError]")] // dense after dense
    [InlineData("[Input(16)]\n[Dense(4), ReLU]\n[Dense(1)]\n[MeanSquaredError]")]      // at the unroll limits
    [InlineData("[Input(17)]\n[Dense(4), ReLU]\n[Dense(1)]\n[MeanSquaredError]")]      // just past the inner limit
    [InlineData("[Input(13)]\n[Dense(5), Sigmoid]\n[BinaryCrossEntropy]")]            // just past the full-unroll limit
    [InlineData("[Input(17)]\n[ReLU, Sigmoid, Softsign]\n[Dense(17), Softmax]\n[CrossEntropy]")]
    [InlineData("[Input(1)]\n[Dense(1)]")]
    [InlineData("[Input(1, 6, 6)]\n[Conv2D(2, 3, Padding = 1), ReLU]\n[MaxPool2D(2)]\n[MaxUnpool2D]\n[Dropout(0.5)]\n[AvgPool2D(3)]\n[ConvTranspose2D(1, 2)]\n[Flatten]\n[Dense(2), Softmax]\n[CrossEntropy]")]
    [InlineData("[Input(2, 5, 5)]\n[Dropout(0.2)]\n[Conv2D(1, 5)]\n[Flatten]")]
    public void ValidLayoutsGenerateCleanCode(string layers)
    {
        foreach (string precision in new[] { "Precision.Float", "Precision.Double" })
        {
            foreach (string declaration in new[] { "public partial class Net;", "public partial struct Net;", "public readonly partial struct Net;" })
            {
                string source = "using Codegen;\n\nnamespace Demo;\n\n[Network(Precision = " + precision + ")]\n" + layers + "\n" + declaration;
                GeneratorDriverHelper.RunValid(source);
                GeneratorDriverHelper.AssertCached(source);
            }
        }
    }

    [Fact]
    public void KeywordNamespaceDoesNotCrashTheGenerator()
    {
        // The hint name is built from the escaped namespace ("@event.Net.g.cs"), which AddSource rejects with an
        // ArgumentException outside the emitter's try/catch: the whole generator fails (CS8785).
        GeneratorOutput output = GeneratorDriverHelper.Run("using Codegen;\n\nnamespace @event;\n\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;");
        GeneratorDriverHelper.AssertNoDiagnostics(output);
    }

    [Fact]
    public void MemoryInTheRemarksDoesNotOverflow()
    {
        // 150,015,000 double parameters, under the 2^28 limit: parameters and gradients need 2,400,240,000 B, more than int.MaxValue.
        GeneratorOutput output = GeneratorDriverHelper.RunValid(
            "using Codegen;\n\nnamespace Demo;\n\n[Network(Precision = Precision.Double)]\n[Input(10000)]\n[Dense(15000)]\n[MeanSquaredError]\npublic partial class Wide;");
        string memory = output.Sources["Demo.Wide.g.cs"].Split('\n').Single(l => l.Contains("<para>Memory", StringComparison.Ordinal));
        Assert.DoesNotMatch(new Regex(@"-[0-9][0-9,]* B"), memory);
        Assert.Contains("in all 2,400,560,000 B", memory, StringComparison.Ordinal);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Codegen.Generator.Diagnostics;
using Codegen.Generator.Tests.TestHelpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// One test per diagnostic (named after its ID, so <see cref="EveryDiagnosticHasATest"/> can find it): the exact ID,
/// the span it points at (marked <c>{|…|}</c> in the source), and a message that names the attribute or shape involved.
/// Then the catalogue checks (release tracking, docs) and inputs on which the generator must not throw.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Usings = "using Codegen;\n\nnamespace Demo;\n\n";

    [Fact]
    public void CG0001_NotPartial() => ExpectOnly("CG0001", new[] { "'Net'", "partial class Net" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(1)]
        public class {|Net|};
        """);

    [Fact]
    public void CG0001_NotPartialStruct() => ExpectOnly("CG0001", new[] { "'Net'", "partial struct Net" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(1)]
        public struct {|Net|}
        {
        }
        """);

    [Fact]
    public void CG0002_ContainingTypeNotPartial() => ExpectOnly("CG0002", new[] { "'Net'", "'Outer'", "partial" }, Usings + """
        public class Outer
        {
            [Network]
            [Input(2)]
            [Dense(1)]
            public partial class {|Net|};
        }
        """);

    [Theory]
    [InlineData("""
        using Codegen;

        [Network]
        [Input(2)]
        [Dense(1)]
        public partial class {|Net|}<T>;
        """)]
    [InlineData("""
        using Codegen;

        public partial class Outer<T>
        {
            [Network]
            [Input(2)]
            [Dense(1)]
            public partial class {|Net|};
        }
        """)]
    public void CG0003_Generic(string markup) => ExpectOnly("CG0003", new[] { "'Net'", "generic" }, markup);

    [Theory]
    [InlineData("static", "public static partial class {|Net|}\n{\n}")]
    [InlineData("abstract", "public abstract partial class {|Net|};")]
    public void CG0004_UnsupportedTypeKind(string kind, string declaration) =>
        ExpectOnly("CG0004", new[] { "'Net'", "is " + kind }, Usings + "[Network]\n[Input(2)]\n[Dense(1)]\n" + declaration);

    [Fact]
    public void CG0005_MissingInput() => ExpectOnly("CG0005", new[] { "'Net'", "[Input]" }, Usings + """
        [Network]
        [Dense(2), ReLU]
        [Dense(1)]
        public partial class {|Net|};
        """);

    [Fact]
    public void CG0006_InputNotFirst()
    {
        // The parser also reports CG0005 ("has no [Input] attribute") here, although the declaration has one.
        ExpectAmong("CG0006", new[] { "[Input]", "'Net'", "after [Dense]" }, Usings + """
            [Network]
            [Dense(2)]
            [{|Input(3)|}]
            public partial class Net;
            """);
    }

    [Fact]
    public void CG0006_InputTwice() => ExpectOnly("CG0006", new[] { "[Input]", "'Net'", "after [Input]" }, Usings + """
        [Network]
        [Input(2)]
        [{|Input(3)|}]
        [Dense(1)]
        public partial class Net;
        """);

    [Theory]
    [InlineData("[Input(2)]\n[{|Dense(0)|}]", "[Dense]", "units = 0")]
    [InlineData("[{|Input(-1)|}]\n[Dense(2)]", "[Input]", "length = -1")]
    [InlineData("[Input(2)]\n[Dense(3), {|Dense(-7)|}]", "[Dense]", "units = -7")]
    public void CG0007_NonPositiveSize(string layers, string attribute, string shape) =>
        ExpectOnly("CG0007", new[] { attribute, "'Net'", shape, "at least 1" }, Usings + "[Network]\n" + layers + "\npublic partial class Net;");

    [Fact]
    public void CG0008_LayerAfterLoss() => ExpectOnly("CG0008", new[] { "[Sigmoid]", "[MeanSquaredError]", "'Net'" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(1)]
        [MeanSquaredError]
        [{|Sigmoid|}]
        public partial class Net;
        """);

    [Fact]
    public void CG0009_TwoLosses() => ExpectOnly("CG0009", new[] { "'Net'", "[MeanSquaredError]", "[BinaryCrossEntropy]" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(1), Sigmoid]
        [BinaryCrossEntropy]
        [{|MeanSquaredError|}]
        public partial class Net;
        """);

    [Fact]
    public void CG0010_CrossEntropyAfterDense() => ExpectOnly("CG0010", new[] { "[CrossEntropy]", "[Softmax]", "'Net'", "[Dense(3)]", "3 outputs" }, Usings + """
        [Network]
        [Input(4)]
        [Dense(3)]
        [{|CrossEntropy|}]
        public partial class Net;
        """);

    [Fact]
    public void CG0010_BinaryCrossEntropyAfterTanh() => ExpectOnly("CG0010", new[] { "[BinaryCrossEntropy]", "[Sigmoid]", "'Net'", "[Tanh]", "2 outputs" }, Usings + """
        [Network]
        [Input(4)]
        [Dense(2), Tanh]
        [{|BinaryCrossEntropy|}]
        public partial class Net;
        """);

    [Fact]
    public void CG0011_AttributesOnAnotherDeclaration() => ExpectOnly("CG0011", new[] { "[Sigmoid]", "'Net'", "[Network]" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(1)]
        public partial class Net;

        [{|Sigmoid|}]
        public partial class Net;
        """);

    [Fact]
    public void CG0011_AttributesOnADeclarationInAnotherFile() => ExpectOnly(
        "CG0011",
        new[] { "[Dense]", "'Net'" },
        Usings + "[Network]\n[Input(2)]\n[Dense(3)]\npublic partial class Net;\n",
        Usings + "[{|Dense(1)|}]\npublic partial class Net;\n");

    [Theory]
    [InlineData("[Input(2)]\n[Dense(1), {|LeakyReLU(double.NaN)|}]", "[LeakyReLU]", "'slope'")]
    [InlineData("[Input(2)]\n[Dense(1), {|ELU(double.PositiveInfinity)|}]", "[ELU]", "'alpha'")]
    public void CG0012_InvalidActivationArgument(string layers, string attribute, string parameter) =>
        ExpectOnly("CG0012", new[] { attribute, "'Net'", parameter, "finite" }, Usings + "[Network]\n" + layers + "\npublic partial class Net;");

    [Fact]
    public void CG0012_InvalidPrecision() => ExpectOnly("CG0012", new[] { "[Network]", "'Net'", "Precision" }, Usings + """
        [{|Network(Precision = (Precision)7)|}]
        [Input(2)]
        [Dense(1)]
        public partial class Net;
        """);

    [Theory]
    [InlineData("0", "MaxBatch must be from 1 to 4096, not 0")]
    [InlineData("5000", "MaxBatch must be from 1 to 4096, not 5000")]
    [InlineData("-3", "MaxBatch must be from 1 to 4096, not -3")]
    [InlineData("4096", "MaxBatch = 4096 times the largest layer output (100000 values) is 409600000 values")]
    public void CG0012_InvalidMaxBatch(string maxBatch, string message) => ExpectOnly("CG0012", new[] { "[Network]", "'Net'", message },
        Usings + "[{|Network(MaxBatch = " + maxBatch + ")|}]\n[Input(2)]\n[Dense(100000)]\npublic partial class Net;");

    [Fact]
    public void CG0013_NoLayers() => ExpectOnly("CG0013", new[] { "'Net'", "[Input]", "no layer" }, Usings + """
        [Network]
        [Input(3)]
        public partial class {|Net|};
        """);

    [Fact]
    public void CG0014_TooManyParameters() =>
        ExpectOnly("CG0014", new[] { "'Big'", "10000100000 parameters", Parsing.NetworkParser.MaxElements.ToString(CultureInfo.InvariantCulture) }, Usings + """
            [Network]
            [Input(100000)]
            [Dense(100000)]
            public partial class {|Big|};
            """);

    [Fact]
    public void CG0014_TooManyActivations() => ExpectOnly("CG0014", new[] { "'Wide'", "600000000 activation values" }, Usings + """
        [Network]
        [Input(300000000)]
        [ReLU]
        public partial class {|Wide|};
        """);

    [Theory]
    [InlineData("class")]
    [InlineData("struct")]
    public void CG0015_ConstructorConflict(string keyword) => ExpectOnly("CG0015", new[] { "'Net'", "parameterless constructor" }, Usings + $$"""
        [Network]
        [Input(2)]
        [Dense(1)]
        public partial {{keyword}} {|Net|}
        {
            public Net()
            {
            }
        }
        """);

    [Theory]
    [MemberData(nameof(GeneratedMemberNames))]
    public void CG0016_MemberConflict(string member) => ExpectOnly("CG0016", new[] { "'Net'", "'" + member + "'" }, Usings + $$"""
        [Network]
        [Input(2)]
        [Dense(1)]
        public partial class {|Net|}
        {
            public static int {{member}}() => 0;
        }
        """);

    [Fact]
    public void CG0016_MemberConflictInAnotherPartialDeclaration() => ExpectOnly("CG0016", new[] { "'Net'", "'Forward'" }, Usings + """
        [Network]
        [Input(2)]
        [Dense(1)]
        public partial class {|Net|};

        public partial class Net
        {
            public void Forward()
            {
            }
        }
        """);

    public static TheoryData<string> GeneratedMemberNames() => new(Parsing.NetworkParser.GeneratedMemberNames);

    [Fact]
    public void SeveralErrorsAreAllReported()
    {
        GeneratorOutput output = GeneratorDriverHelper.Run(Usings + """
            [Network]
            [Input(2)]
            [Dense(0)]
            [MeanSquaredError]
            [ReLU]
            public class Net
            {
                public void Step() { }
            }
            """);
        Assert.Equal(new[] { "CG0001", "CG0007", "CG0008", "CG0016" }, output.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.Empty(output.Sources);
    }

    [Fact]
    public void EveryDiagnosticHasATest()
    {
        string[] tested = typeof(DiagnosticTests).GetMethods().Select(m => m.Name.Split('_')[0]).ToArray();
        foreach (DiagnosticDescriptor descriptor in Descriptors().Where(d => d.Id != DiagnosticDescriptors.UnexpectedError.Id))
        {
            Assert.True(tested.Contains(descriptor.Id), $"No test named {descriptor.Id}_… in {nameof(DiagnosticTests)}.");
        }
    }

    [Fact]
    public void DescriptorsFormOneSeriesOfErrors()
    {
        DiagnosticDescriptor[] descriptors = Descriptors();
        Assert.Equal(descriptors.Length, descriptors.Select(d => d.Id).Distinct().Count());
        Assert.All(descriptors, d =>
        {
            Assert.Matches("^CG[0-9]{4}$", d.Id);
            Assert.Equal("Codegen", d.Category);
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString(CultureInfo.InvariantCulture)));
        });
        int[] numbers = descriptors.Select(d => int.Parse(d.Id.Substring(2), CultureInfo.InvariantCulture)).Where(n => n != 99).OrderBy(n => n).ToArray();
        Assert.Equal(Enumerable.Range(1, numbers.Length), numbers);
    }

    [Fact]
    public void EveryDescriptorIsInTheReleaseTracking()
    {
        string[] lines = File.ReadAllLines(Path.Combine(GoldenFile.RepositoryRoot(), "generator", "Codegen.Generator", "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            string[] row = lines.Select(l => l.Split('|').Select(c => c.Trim()).ToArray()).FirstOrDefault(cells => cells[0] == d.Id)
                ?? throw new Xunit.Sdk.XunitException($"{d.Id} has no row in AnalyzerReleases.Unshipped.md.");
            Assert.Equal(new[] { d.Id, d.Category, d.DefaultSeverity.ToString(), d.Title.ToString(CultureInfo.InvariantCulture) }, row);
        }
    }

    [Fact]
    public void EveryDescriptorIsDocumented()
    {
        string path = Path.Combine(GoldenFile.RepositoryRoot(), "docs", "diagnostics.md");
        Assert.True(File.Exists(path), "docs/diagnostics.md does not exist.");
        string text = File.ReadAllText(path);
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            Assert.True(Regex.IsMatch(text, "^## " + d.Id + "\\b", RegexOptions.Multiline), $"docs/diagnostics.md has no '## {d.Id}' section.");
        }
    }

    // The generator is a guest in every build: on odd or broken input it reports or stays silent, but never throws.

    [Theory]
    [InlineData("")]
    [InlineData("using Codegen;")]
    [InlineData("using Codegen;\n[Network]\n")]
    [InlineData("using Codegen;\n[Network(Foo = 1)]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;")]
    [InlineData("using Codegen;\n[Network]\n[Input]\n[Dense(\"a\")]\npublic partial class Net;")]
    [InlineData("using Codegen;\n[Network]\n[Input(2)]\n[Dense(1), Unknown]\npublic partial class Net;")]
    [InlineData("using Codegen;\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial interface INet;")]
    [InlineData("using Codegen;\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Net : Missing;")]
    [InlineData("using Codegen;\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Net { public void Forward(")]
    [InlineData("using Codegen;\n[Network]\n[Input(int.MaxValue)]\n[Dense(int.MaxValue)]\npublic partial class Net;")]
    [InlineData("using Codegen;\n[Network]\n[Input(2)]\n[LeakyReLU(\"x\"), ELU(1, 2)]\npublic partial class Net;")]
    [InlineData("using Codegen;\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Net;\n[Network]\npublic partial class Net;")]
    [InlineData("[Codegen.Network, Codegen.Input(1), Codegen.Dense(1)] partial class A; [Codegen.Network] partial class A;")]
    public void DoesNotThrowOnOddInput(string source)
    {
        GeneratorOutput output = GeneratorDriverHelper.Run(source);
        Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == DiagnosticDescriptors.UnexpectedError.Id);
        Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Id is "CS8784" or "CS8785");
    }

    [Fact]
    public void UnboundArgumentsAreReportedAsInvalid()
    {
        GeneratorOutput output = GeneratorDriverHelper.Run("using Codegen;\n[Network]\n[Input]\n[Dense(\"a\")]\npublic partial class Net;");
        Assert.Equal(new[] { "CG0012", "CG0012" }, output.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Contains("[Input]", output.GeneratorDiagnostics[0].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("[Dense]", output.GeneratorDiagnostics[1].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(output.Sources);
    }

    [Theory]
    [InlineData("internal sealed partial class Net;", "Demo.Net.g.cs")]
    [InlineData("public partial class Net\n{\n    public static int LossAndGradient() => 0; // an overload of a generated private method\n}", "Demo.Net.g.cs")]
    [InlineData("public partial class Net : System.IDisposable\n{\n    public Net(int seed) : this() => InitializeParameters((ulong)seed);\n\n    public void Dispose()\n    {\n    }\n}", "Demo.Net.g.cs")]
    public void UnusualButValidDeclarationsGenerate(string declaration, string hintName)
    {
        string source = Usings + "[Network]\n[Input(3)]\n[Dense(2), Tanh]\n[Dense(1)]\n[MeanSquaredError]\n" + declaration + "\n";
        GeneratorOutput output = GeneratorDriverHelper.RunValid(source);
        Assert.Equal(new[] { hintName }, output.Sources.Keys);
        GeneratorDriverHelper.AssertCached(source);
    }

    [Fact]
    public void DiagnosticsAreCached() =>
        GeneratorDriverHelper.AssertCached(Usings + "[Network]\n[Input(2)]\n[Dense(0)]\npublic class Net;\n[Network]\n[Input(2)]\n[Dense(1)]\npublic partial class Valid;\n");

    private static DiagnosticDescriptor[] Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

    /// <summary>Runs the generator; expects exactly one diagnostic, <paramref name="id"/>, at the marked span, and nothing generated.</summary>
    private static void ExpectOnly(string id, string[] messageParts, params string[] markupSources)
    {
        (GeneratorOutput output, int file, TextSpan span) = RunMarked(markupSources);
        Diagnostic diagnostic = Assert.Single(output.GeneratorDiagnostics);
        AssertDiagnostic(diagnostic, id, messageParts, output, file, span);
        Assert.Empty(output.Sources);
        GeneratorDriverHelper.AssertCached(output.Input.SyntaxTrees.Select(t => t.ToString()).ToArray());
    }

    /// <summary>Like <see cref="ExpectOnly"/>, but other diagnostics may accompany <paramref name="id"/>.</summary>
    private static void ExpectAmong(string id, string[] messageParts, params string[] markupSources)
    {
        (GeneratorOutput output, int file, TextSpan span) = RunMarked(markupSources);
        Diagnostic diagnostic = Assert.Single(output.GeneratorDiagnostics, d => d.Id == id);
        AssertDiagnostic(diagnostic, id, messageParts, output, file, span);
        Assert.Empty(output.Sources);
    }

    private static (GeneratorOutput Output, int File, TextSpan Span) RunMarked(string[] markupSources)
    {
        int file = Array.FindIndex(markupSources, Markup.HasSpan);
        Assert.True(file >= 0, "No {|…|} span marks where the diagnostic is expected.");
        string[] sources = (string[])markupSources.Clone();
        (sources[file], TextSpan span) = Markup.Parse(markupSources[file]);
        return (GeneratorDriverHelper.Run(sources), file, span);
    }

    private static void AssertDiagnostic(Diagnostic diagnostic, string id, string[] messageParts, GeneratorOutput output, int file, TextSpan span)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);

        SyntaxTree tree = output.Input.SyntaxTrees.ElementAt(file);
        FileLinePositionSpan where = diagnostic.Location.GetLineSpan();
        Assert.Equal(tree.FilePath, where.Path);
        Assert.True(
            span == diagnostic.Location.SourceSpan,
            $"{id} points at '{tree.GetText().ToString(diagnostic.Location.SourceSpan)}' {diagnostic.Location.SourceSpan}, expected '{tree.GetText().ToString(span)}' {span}.");
        Assert.Equal(tree.GetLineSpan(span).Span, where.Span);

        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        foreach (string part in messageParts)
        {
            Assert.True(message.Contains(part, StringComparison.Ordinal), $"The message of {id} does not contain \"{part}\": {message}");
        }
    }
}

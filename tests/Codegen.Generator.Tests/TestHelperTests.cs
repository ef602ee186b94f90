using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Codegen.Generator.Helpers;
using Codegen.Generator.Model;
using Codegen.Generator.Tests.TestHelpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace Codegen.Generator.Tests;

/// <summary>
/// The test helpers themselves: the golden files (scrubbing, line endings, what a mismatch reports) and the cache
/// check, which must be able to fail.
/// </summary>
public sealed class TestHelperTests
{
    [Fact]
    public void ScrubsTheGeneratorVersionAndLineEndings()
    {
        string text = "a\r\n[global::System.CodeDom.Compiler.GeneratedCode(\"Codegen.Generator\", \"1.2.3.4\")]\r\nb\rc";
        Assert.Equal("a\n[global::System.CodeDom.Compiler.GeneratedCode(\"Codegen.Generator\", \"" + GoldenFile.VersionPlaceholder + "\")]\nb\nc", GoldenFile.Scrub(text));
    }

    [Fact]
    public void LeavesOtherGeneratedCodeAttributesAlone()
    {
        string text = "[global::System.CodeDom.Compiler.GeneratedCode(\"Other\", \"1.0\")]";
        Assert.Equal(text, GoldenFile.Scrub(text));
    }

    [Theory]
    [InlineData("a\nb\nc", "a\nB\nc", "line 2", "expected: b", "received: B")]
    [InlineData("a\nb", "a\nb\nc", "line 3", "expected: <end of file>", "received: c")]
    [InlineData("a\nb\nc", "a", "line 2", "expected: b", "received: <end of file>")]
    public void ReportsTheFirstDifferingLine(string expected, string received, string line, string left, string right)
    {
        string report = GoldenFile.FirstDifference(expected, received);
        Assert.Contains(line + ":", report, System.StringComparison.Ordinal);
        Assert.Contains(left, report, System.StringComparison.Ordinal);
        Assert.Contains(right, report, System.StringComparison.Ordinal);
    }

    [Fact]
    public void BaselinesLiveInTheSourceTree()
    {
        Assert.True(File.Exists(Path.Combine(GoldenFile.ProjectDirectory(), "Codegen.Generator.Tests.csproj")));
        Assert.True(File.Exists(Path.Combine(GoldenFile.RepositoryRoot(), "Codegen.sln")));
        Assert.Equal(Path.Combine(GoldenFile.ProjectDirectory(), "Baselines"), GoldenFile.BaselinesDirectory);
        Assert.True(Directory.Exists(GoldenFile.BaselinesDirectory));
    }

    [Fact]
    public void ObjectWalkFindsASymbolDeepInAModel()
    {
        CSharpCompilation compilation = GeneratorDriverHelper.CreateCompilation("class C { }");
        ISymbol symbol = compilation.GetTypeByMetadataName("C")!;
        var hidden = new[] { new { Inner = (object)new System.Tuple<int, object>(1, symbol) } };
        Assert.ThrowsAny<XunitException>(() => GeneratorDriverHelper.AssertNoBannedObjects(hidden, "test"));
        Assert.ThrowsAny<XunitException>(() => GeneratorDriverHelper.AssertNoBannedObjects(new System.Collections.Generic.List<object> { new System.Collections.Generic.KeyValuePair<string, SyntaxNode>("root", compilation.SyntaxTrees.Single().GetRoot()) }, "test"));
        Assert.ThrowsAny<XunitException>(() => GeneratorDriverHelper.AssertNoBannedObjects(ImmutableArray.Create<object>(Location.None), "test"));
    }

    [Fact]
    public void ObjectWalkAcceptsPlainData()
    {
        var location = new LocationInfo("a.cs", new Microsoft.CodeAnalysis.Text.TextSpan(1, 2), default);
        var result = new ParseResult(null, new[] { DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.NotPartial, location, "Net", "class") }.ToEquatableArray());
        GeneratorDriverHelper.AssertNoBannedObjects(result, "test");
        GeneratorDriverHelper.AssertNoBannedObjects(default(EquatableArray<DiagnosticInfo>), "test");
    }

    [Fact]
    public void ARealEditIsSeenAsAChange()
    {
        // The negative control of the cache check: changing a layer changes the spec and the output.
        const string before = "using Codegen;\n[Network]\n[Input(2)]\n[Dense(3)]\npublic partial class Net;\n";
        CSharpCompilation first = GeneratorDriverHelper.CreateCompilation(before);
        SyntaxTree tree = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(before.Replace("Dense(3)", "Dense(4)", System.StringComparison.Ordinal))));

        (GeneratorOutput one, GeneratorDriver driver) = GeneratorDriverHelper.Run(GeneratorDriverHelper.CreateDriver(), first);
        (GeneratorOutput two, _) = GeneratorDriverHelper.Run(driver, second);
        Assert.NotEqual(one.Sources["Net.g.cs"], two.Sources["Net.g.cs"]);
        IncrementalGeneratorRunStep step = Assert.Single(Assert.Single(two.RunResult.Results).TrackedSteps[StepNames.Spec]);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(step.Outputs).Reason);
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Codegen.Generator.Tests.TestHelpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Codegen.Generator.Tests;

/// <summary>
/// User-written activations and losses in the pipeline: a golden file of the derived expressions, and incrementality
/// (an edit to a function's body reaches the networks that use it, and only them, even from another file).
/// </summary>
public sealed class FunctionTests
{
    private const string Functions = """
        using System;

        namespace Demo;

        public static class Functions
        {
            public static float Swish(float x) => x / (1 + MathF.Exp(-x));

            public static float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));

            public static float Mish(float x) => x * MathF.Tanh(Softplus(x));

            public static float Softplus(float x) => MathF.Log(1 + MathF.Exp(x));

            public static float Gelu(float x)
            {
                var inner = MathF.Sqrt(2 / MathF.PI) * (x + (0.044715f * x * x * x));
                return 0.5f * x * (1 + MathF.Tanh(inner));
            }

            public static float HardTanh(float x) => Math.Clamp(x, -1, 1);

            public static float Huber(float output, float target)
            {
                var d = output - target;
                var a = MathF.Abs(d);
                return a <= 1 ? 0.5f * d * d : a - 0.5f;
            }

            public static float Quantile(float output, float target) => target - output >= 0 ? 0.9f * (target - output) : -0.1f * (target - output);

            public static float LogCosh(float output, float target) => MathF.Log(MathF.Cosh(output - target));
        }
        """;

    private const string Networks = """
        using Codegen;

        namespace Demo;

        [Network]
        [Input(3)]
        [Dense(4), Activation(typeof(Functions), nameof(Functions.Swish)), Activation(typeof(Functions), nameof(Functions.Sigmoid))]
        [Dense(4), Activation(typeof(Functions), nameof(Functions.Mish)), Activation(typeof(Functions), nameof(Functions.Gelu))]
        [Dense(2), Activation(typeof(Functions), nameof(Functions.HardTanh))]
        [Loss(typeof(Functions), nameof(Functions.Huber))]
        public partial class First;

        [Network]
        [Input(3)]
        [Dense(2)]
        [Loss(typeof(Functions), nameof(Functions.Quantile))]
        public partial class Second;

        [Network]
        [Input(3)]
        [Dense(2)]
        [Loss(typeof(Functions), nameof(Functions.LogCosh))]
        public partial class Third;
        """;

    /// <summary>
    /// The derived expressions as the generated remarks and comments show them (f, its backward g·f′ with f(x)
    /// replaced by the kept y where it appears, and ∂L/∂o), so a change in differentiation or simplification is seen
    /// in review.
    /// </summary>
    [Fact]
    public void DerivedExpressions()
    {
        GeneratorOutput output = GeneratorDriverHelper.RunValid(Networks, Functions);
        var lines = new List<string>();
        foreach (KeyValuePair<string, string> source in output.Sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            lines.Add("# " + source.Key);
            lines.AddRange(source.Value.Split('\n')
                .Where(l => l.Contains("f(x) =", StringComparison.Ordinal) || l.Contains("f′(x", StringComparison.Ordinal) || l.Contains("L(o, t) =", StringComparison.Ordinal) || l.Contains("(1/n) ∂L/∂o", StringComparison.Ordinal))
                .Select(l => l.Trim()));
        }

        GoldenFile.Verify(nameof(DerivedExpressions), new Dictionary<string, string> { ["derivatives"] = string.Join("\n", lines) + "\n" }, ImmutableArray<Diagnostic>.Empty);
        GeneratorDriverHelper.AssertCached(Networks, Functions);
    }

    [Fact]
    public void SigmoidWrittenByHandReusesTheForwardValue()
    {
        GeneratorOutput output = GeneratorDriverHelper.RunValid(Networks, Functions);
        string first = output.Sources["Demo.First.g.cs"];
        Assert.Contains("Activation(Sigmoid): ∂ℓ/∂x⁽³⁾ⱼ = ∇⁽³⁾ⱼ f′(x⁽³⁾ⱼ) = (g·(y·(1 − y)))", first, StringComparison.Ordinal);
    }

    [Fact]
    public void EditingAFunctionReachesOnlyTheNetworksThatUseIt()
    {
        CSharpCompilation before = GeneratorDriverHelper.CreateCompilation(Networks, Functions);
        (GeneratorOutput first, GeneratorDriver driver) = GeneratorDriverHelper.Run(GeneratorDriverHelper.CreateDriver(), before);

        // Change the body of Quantile, which only Second uses, in the other file.
        SyntaxTree functionsTree = before.SyntaxTrees.ElementAt(1);
        string edited = Functions.Replace("0.9f * (target - output) : -0.1f", "0.8f * (target - output) : -0.2f", StringComparison.Ordinal);
        Assert.NotEqual(Functions, edited);
        CSharpCompilation after = before.ReplaceSyntaxTree(functionsTree, functionsTree.WithChangedText(SourceText.From(edited)));
        (GeneratorOutput second, _) = GeneratorDriverHelper.Run(driver, after);

        Assert.Equal(first.Sources["Demo.First.g.cs"], second.Sources["Demo.First.g.cs"]);
        Assert.Equal(first.Sources["Demo.Third.g.cs"], second.Sources["Demo.Third.g.cs"]);
        Assert.NotEqual(first.Sources["Demo.Second.g.cs"], second.Sources["Demo.Second.g.cs"]);
        Assert.Contains("0.8f", second.Sources["Demo.Second.g.cs"], StringComparison.Ordinal);

        // The spec step re-emits Second only: First and Third come out Unchanged or Cached.
        GeneratorRunResult run = Assert.Single(second.RunResult.Results);
        var reasons = run.TrackedSteps[StepNames.Spec].SelectMany(s => s.Outputs)
            .Select(o => (Name: ((dynamic)o.Value).Hierarchy.Target.Name as string, o.Reason)).ToArray();
        Assert.Equal(3, reasons.Length);
        Assert.All(reasons.Where(r => r.Name != "Second"), r => Assert.True(r.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, r.Name + " " + r.Reason));
        Assert.Equal(IncrementalStepRunReason.Modified, reasons.Single(r => r.Name == "Second").Reason);
    }

    [Fact]
    public void EditingAnUnrelatedFunctionChangesNothing()
    {
        string withUnrelated = Functions.Replace("public static float Swish", "public static float Unused(float x) => x * 2;\n\n    public static float Swish", StringComparison.Ordinal);
        CSharpCompilation before = GeneratorDriverHelper.CreateCompilation(Networks, withUnrelated);
        (GeneratorOutput first, GeneratorDriver driver) = GeneratorDriverHelper.Run(GeneratorDriverHelper.CreateDriver(), before);
        SyntaxTree tree = before.SyntaxTrees.ElementAt(1);
        CSharpCompilation after = before.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(withUnrelated.Replace("x * 2", "x * 3", StringComparison.Ordinal))));
        (GeneratorOutput second, _) = GeneratorDriverHelper.Run(driver, after);

        Assert.Equal(first.Sources, second.Sources);
        GeneratorRunResult run = Assert.Single(second.RunResult.Results);
        foreach (string step in new[] { StepNames.ResolveFunctions, StepNames.Spec })
        {
            Assert.All(run.TrackedSteps[step].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, step + ": " + o.Reason));
        }
    }
}

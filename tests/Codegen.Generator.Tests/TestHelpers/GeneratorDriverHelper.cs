using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Codegen.Generator.Tests.TestHelpers;

/// <summary>What one run of <see cref="NetworkGenerator"/> produced.</summary>
/// <param name="Sources">Generated source text by hint name (which ends in <c>.g.cs</c>), ordered by hint name.</param>
/// <param name="GeneratorDiagnostics">The diagnostics the generator reported.</param>
/// <param name="CompilationDiagnostics">Errors and warnings of the user's compilation with the generated sources added.</param>
/// <param name="Input">The compilation the generator ran on.</param>
/// <param name="Output">That compilation with the generated sources added.</param>
/// <param name="RunResult">The driver's result, with the tracked incremental steps.</param>
internal sealed record GeneratorOutput(
    IReadOnlyDictionary<string, string> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> CompilationDiagnostics,
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriverRunResult RunResult);

/// <summary>
/// Runs the generator the way the compiler does, on a compilation built from source text, and checks its incremental
/// caching as andrewlock/NetEscapades.EnumGenerators does: a second run after an unrelated edit must produce the same
/// output, every tracked step must be Cached or Unchanged, and no step output may hold a symbol, syntax or compilation.
/// </summary>
internal static class GeneratorDriverHelper
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The types no tracked step output may contain: holding one keeps a compilation alive and defeats the cache.</summary>
    private static readonly Type[] BannedTypes =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location), typeof(AttributeData),
    };

    /// <summary>A compilation of <paramref name="sources"/> (files Source0.cs, Source1.cs…), C# latest, nullable enabled.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorTestAssembly",
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: "Source" + i + ".cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once on <paramref name="sources"/>.</summary>
    public static GeneratorOutput Run(params string[] sources) => Run(CreateDriver(), CreateCompilation(sources)).Output;

    /// <summary>Runs <paramref name="driver"/> on <paramref name="compilation"/>; returns the output and the updated driver.</summary>
    public static (GeneratorOutput Output, GeneratorDriver Driver) Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));

        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (GeneratedSourceResult source in result.Results.SelectMany(r => r.GeneratedSources))
        {
            sources.Add(source.HintName, source.SourceText.ToString());
        }

        ImmutableArray<Diagnostic> compilationDiagnostics = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToImmutableArray();
        return (new GeneratorOutput(sources, generatorDiagnostics, compilationDiagnostics, compilation, output, result), driver);
    }

    /// <summary>Runs the generator on valid input: it must report nothing, and the generated code must compile without errors or warnings.</summary>
    public static GeneratorOutput RunValid(params string[] sources)
    {
        GeneratorOutput output = Run(sources);
        AssertNoDiagnostics(output);
        return output;
    }

    public static void AssertNoDiagnostics(GeneratorOutput output)
    {
        Assert.True(output.GeneratorDiagnostics.IsEmpty, "The generator reported:\n" + Format(output.GeneratorDiagnostics));
        Assert.True(output.CompilationDiagnostics.IsEmpty, "The compilation with the generated code has errors or warnings:\n" + Format(output.CompilationDiagnostics));
        Assert.NotEmpty(output.Sources);
    }

    public static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => d.ToString()));

    /// <summary>
    /// The cache check: for each unrelated edit (a new file with an unrelated class; a changed method body in an
    /// unrelated class of the same file; a comment that shifts every position of the file), runs the driver on the
    /// compilation before and after the edit and asserts identical output, every step of <see cref="StepNames"/>
    /// Cached or Unchanged, and no banned object in any tracked step output.
    /// </summary>
    public static void AssertCached(params string[] sources)
    {
        // No namespace block: it would not compile after a file-scoped namespace.
        const string unrelatedClass = "\n\ninternal static class CacheCheckUnrelatedHelper\n{\n    public static int Value() => 1;\n}\n";

        // A new syntax tree with an unrelated class.
        CSharpCompilation baseline = CreateCompilation(sources);
        AssertCachedAcross(baseline, baseline.Clone().AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace CacheCheck.Other { internal sealed class NewClass { public int Number { get; set; } } }", ParseOptions, path: "Added.cs")),
            "adding a file with an unrelated class");

        // An edit of an unrelated method body in the same file (the file with the [Network] declaration).
        int index = Array.FindIndex(sources, s => s.Contains("Network", StringComparison.Ordinal));
        Assert.True(index >= 0, "No source declares a network.");
        string[] before = (string[])sources.Clone();
        before[index] += unrelatedClass;
        CSharpCompilation first = CreateCompilation(before);
        SyntaxTree oldTree = first.SyntaxTrees.ElementAt(index);
        string editedText = before[index].Replace("public static int Value() => 1;", "public static int Value() => 1 + 2 * 3;", StringComparison.Ordinal);
        SyntaxTree newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(editedText));
        AssertCachedAcross(first, first.ReplaceSyntaxTree(oldTree, newTree), "editing an unrelated method body in the same file");

        // A comment at the top of the same file: every position in it moves, nothing else changes. Diagnostics carry
        // their locations, so they must move with it: this edit is only a no-op for declarations without any.
        if (!Run(CreateDriver(), first).Output.GeneratorDiagnostics.IsEmpty)
        {
            return;
        }

        SyntaxTree shifted = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From("// An unrelated comment that moves every position below it.\n" + before[index]));
        AssertCachedAcross(first, first.ReplaceSyntaxTree(oldTree, shifted), "adding a comment at the top of the same file");
    }

    private static void AssertCachedAcross(CSharpCompilation before, CSharpCompilation after, string edit)
    {
        (GeneratorOutput first, GeneratorDriver driver) = Run(CreateDriver(), before);
        (GeneratorOutput second, _) = Run(driver, after);

        // Identical output.
        Assert.Equal(first.Sources.Keys, second.Sources.Keys);
        foreach (KeyValuePair<string, string> source in first.Sources)
        {
            Assert.True(source.Value == second.Sources[source.Key], $"After {edit}, {source.Key} changed.");
        }

        Assert.Equal(first.GeneratorDiagnostics.Select(d => d.Id + ": " + d.GetMessage()), second.GeneratorDiagnostics.Select(d => d.Id + ": " + d.GetMessage()));

        // Every tracked step Cached or Unchanged on the second run.
        string[] stepNames = TrackedStepNames();
        Microsoft.CodeAnalysis.GeneratorRunResult firstRun = Assert.Single(first.RunResult.Results);
        Microsoft.CodeAnalysis.GeneratorRunResult secondRun = Assert.Single(second.RunResult.Results);
        Assert.True(firstRun.TrackedSteps.ContainsKey(StepNames.Parse), "The parse step was not tracked; tracked: " + string.Join(", ", firstRun.TrackedSteps.Keys));
        foreach (string name in stepNames)
        {
            Assert.Equal(firstRun.TrackedSteps.ContainsKey(name), secondRun.TrackedSteps.ContainsKey(name));
            if (!secondRun.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps))
            {
                continue;
            }

            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object value, IncrementalStepRunReason reason) in step.Outputs)
                {
                    Assert.True(
                        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"After {edit}, step {name} has an output that is {reason}, not Cached or Unchanged: {value}");
                }
            }
        }

        // No symbols, syntax, compilations or locations in the tracked outputs of either run.
        foreach (Microsoft.CodeAnalysis.GeneratorRunResult run in new[] { firstRun, secondRun })
        {
            foreach (string name in stepNames)
            {
                if (run.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps))
                {
                    foreach (IncrementalGeneratorRunStep step in steps)
                    {
                        foreach ((object value, _) in step.Outputs)
                        {
                            AssertNoBannedObjects(value, name);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The values of the constants of <see cref="StepNames"/>.</summary>
    public static string[] TrackedStepNames() =>
        typeof(StepNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

    /// <summary>
    /// Walks the object graph of <paramref name="root"/> (fields of every object, public and private, and the items of
    /// every collection, so records and EquatableArray are opened) and fails on any instance of a banned type.
    /// </summary>
    public static void AssertNoBannedObjects(object? root, string stepName)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Visit(root, stepName);

        void Visit(object? node, string path)
        {
            if (node is null)
            {
                return;
            }

            Type type = node.GetType();
            foreach (Type banned in BannedTypes)
            {
                Assert.False(banned.IsInstanceOfType(node), $"The tracked output of step {stepName} holds a {banned.Name} ({type.FullName}) at {path}.");
            }

            if (type.IsPrimitive || type.IsEnum || type.IsPointer || node is string or decimal or Type or MemberInfo or Assembly)
            {
                return;
            }

            if (!type.IsValueType && !visited.Add(node))
            {
                return;
            }

            if (node is Delegate d)
            {
                Visit(d.Target, path + ".Target");
                return;
            }

            if (node is IEnumerable collection)
            {
                var items = new List<object?>();
                try
                {
                    foreach (object? item in collection)
                    {
                        items.Add(item);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException)
                {
                    // A default ImmutableArray cannot be enumerated; its fields are walked below.
                }

                for (int i = 0; i < items.Count; i++)
                {
                    Visit(items[i], path + "[" + i + "]");
                }

                if (type.IsArray)
                {
                    return;
                }
            }

            for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRef || field.FieldType.IsByRefLike)
                    {
                        continue;
                    }

                    Visit(field.GetValue(node), path + "." + field.Name);
                }
            }
        }
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        string trusted = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty;
        foreach (string path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            paths.Add(Path.GetFullPath(path));
        }

        paths.Add(Path.GetFullPath(typeof(NetworkAttribute).Assembly.Location));
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    /// <summary>One line per diagnostic, for baselines: <c>ID Severity file(line,col)-(line,col): message</c>, ordered by position.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics)
    {
        var builder = new StringBuilder();
        foreach (Diagnostic d in diagnostics.OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            FileLinePositionSpan span = d.Location.GetLineSpan();
            string where = d.Location == Location.None
                ? "(no location)"
                : $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})";
            builder.Append(d.Id).Append(' ').Append(d.Severity).Append(' ').Append(where).Append(": ").Append(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        return builder.ToString();
    }
}

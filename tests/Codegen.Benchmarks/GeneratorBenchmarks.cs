using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Codegen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Codegen.Benchmarks;

/// <summary>
/// What the generator costs a build: one run of <see cref="NetworkGenerator"/> through <see cref="CSharpGeneratorDriver"/>
/// on a fresh compilation (nothing cached, as in a clean build) of the Fashion-MNIST CNN, and of one file of ten networks.
/// </summary>
[MemoryDiagnoser]
public class Compile_Generator
{
    private SyntaxTree _fashionCnn = null!;
    private SyntaxTree _tenNetworks = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fashionCnn = GeneratorRun.Parse("FashionCnn.cs");
        _tenNetworks = GeneratorRun.Parse("TenNetworks.cs");
        GeneratorRun.Run(_fashionCnn); // fails loudly if the declarations do not generate cleanly
        GeneratorRun.Run(_tenNetworks);
    }

    [Benchmark]
    public int FashionCnn() => GeneratorRun.Run(_fashionCnn).GeneratedTrees.Length;

    [Benchmark]
    public int TenNetworks() => GeneratorRun.Run(_tenNetworks).GeneratedTrees.Length;
}

public static class GeneratorRun
{
    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    /// <summary>The text of an embedded declaration file, parsed.</summary>
    public static SyntaxTree Parse(string resource)
    {
        using Stream stream = typeof(GeneratorRun).Assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"no resource {resource}");
        using var reader = new StreamReader(stream);
        return CSharpSyntaxTree.ParseText(reader.ReadToEnd(), ParseOptions, path: resource);
    }

    /// <summary>Runs the generator once on a new compilation of <paramref name="tree"/>; throws if it reports anything or fails.</summary>
    public static GeneratorDriverRunResult Run(SyntaxTree tree)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Declarations", new[] { tree }, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        GeneratorDriverRunResult result = driver.RunGenerators(compilation).GetRunResult();
        if (result.Diagnostics.Length > 0 || result.Results.Any(r => r.Exception is not null))
        {
            throw new InvalidOperationException($"generator failed on {tree.FilePath}: {string.Join("; ", result.Diagnostics)} {result.Results.FirstOrDefault(r => r.Exception is not null).Exception}");
        }

        return result;
    }

    /// <summary>Generated lines per network, and the largest generated method's IL size in this assembly's compiled network types.</summary>
    public static IEnumerable<string> Report()
    {
        yield return "| network | declared in | generated lines | largest method (IL bytes) |";
        yield return "|---|---|---:|---|";
        foreach (string file in new[] { "FashionCnn.cs", "TenNetworks.cs" })
        {
            GeneratorDriverRunResult result = Run(Parse(file));
            foreach (GeneratedSourceResult source in result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal))
            {
                string typeName = source.HintName[..^".g.cs".Length];
                int lines = source.SourceText.Lines.Count;
                Type? type = typeof(GeneratorRun).Assembly.GetType(typeName);
                string largest = type is null ? "(type not found)" : LargestMethod(type);
                yield return $"| {typeName.Split('.')[^1]} | {file} | {lines:N0} | {largest} |";
            }
        }

        foreach (Type type in new[] { typeof(MlpNet), typeof(TinyNet), typeof(CnnNet) })
        {
            yield return $"| {type.Name} | Networks.cs (runtime cases) | — | {LargestMethod(type)} |";
        }
    }

    private static string LargestMethod(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        (string Name, int Size) best = ("", 0);
        foreach (MethodBase method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            int size = method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0;
            if (size > best.Size)
            {
                string parameters = string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name));
                best = ($"{method.Name}({parameters})", size);
            }
        }

        return $"{best.Name}: {best.Size:N0}";
    }
}

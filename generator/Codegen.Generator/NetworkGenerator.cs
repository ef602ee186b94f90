using System;
using System.Threading;
using Codegen.Generator.Diagnostics;
using Codegen.Generator.Emit;
using Codegen.Generator.Helpers;
using Codegen.Generator.Model;
using Codegen.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace Codegen.Generator;

/// <summary>Names of the tracked pipeline steps, for the incremental tests.</summary>
internal static class StepNames
{
    public const string Parse = "Codegen.Parse";
    public const string ResolveFunctions = "Codegen.ResolveFunctions";
    public const string Spec = "Codegen.Spec";
    public const string Diagnostics = "Codegen.Diagnostics";
}

/// <summary>
/// The pipeline only: discovers [Network] types, parses each into a spec and diagnostics (<see cref="NetworkParser"/>),
/// parses the user functions it names against the whole compilation (<see cref="FunctionResolver"/>: a function may
/// live in another file), and emits each spec (<see cref="NetworkEmitter"/>). Source and diagnostics are separate outputs, so a diagnostic
/// never defeats the cache of the source.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.NetworkAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(StepNames.Parse)
            .Combine(context.CompilationProvider)
            .Select(static (pair, ct) => FunctionResolver.Resolve(pair.Left, pair.Right, ct))
            .WithTrackingName(StepNames.ResolveFunctions);

        IncrementalValuesProvider<NetworkSpec> specs = results
            .Select(static (r, _) => r.Spec)
            .Where(static s => s is not null)
            .Select(static (s, _) => s!)
            .WithTrackingName(StepNames.Spec);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(StepNames.Diagnostics);

        context.RegisterSourceOutput(specs, static (spc, spec) => Emit(spc, spec));
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo info in list)
            {
                spc.ReportDiagnostic(info.ToDiagnostic());
            }
        });
    }

    private static void Emit(SourceProductionContext context, NetworkSpec spec)
    {
        try
        {
            context.AddSource(spec.Hierarchy.HintName + ".g.cs", NetworkEmitter.Emit(spec));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnexpectedError, Location.None, spec.Hierarchy.HintName, ex.GetType().Name + ": " + ex.Message));
        }
    }
}

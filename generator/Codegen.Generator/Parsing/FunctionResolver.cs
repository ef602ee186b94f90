using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Codegen.Generator.Diagnostics;
using Codegen.Generator.Helpers;
using Codegen.Generator.Model;
using Codegen.Generator.Symbolic;
using Microsoft.CodeAnalysis;

namespace Codegen.Generator.Parsing;

/// <summary>
/// The second stage of parsing: replaces each <see cref="Pending"/> placeholder of a spec by the expression parsed from
/// the user function it names. It runs against the whole compilation, so an edit to a function in any file reaches the
/// networks that use it; its output is a plain spec again, equal to the last one unless a function used here changed.
/// </summary>
internal static class FunctionResolver
{
    public static ParseResult Resolve(ParseResult result, Compilation compilation, CancellationToken cancellationToken)
    {
        if (result.Requests.Count == 0 || result.Spec is not { } spec)
        {
            return result;
        }

        try
        {
            var diagnostics = new List<DiagnosticInfo>(result.Diagnostics);
            var functions = new Expr?[result.Requests.Count];
            for (int i = 0; i < functions.Length; i++)
            {
                functions[i] = FunctionParser.Resolve(compilation, result.Requests[i], spec.Numeric, spec.Hierarchy.Target.Name, diagnostics, cancellationToken);
            }

            if (functions.Any(f => f is null))
            {
                return new ParseResult(null, diagnostics.ToEquatableArray());
            }

            Expr Fill(Expr e)
            {
                for (int i = 0; i < functions.Length; i++)
                {
                    e = Rewriter.Substitute(e, new Pending(i), functions[i]!);
                }

                return e;
            }

            var layers = spec.Layers.Select(l => l is ElementwiseSpec e ? e with { Function = Fill(e.Function) } : l).ToEquatableArray();
            LossSpec? loss = spec.Loss is ElementwiseLossSpec el ? el with { PerElement = Fill(el.PerElement) } : spec.Loss;
            return new ParseResult(spec with { Layers = layers, Loss = loss }, diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.UnexpectedError, null, spec.Hierarchy.Target.Name, ex.GetType().Name + ": " + ex.Message);
            return new ParseResult(null, new[] { info }.ToEquatableArray());
        }
    }
}

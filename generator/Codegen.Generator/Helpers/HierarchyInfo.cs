using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Codegen.Generator.Helpers;

/// <summary>A type declaration as plain data: its name and the keyword that declares it (<c>class</c>, <c>struct</c>, <c>record class</c>…).</summary>
internal sealed record TypeDeclarationInfo(string Name, string Keyword);

/// <summary>
/// Where a network type lives: its namespace and the types it is nested in, outermost first. Gives the generated file
/// its partial declarations and a unique, stable hint name.
/// </summary>
internal sealed record HierarchyInfo(string Namespace, EquatableArray<TypeDeclarationInfo> Types)
{
    public TypeDeclarationInfo Target => Types[Types.Count - 1];

    /// <summary>The fully qualified metadata-like name, e.g. <c>Demo.Outer.IrisNet</c>, used as the hint name.</summary>
    public string HintName => string.Join(".", new[] { Namespace }.Concat(Types.Select(t => t.Name)).Where(s => s.Length > 0));

    public static HierarchyInfo From(INamedTypeSymbol symbol)
    {
        var types = new List<TypeDeclarationInfo>();
        for (INamedTypeSymbol? t = symbol; t is not null; t = t.ContainingType)
        {
            types.Insert(0, new TypeDeclarationInfo(t.Name, KeywordOf(t)));
        }

        string ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n
            ? n.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty)
            : string.Empty;
        return new HierarchyInfo(ns, types.ToEquatableArray());
    }

    private static string KeywordOf(INamedTypeSymbol t) => (t.IsRecord, t.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record class",
        (false, TypeKind.Struct) => "struct",
        (false, TypeKind.Interface) => "interface",
        _ => "class",
    };
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Codegen.Generator.Helpers;

/// <summary>A type declaration as plain data: its name (unescaped) and the keyword that declares it (<c>class</c> or <c>struct</c>).</summary>
internal sealed record TypeDeclarationInfo(string Name, string Keyword)
{
    /// <summary>The name as C# code: <c>@class</c> for a type named with a keyword.</summary>
    public string Code => HierarchyInfo.Escape(Name);
}

/// <summary>
/// Where a network type lives: its namespace and the types it is nested in, outermost first. Gives the generated file
/// its partial declarations and a unique, stable hint name.
/// </summary>
internal sealed record HierarchyInfo(EquatableArray<string> NamespaceParts, EquatableArray<TypeDeclarationInfo> Types)
{
    public TypeDeclarationInfo Target => Types[Types.Count - 1];

    /// <summary>The namespace as C# code (each part escaped), empty for the global namespace.</summary>
    public string NamespaceCode => string.Join(".", NamespaceParts.Select(Escape));

    /// <summary>The full name without escapes, e.g. <c>Demo.Outer.IrisNet</c>, used as the hint name.</summary>
    public string HintName => string.Join(".", NamespaceParts.Concat(Types.Select(t => t.Name)));

    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    public static HierarchyInfo From(INamedTypeSymbol symbol)
    {
        var types = new List<TypeDeclarationInfo>();
        for (INamedTypeSymbol? t = symbol; t is not null; t = t.ContainingType)
        {
            types.Insert(0, new TypeDeclarationInfo(t.Name, KeywordOf(t)));
        }

        var parts = new List<string>();
        for (INamespaceSymbol? n = symbol.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
        {
            parts.Insert(0, n.Name);
        }

        return new HierarchyInfo(parts.ToEquatableArray(), types.ToEquatableArray());
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

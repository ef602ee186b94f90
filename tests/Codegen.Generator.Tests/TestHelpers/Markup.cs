using System;
using Microsoft.CodeAnalysis.Text;

namespace Codegen.Generator.Tests.TestHelpers;

/// <summary>Source text with one span marked as <c>{|…|}</c>, as in Roslyn's analyzer tests.</summary>
internal static class Markup
{
    public const string Start = "{|";
    public const string End = "|}";

    /// <summary>The text without the markers, and the span that was between them.</summary>
    public static (string Source, TextSpan Span) Parse(string markup)
    {
        int start = markup.IndexOf(Start, StringComparison.Ordinal);
        int end = markup.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start || markup.IndexOf(Start, start + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException("Expected exactly one {|…|} span in:\n" + markup, nameof(markup));
        }

        string source = markup.Substring(0, start) + markup.Substring(start + Start.Length, end - start - Start.Length) + markup.Substring(end + End.Length);
        return (source, TextSpan.FromBounds(start, end - Start.Length));
    }

    public static bool HasSpan(string text) => text.Contains(Start, StringComparison.Ordinal);
}

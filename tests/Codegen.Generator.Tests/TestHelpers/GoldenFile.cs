using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Codegen.Generator.Tests.TestHelpers;

/// <summary>
/// Golden files without a snapshot library (STYLE #12). Each test owns <c>Baselines/&lt;TestName&gt;/</c> in the source
/// tree, holding one <c>&lt;HintName&gt;.txt</c> per generated file (hint names end in <c>.g.cs</c>, so baselines never
/// compile) and a <c>diagnostics.txt</c> when the generator reports something. Text is compared with <c>\n</c> line
/// endings and the generator version scrubbed; the set of files must match too. On a mismatch the actual text is
/// written to <c>&lt;name&gt;.received.txt</c> next to the baseline (git-ignored) and the test fails with the first
/// differing line. With <c>CODEGEN_ACCEPT=1</c> in the environment the baselines are (re)written instead.
/// </summary>
internal static class GoldenFile
{
    public const string AcceptVariable = "CODEGEN_ACCEPT";

    public const string DiagnosticsFile = "diagnostics.txt";

    public const string VersionPlaceholder = "{generator version}";

    private const string ReceivedSuffix = ".received.txt";

    private static readonly Regex GeneratorVersion = new(
        "(\\[global::System\\.CodeDom\\.Compiler\\.GeneratedCode\\(\"Codegen\\.Generator\", \")[^\"]*(\"\\)\\])",
        RegexOptions.CultureInvariant);

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    /// <summary>The Baselines folder of this test project in the source tree (not the output directory).</summary>
    public static string BaselinesDirectory { get; } = Path.Combine(ProjectDirectory(), "Baselines");

    /// <summary>Compares the generator's output with the baselines of <paramref name="testName"/>.</summary>
    public static void Verify(GeneratorOutput output, [CallerMemberName] string testName = "") =>
        Verify(testName, output.Sources, output.GeneratorDiagnostics);

    public static void Verify(string testName, IReadOnlyDictionary<string, string> sources, IEnumerable<Diagnostic> diagnostics)
    {
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> source in sources)
        {
            expected.Add(source.Key + ".txt", Scrub(source.Value));
        }

        string described = GeneratorDriverHelper.Describe(diagnostics);
        if (described.Length > 0)
        {
            expected.Add(DiagnosticsFile, described);
        }

        string directory = Path.Combine(BaselinesDirectory, testName);
        if (Accepting)
        {
            Accept(directory, expected);
            return;
        }

        var failures = new List<string>();
        foreach (KeyValuePair<string, string> file in expected)
        {
            string path = Path.Combine(directory, file.Key);
            string received = ReceivedPath(path);
            if (!File.Exists(path))
            {
                Write(received, file.Value);
                failures.Add($"Missing baseline {Relative(path)}; the output was written to {Relative(received)}.");
                continue;
            }

            string baseline = Normalize(File.ReadAllText(path, Encoding.UTF8));
            if (baseline == file.Value)
            {
                File.Delete(received);
                continue;
            }

            Write(received, file.Value);
            failures.Add($"{Relative(path)} differs (received: {Relative(received)}): {FirstDifference(baseline, file.Value)}");
        }

        if (Directory.Exists(directory))
        {
            foreach (string path in Directory.GetFiles(directory).Where(IsBaseline))
            {
                if (!expected.ContainsKey(Path.GetFileName(path)))
                {
                    failures.Add($"Extra baseline {Relative(path)}: the generator no longer produces this file.");
                }
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join("\n", failures) + $"\nIf the change is intended, run the tests with {AcceptVariable}=1 and review the diff of Baselines/.");
        }
    }

    /// <summary>\n line endings, the generator version replaced by <see cref="VersionPlaceholder"/>.</summary>
    public static string Scrub(string text) => GeneratorVersion.Replace(Normalize(text), "${1}" + VersionPlaceholder + "${2}");

    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>"line N: expected '…', received '…'", with line numbers from 1; a missing line shows as &lt;end of file&gt;.</summary>
    public static string FirstDifference(string expected, string received)
    {
        string[] a = expected.Split('\n');
        string[] b = received.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string? x = i < a.Length ? a[i] : null;
            string? y = i < b.Length ? b[i] : null;
            if (x != y)
            {
                return $"first difference at line {i + 1}:\n  expected: {x ?? "<end of file>"}\n  received: {y ?? "<end of file>"}";
            }
        }

        return "the texts are equal";
    }

    private static void Accept(string directory, IReadOnlyDictionary<string, string> expected)
    {
        Directory.CreateDirectory(directory);
        foreach (string path in Directory.GetFiles(directory))
        {
            if (!IsBaseline(path) || !expected.ContainsKey(Path.GetFileName(path)))
            {
                File.Delete(path);
            }
        }

        foreach (KeyValuePair<string, string> file in expected)
        {
            Write(Path.Combine(directory, file.Key), file.Value);
        }
    }

    private static bool IsBaseline(string path) =>
        path.EndsWith(".txt", StringComparison.Ordinal) && !path.EndsWith(ReceivedSuffix, StringComparison.Ordinal);

    private static string ReceivedPath(string baselinePath) =>
        baselinePath.Substring(0, baselinePath.Length - ".txt".Length) + ReceivedSuffix;

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string Relative(string path) => Path.GetRelativePath(ProjectDirectory(), path).Replace('\\', '/');

    /// <summary>
    /// tests/Codegen.Generator.Tests in the source tree, from the path the compiler recorded for this file. When that
    /// path was mapped away (deterministic CI builds map it to /_/…), the folder is looked for above the output directory.
    /// </summary>
    public static string ProjectDirectory()
    {
        string thisFile = ThisFile();
        string? fromSource = Path.GetDirectoryName(Path.GetDirectoryName(thisFile));
        if (fromSource is not null && File.Exists(Path.Combine(fromSource, "Codegen.Generator.Tests.csproj")))
        {
            return fromSource;
        }

        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "Codegen.Generator.Tests");
            if (File.Exists(Path.Combine(candidate, "Codegen.Generator.Tests.csproj")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Cannot find tests/Codegen.Generator.Tests from '{thisFile}' or '{AppContext.BaseDirectory}'.");
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>The repository root (the folder of Codegen.sln).</summary>
    public static string RepositoryRoot() => Path.GetFullPath(Path.Combine(ProjectDirectory(), "..", ".."));
}

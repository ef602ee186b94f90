using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Codegen.Benchmarks;

// dotnet run -c Release --project tests/Codegen.Benchmarks -- --filter '*'
// Before BenchmarkDotNet starts: loads TorchSharp (patching this program's copy of libLibTorchSharp.so, see
// LibTorchLoader), checks every case's three implementations (and case 4's hand-written one) against each other, and prints the generated code's
// sizes. Any mismatch stops the run with exit code 1. `--verify` stops after that.
Console.WriteLine($"TorchSharp: {LibTorchLoader.Message}");
if (!LibTorchLoader.Available)
{
    Console.WriteLine("TorchSharp is not available: its column is left out, the other benchmarks run.");
}

try
{
    foreach (Func<Case> create in new Func<Case>[] { () => Case.Mlp(1), () => Case.Mlp(32), Case.Tiny, () => Case.Cnn(1), () => Case.Cnn(32) })
    {
        using Case c = create();
        c.Verify();
        if (c.Generated is TinyNet)
        {
            c.HandWrittenTiny(); // case 4: the hand-written step against the generated one
        }
    }
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"VERIFICATION FAILED, nothing timed: {e.Message}");
    return 1;
}

Console.WriteLine("Verified (outputs, loss, gradients, parameters after one SGD step):");
foreach (string line in Check.Log)
{
    Console.WriteLine("  " + line);
}

Console.WriteLine();
Console.WriteLine("Generated code:");
foreach (string line in GeneratorRun.Report())
{
    Console.WriteLine(line);
}

Console.WriteLine();
if (args.Contains("--verify"))
{
    return 0;
}

// BenchmarkDotNet's default job, shortened to fit a shared 2-core machine: 1 launch, 3 warm-up and 10 measured
// iterations. One summary per case, each with the generated code as its baseline. Results go to
// tests/Codegen.Benchmarks/BenchmarkDotNet.Artifacts (ignored by git).
string projectDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", ".."));
IConfig config = DefaultConfig.Instance
    .AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Short10"))
    .WithArtifactsPath(Path.Combine(projectDirectory, "BenchmarkDotNet.Artifacts"))
    .HideColumns("Error", "RatioSD", "Alloc Ratio");
if (!LibTorchLoader.Available)
{
    config = config.AddFilter(new SimpleFilter(b => !b.Descriptor.HasCategory(Categories.Torch)));
}

BenchmarkSwitcher.FromAssembly(typeof(Case).Assembly).Run(args, config);
return 0;

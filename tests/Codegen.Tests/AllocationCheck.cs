using System;
using System.Diagnostics;

namespace Codegen.Tests;

/// <summary>What a piece of generated code allocates per call, once the runtime has settled.</summary>
internal static class AllocationCheck
{
    /// <summary>
    /// The bytes <paramref name="run"/> allocates on this thread over <paramref name="times"/> calls, after calling it for
    /// half a second first: long enough for tiered compilation to replace the methods it calls (after 30 calls, a 100 ms
    /// delay and a compile in the background), so that what the runtime allocates once as it swaps code in is not counted
    /// as the code's own. (A single warm-up call was not enough: a CI run with hardware intrinsics off saw 2,408 bytes once
    /// in 1,000 calls.)
    /// </summary>
    public static long BytesPerRuns(Action run, int times)
    {
        var warm = Stopwatch.StartNew();
        do
        {
            run();
        }
        while (warm.ElapsedMilliseconds < 500);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < times; i++)
        {
            run();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

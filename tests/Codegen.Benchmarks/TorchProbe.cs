using System.Runtime.CompilerServices;
using System.Text;
using TorchSharp;

namespace Codegen.Benchmarks;

/// <summary>The first touch of TorchSharp, kept in its own type so nothing of TorchSharp loads before the patch.</summary>
internal static class TorchProbe
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Run(StringBuilder log)
    {
        torch.set_num_threads(1);
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = a.matmul(a);
        float[] c = b.data<float>().ToArray();
        bool right = c[0] == 7 && c[1] == 10 && c[2] == 15 && c[3] == 22;
        log.Append($"TorchSharp loaded (libtorch {torch.__version__}), threads = {torch.get_num_threads()}, [[1,2],[3,4]]² = [{string.Join(", ", c)}]");
        if (!right)
        {
            log.Append(" — WRONG");
        }

        return right;
    }
}

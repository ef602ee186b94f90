using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Codegen.Benchmarks;

/// <summary>
/// Makes TorchSharp loadable on a system whose libstdc++ is older than the one libLibTorchSharp.so was linked against,
/// and reports whether it loads.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's glue library asks for GLIBCXX_3.4.32 (GCC 13's libstdc++); Debian 12 ships 3.4.30. The only
/// symbol behind that version is <c>std::ios_base_library_init</c>, which has no relocation in the library (nothing
/// calls it). <see cref="PatchGlibcxxRequirement"/> marks that one version requirement weak (VER_FLG_WEAK in the
/// vna_flags of its Vernaux entry in .gnu.version_r), in this program's own output copy of the library, never in the
/// NuGet cache; the dynamic loader then accepts a libstdc++ that lacks the version. It runs before TorchSharp loads.
/// </remarks>
public static class LibTorchLoader
{
    private const string WeakVersion = "GLIBCXX_3.4.32";
    private const ushort VerFlgWeak = 0x2;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    private static readonly Lazy<(bool Loaded, string Message)> State = new(Load);

    /// <summary>Whether TorchSharp loaded and computed a small product correctly.</summary>
    public static bool Available => State.Value.Loaded;

    /// <summary>What happened: the patch and the load, or why TorchSharp is not available.</summary>
    public static string Message => State.Value.Message;

    /// <summary>The output copy of the glue library next to this program.</summary>
    public static string LibraryPath => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static (bool, string) Load()
    {
        var log = new StringBuilder();
        try
        {
            if (OperatingSystem.IsLinux())
            {
                log.Append(PatchGlibcxxRequirement(LibraryPath)).Append("; ");
            }

            return (TorchProbe.Run(log), log.ToString());
        }
        catch (Exception e)
        {
            // TorchSharp's loader puts its whole trace in the message; the first lines say why.
            string reason = e.InnerException?.Message ?? e.Message;
            string[] lines = reason.Split('\n');
            log.Append("TorchSharp did not load: ").Append(string.Join(" | ", lines[..Math.Min(lines.Length, 3)]).Trim());
            return (false, log.ToString());
        }
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the Vernaux entry named GLIBCXX_3.4.32 in the ELF64 little-endian file at
    /// <paramref name="path"/>, if it is not weak already. Writes a new file and moves it into place, so a hard link
    /// to the NuGet cache is never written through.
    /// </summary>
    public static string PatchGlibcxxRequirement(string path)
    {
        if (!File.Exists(path))
        {
            return $"{path} not found, nothing patched";
        }

        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            return $"{path} is not a 64-bit little-endian ELF file, nothing patched";
        }

        ReadOnlySpan<byte> span = elf;
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        for (int s = 0; s < shnum; s++)
        {
            ReadOnlySpan<byte> sh = span.Slice((int)(shoff + s * shentsize), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]); // sh_info: number of Verneed entries
            ReadOnlySpan<byte> strtabHeader = span.Slice((int)(shoff + link * shentsize), shentsize);
            long strtab = (long)BinaryPrimitives.ReadUInt64LittleEndian(strtabHeader[0x18..]);

            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(need + 2)..]);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    int nameOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 8)..]);
                    if (ReadString(span, strtab + nameOffset) == WeakVersion)
                    {
                        int flagsAt = (int)(aux + 4);
                        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[flagsAt..]);
                        if ((flags & VerFlgWeak) != 0)
                        {
                            return $"{WeakVersion} already weak in {path}";
                        }

                        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(flagsAt), (ushort)(flags | VerFlgWeak));
                        string temporary = path + ".patching";
                        File.WriteAllBytes(temporary, elf);
                        File.Move(temporary, path, overwrite: true);
                        return $"marked {WeakVersion} weak in {path}";
                    }

                    aux += BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 12)..]);
                }

                need += BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 12)..]);
            }
        }

        return $"{path} asks for no {WeakVersion}, nothing patched";
    }

    private static string ReadString(ReadOnlySpan<byte> data, long at)
    {
        ReadOnlySpan<byte> rest = data[(int)at..];
        return Encoding.ASCII.GetString(rest[..rest.IndexOf((byte)0)]);
    }
}

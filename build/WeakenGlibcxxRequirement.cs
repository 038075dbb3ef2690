using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

// Compiled by MSBuild's RoslynCodeTaskFactory (see TorchSharpGlibcxxFix.targets).
// Reads ELF64 little-endian section headers, finds SHT_GNU_verneed, and sets VER_FLG_WEAK on the
// Vernaux entry whose name is VersionName. Touches nothing else in the file.
public class OcrForgeWeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public string[] Directories { get; set; }
    [Microsoft.Build.Framework.Required] public string VersionName { get; set; }
    // Publish output and packages run on other machines, whose libstdc++ this one cannot speak for: patch always.
    // A weak requirement is still bound normally where the version exists, so this costs nothing there.
    public bool Always { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        var targets = new List<string>();
        foreach (var dir in Directories)
            if (Directory.Exists(dir))
                targets.AddRange(Directory.GetFiles(dir, "libLibTorchSharp.so", SearchOption.AllDirectories));
        if (targets.Count == 0) return true;

        string systemLib = Always ? null : FindSystemLibStdCxx();
        if (!Always && systemLib == null)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "No system libstdc++.so.6 found; leaving libLibTorchSharp.so as is.");
            return true;
        }
        if (!Always && ContainsAscii(File.ReadAllBytes(systemLib), VersionName + "\0"))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, systemLib + " provides " + VersionName + "; no patch needed.");
            return true;
        }
        foreach (var path in targets)
        {
            try
            {
                string result = Patch(path);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "libLibTorchSharp fix: " + path + ": " + result);
            }
            catch (Exception e)
            {
                Log.LogError("libLibTorchSharp fix: " + path + ": " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    static string FindSystemLibStdCxx()
    {
        string[] candidates =
        {
            "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        foreach (var c in candidates) if (File.Exists(c)) return c;
        return null;
    }

    static bool ContainsAscii(byte[] haystack, string needle)
    {
        byte[] n = Encoding.ASCII.GetBytes(needle);
        for (int i = 0; i + n.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < n.Length && haystack[i + j] == n[j]) j++;
            if (j == n.Length) return true;
        }
        return false;
    }

    string Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a little-endian ELF64 file");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int secOffset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int strtabIndex = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int verneedCount = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
            int strtabSh = checked((int)shoff + strtabIndex * shentsize);
            int strOffset = checked((int)BitConverter.ToUInt64(elf, strtabSh + 0x18));

            int vn = secOffset;
            for (int i = 0; i < verneedCount; i++)
            {
                int auxCount = BitConverter.ToUInt16(elf, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(elf, vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    int nameOffset = strOffset + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, nameOffset) == VersionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0) return VersionName + " already weak";
                        flags |= VerFlgWeak;
                        BitConverter.GetBytes(flags).CopyTo(elf, aux + 4);
                        // A new file moved over the old one, never a write into it: with hard links on
                        // (CreateHardLinksFor*IfPossible) the output's copy is the NuGet cache's file itself.
                        string temp = path + ".weak-glibcxx.tmp";
                        File.WriteAllBytes(temp, elf);
                        File.Replace(temp, path, null);
                        return VersionName + " marked weak";
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                vn += (int)BitConverter.ToUInt32(elf, vn + 12);
            }
            return VersionName + " not required";
        }
        return "no .gnu.version_r section";
    }

    static string ReadCString(byte[] b, int offset)
    {
        int end = offset;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, offset, end - offset);
    }
}

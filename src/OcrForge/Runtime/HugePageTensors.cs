using System.Runtime.CompilerServices;

namespace OcrForge.Runtime;

/// <summary>
/// Asks libtorch to back large CPU tensors with transparent huge pages (its <c>THP_MEM_ALLOC_ENABLE</c> switch).
/// Without it every tensor above glibc's 32 MB mmap ceiling is a fresh mapping that the kernel zero-fills page by
/// page: a word model's batches (32 images up to 512 px wide) took ~80,000 page faults a second and spent a quarter of
/// their CPU time in the kernel, and training ran at 10–108 images/s instead of 85–165 (docs/RESULTS.md). libtorch
/// reads the switch once, at its first allocation, through the C library's environment, so it is set here — when this
/// assembly loads, before any model code runs — with setenv: .NET's own environment copy is not what libtorch reads.
/// A value the user set (0 or 1) wins. Where the kernel's THP mode is <c>never</c> the switch is harmless.
/// </summary>
public static class HugePageTensors
{
    public const string Variable = "THP_MEM_ALLOC_ENABLE";

    /// <summary>Whether libtorch will use huge pages, as its getenv will see it.</summary>
    public static bool Enabled => OperatingSystem.IsLinux() && NativeEnvironment.Get(Variable) == "1";

    /// <summary>The kernel's THP mode (<c>always</c>, <c>madvise</c> or <c>never</c>), or null where unknown.</summary>
    public static string? KernelMode
    {
        get
        {
            const string path = "/sys/kernel/mm/transparent_hugepage/enabled";
            try
            {
                // The active mode is the bracketed word: "always [madvise] never".
                var text = File.ReadAllText(path);
                int open = text.IndexOf('['), close = text.IndexOf(']');
                return open >= 0 && close > open ? text[(open + 1)..close] : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
    }

// A module initializer is the one hook that runs before any code of this library allocates a tensor.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Enable()
    {
        NativeEnvironment.SetDefault(Variable, "1");
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OcrForge.Runtime;

/// <summary>
/// Makes libtorch's OpenMP threads sleep between parallel regions instead of spinning (<c>OMP_WAIT_POLICY=PASSIVE</c>).
/// With oneDNN off (<see cref="KernelPolicy"/>), ATen runs a training step as hundreds of small parallel regions, and
/// libgomp's default keeps every worker spinning after each one: on a 2-core machine shared with anything else, 91 %
/// of a captcha training run's CPU time went to that spinning, and `bench train` took 369 s instead of 76 s
/// (docs/RESULTS.md). libgomp reads the variable once, when libtorch loads it, through the C library's environment, so
/// it is set here, when this assembly loads, with setenv. A value the user set (ACTIVE or PASSIVE) wins.
/// </summary>
public static partial class OpenMpWaiting
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The policy libgomp will read (its getenv's view), or null when unset.</summary>
    public static string? Policy => OperatingSystem.IsLinux()
        ? Marshal.PtrToStringUTF8(NativeGetenv(Variable))
        : Environment.GetEnvironmentVariable(Variable);

#pragma warning disable CA2255 // A module initializer is the one hook that runs before this library loads libtorch.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void SetPassive()
    {
        if (OperatingSystem.IsLinux()) NativeSetenv(Variable, "PASSIVE", overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeGetenv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeSetenv(string name, string value, int overwrite);
}

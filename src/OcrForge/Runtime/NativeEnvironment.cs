using System.Runtime.InteropServices;

namespace OcrForge.Runtime;

/// <summary>
/// The process environment as native libraries read it. On Linux .NET keeps its own copy of the environment, so a
/// variable meant for libtorch, libgomp or oneDNN must be read and set through the C library's getenv/setenv.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>The variable as native code's getenv sees it, or null when unset.</summary>
    public static string? Get(string name) => OperatingSystem.IsLinux()
        ? Marshal.PtrToStringUTF8(NativeGetenv(name))
        : Environment.GetEnvironmentVariable(name);

    /// <summary>Sets the variable for native code unless it is already set (the user's value wins). Linux
    /// only.</summary>
    public static void SetDefault(string name, string value)
    {
        if (OperatingSystem.IsLinux()) NativeSetenv(name, value, overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeGetenv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeSetenv(string name, string value, int overwrite);
}

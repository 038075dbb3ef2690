using System.Runtime.InteropServices;

namespace OcrForge.Runtime;

/// <summary>
/// libtorch's process-wide backend switches (<c>at::globalContext()</c>), which TorchSharp does not expose. They are
/// plain exported C++ methods of libtorch_cpu, so a member call is a C call with the context as first argument.
/// The mangled names belong to the pinned libtorch (2.10 in TorchSharp-cpu 0.107.0).
/// </summary>
internal static partial class LibTorchContext
{
    private const string Library = "torch_cpu";

    /// <summary>Whether libtorch may pick oneDNN (MKLDNN) kernels: convolutions and, here, recurrent layers.</summary>
    public static bool OneDnnEnabled
    {
        get => UserEnabledMkldnn(GlobalContext());
        set => SetUserEnabledMkldnn(GlobalContext(), value);
    }

    /// <summary>Whether libtorch may try NNPACK convolutions.</summary>
    public static bool NnpackEnabled
    {
        get => UserEnabledNnpack(GlobalContext());
        set => SetUserEnabledNnpack(GlobalContext(), value);
    }

    /// <summary>
    /// Asks NNPACK itself whether it runs on this CPU. libtorch asks the same question during convolutions and logs
    /// a warning when the answer is no; asking here, silently, lets us switch NNPACK off before that happens.
    /// </summary>
    public static bool NnpackSupported() => NnpInitialize() == 0;

    [LibraryImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledNnpack(IntPtr context);

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    // nnp_status nnp_initialize(void): 0 is nnp_status_success; idempotent.
    [LibraryImport(Library, EntryPoint = "nnp_initialize")]
    private static partial int NnpInitialize();
}

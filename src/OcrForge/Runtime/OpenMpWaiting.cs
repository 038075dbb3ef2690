using System.Runtime.CompilerServices;

namespace OcrForge.Runtime;

/// <summary>
/// Shortens how long libtorch's OpenMP threads spin after each parallel region before they sleep
/// (<c>GOMP_SPINCOUNT=20000</c>, about 0.2 ms, instead of libgomp's 300,000). With oneDNN off
/// (<see cref="KernelPolicy"/>) ATen runs a training step as hundreds of small parallel regions; on a 2-core machine
/// shared with anything else the spinning workers steal the cores the work needs (91 % of a loaded captcha training
/// run's CPU time was libgomp spinning). Measured with `bench train` (docs/RESULTS.md): beside two busy processes
/// 24.3 images/s instead of 18.9; quiet, within run-to-run noise (86–125 against 88–116). Sleeping at once
/// (<c>OMP_WAIT_POLICY=PASSIVE</c>) is faster still on a busy machine (56.8) but slower on a quiet one (80), so it is
/// left to the user. libgomp reads these once, when libtorch loads it, through the C library's environment, so they
/// are set here, when this assembly loads, with setenv; a
/// user who set either variable keeps their own setting.
/// </summary>
public static class OpenMpWaiting
{
    public const string PolicyVariable = "OMP_WAIT_POLICY";
    public const string SpinVariable = "GOMP_SPINCOUNT";
    public const string DefaultSpinCount = "20000";

    /// <summary>The wait policy libgomp will read (its getenv's view), or null when unset.</summary>
    public static string? Policy => NativeEnvironment.Get(PolicyVariable);

    /// <summary>The spin count libgomp will read, or null when unset.</summary>
    public static string? SpinCount => NativeEnvironment.Get(SpinVariable);

#pragma warning disable CA2255 // A module initializer is the one hook that runs before this library loads libtorch.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LimitSpinning()
    {
        if (Policy is null && SpinCount is null) NativeEnvironment.SetDefault(SpinVariable, DefaultSpinCount);
    }
}

using System.Runtime.CompilerServices;
using OcrForge.Inference;

namespace OcrForge.Runtime;

/// <summary>
/// Whether libtorch may use oneDNN in this process. oneDNN is libtorch's fast path for convolutions and LSTMs on
/// x86-64, and on some CPUs it returns wrong numbers (<see cref="KernelSelfCheck"/>; seen on an AMD EPYC family 26
/// at every ISA level oneDNN offers, AVX2 included), while ATen's own kernels are right on every CPU seen.
/// Chosen once per process from <see cref="EnvironmentVariable"/>: <c>auto</c> (the default) runs the self-check;
/// when a case of libtorch's default path misses, oneDNN is kept only for recurrent layers run with gradients if
/// that path passed its own cases (<see cref="OneDnnUse.Recurrent"/>), else switched off; <c>off</c> forces
/// ATen's kernels everywhere (for a user who suspects their CPU); <c>recurrent</c> forces the recurrent-only path
/// unchecked; <c>on</c> trusts oneDNN everywhere unchecked (to reproduce a problem). oneDNN's own
/// <c>ONEDNN_MAX_CPU_ISA</c> is honoured as usual, and the self-check runs under it.
/// </summary>
public static class KernelPolicy
{
    public const string EnvironmentVariable = "OCRFORGE_ONEDNN";
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    private static readonly Lazy<(OneDnnUse Use, string Reason, KernelCheckResult Check)> Choice =
        new(Choose, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Where oneDNN may run (makes the choice if it was not made yet).</summary>
    public static OneDnnUse Use => Choice.Value.Use;

    /// <summary>
    /// The choice once made, without making it: what code running inside the self-check (whose models reach the
    /// gate) may read. Null before.
    /// </summary>
    internal static OneDnnUse? Chosen => _chosen?.Value;

    private static volatile StrongBox<OneDnnUse>? _chosen;

    /// <summary>Whether oneDNN runs everywhere libtorch picks it.</summary>
    public static bool OneDnn => Use == OneDnnUse.All;
    public static string Reason => Choice.Value.Reason;
    public static KernelCheckResult SelfCheck => Choice.Value.Check;

    /// <summary>oneDNN's ISA cap as its own getenv sees it (.NET's copy of the environment can differ on
    /// Linux).</summary>
    public static string? IsaCap => NativeEnvironment.Get(IsaVariable);

    private static string Setting =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "").Trim().ToLowerInvariant() switch
        {
            "" => "auto",
            var s => s,
        };

    /// <summary>Makes the choice (once) and applies it to libtorch.</summary>
    public static void Apply() => _ = Choice.Value;

    private static (OneDnnUse, string, KernelCheckResult) Choose()
    {
        string setting = Setting;
        var choice = setting switch
        {
            "off" => (OneDnnUse.Off, $"{EnvironmentVariable}=off", KernelCheckResult.NotRun),
            "recurrent" => (OneDnnUse.Recurrent, $"{EnvironmentVariable}=recurrent (not checked)",
                KernelCheckResult.NotRun),
            "on" => (OneDnnUse.All, $"{EnvironmentVariable}=on (not checked)", KernelCheckResult.NotRun),
            "auto" => FromSelfCheck(),
            _ => throw new OcrForgeException(
                $"environment variable {EnvironmentVariable}={setting}: expected auto, on, recurrent or off"),
        };
        LibTorchContext.OneDnnEnabled = choice.Item1 == OneDnnUse.All;
        _chosen = new StrongBox<OneDnnUse>(choice.Item1);
        return choice;
    }

    private static (OneDnnUse, string, KernelCheckResult) FromSelfCheck()
    {
        var check = KernelSelfCheck.Run();
        string isa = IsaCap is { } cap ? $"{IsaVariable}={cap}; " : "";
        if (check.Passed)
            return (OneDnnUse.All, $"self-check passed{(isa.Length > 0 ? $" ({isa.TrimEnd(' ', ';')})" : "")}", check);
        return check.RecurrentPassed
            ? (OneDnnUse.Recurrent,
                $"self-check failed ({isa}{check.Worst}): oneDNN only in recurrent layers, with gradients", check)
            : (OneDnnUse.Off, $"self-check failed ({isa}{check.Worst}): oneDNN is off", check);
    }
}

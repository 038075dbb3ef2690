using OcrForge.Inference;

namespace OcrForge.Runtime;

/// <summary>
/// Whether libtorch may use oneDNN in this process. oneDNN is libtorch's fast path for convolutions and LSTMs on
/// x86-64, and on some CPUs it returns wrong numbers (<see cref="KernelSelfCheck"/>; seen on an AMD EPYC family 26
/// at every ISA level oneDNN offers, AVX2 included), while ATen's own kernels are right on every CPU seen.
/// Chosen once per process from <see cref="EnvironmentVariable"/>: <c>auto</c> (the default) runs the self-check
/// and switches oneDNN off when any case misses; <c>off</c> forces ATen's kernels (for a user who suspects their
/// CPU); <c>on</c> trusts oneDNN unchecked (to reproduce a problem). oneDNN's own <c>ONEDNN_MAX_CPU_ISA</c> is
/// honoured as usual, and the self-check runs under it.
/// </summary>
public static class KernelPolicy
{
    public const string EnvironmentVariable = "OCRFORGE_ONEDNN";
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    private static readonly Lazy<(bool OneDnn, string Reason, KernelCheckResult Check)> Choice =
        new(Choose, LazyThreadSafetyMode.ExecutionAndPublication);

    public static bool OneDnn => Choice.Value.OneDnn;
    public static string Reason => Choice.Value.Reason;
    public static KernelCheckResult SelfCheck => Choice.Value.Check;

    /// <summary>oneDNN's ISA cap as its own getenv sees it (.NET's copy of the environment can differ on Linux).</summary>
    public static string? IsaCap => NativeEnvironment.Get(IsaVariable);

    private static string Setting =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "").Trim().ToLowerInvariant() switch
        {
            "" => "auto",
            var s => s,
        };

    /// <summary>Makes the choice (once) and applies it to libtorch.</summary>
    public static void Apply() => _ = Choice.Value;

    private static (bool, string, KernelCheckResult) Choose()
    {
        string setting = Setting;
        var choice = setting switch
        {
            "off" => (false, $"{EnvironmentVariable}=off", KernelCheckResult.NotRun),
            "on" => (true, $"{EnvironmentVariable}=on (not checked)", KernelCheckResult.NotRun),
            "auto" => FromSelfCheck(),
            _ => throw new OcrForgeException(
                $"environment variable {EnvironmentVariable}={setting}: expected auto, on or off"),
        };
        LibTorchContext.OneDnnEnabled = choice.Item1;
        return choice;
    }

    private static (bool, string, KernelCheckResult) FromSelfCheck()
    {
        var check = KernelSelfCheck.Run();
        string isa = IsaCap is { } cap ? $"{IsaVariable}={cap}; " : "";
        return check.Passed
            ? (true, $"self-check passed{(isa.Length > 0 ? $" ({isa.TrimEnd(' ', ';')})" : "")}", check)
            : (false, $"self-check failed ({isa}{check.Worst}): oneDNN is off", check);
    }
}

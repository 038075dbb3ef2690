using OcrForge.Inference;

namespace OcrForge.Runtime;

/// <summary>
/// Whether libtorch may use oneDNN in this process. oneDNN is libtorch's fast path for convolutions and LSTMs on
/// x86-64, and it is wrong on some CPUs (<see cref="KernelSelfCheck"/>); ATen's own kernels are right on every CPU
/// seen. Chosen once per process from <see cref="EnvironmentVariable"/>: <c>auto</c> (the default) runs the
/// self-check and switches oneDNN off when any case misses; <c>off</c> forces ATen's kernels (for a user who
/// suspects their CPU); <c>on</c> trusts oneDNN unchecked.
/// </summary>
public static class KernelPolicy
{
    public const string EnvironmentVariable = "OCRFORGE_ONEDNN";

    private static readonly Lazy<(bool OneDnn, string Reason, KernelCheckResult Check)> Choice =
        new(Choose, LazyThreadSafetyMode.ExecutionAndPublication);

    public static bool OneDnn => Choice.Value.OneDnn;
    public static string Reason => Choice.Value.Reason;
    public static KernelCheckResult SelfCheck => Choice.Value.Check;

    /// <summary>Makes the choice (once) and applies it to libtorch.</summary>
    public static void Apply() => _ = Choice.Value;

    private static (bool, string, KernelCheckResult) Choose()
    {
        string setting = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "").Trim().ToLowerInvariant();
        var choice = setting switch
        {
            "off" => (false, $"{EnvironmentVariable}=off", KernelCheckResult.NotRun),
            "on" => (true, $"{EnvironmentVariable}=on (not checked)", KernelCheckResult.NotRun),
            "auto" or "" => FromSelfCheck(),
            _ => throw new OcrForgeException(
                $"environment variable {EnvironmentVariable}={setting}: expected auto, on or off"),
        };
        LibTorchContext.OneDnnEnabled = choice.Item1;
        return choice;
    }

    private static (bool, string, KernelCheckResult) FromSelfCheck()
    {
        var check = KernelSelfCheck.Run();
        return check.Passed
            ? (true, "self-check passed", check)
            : (false, $"self-check failed ({check.Worst}): oneDNN is off", check);
    }
}

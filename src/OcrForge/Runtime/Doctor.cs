using System.Reflection;
using System.Runtime.InteropServices;
using OcrForge.Inference.Engines;
using TorchSharp;

namespace OcrForge.Runtime;

/// <summary>Versions of everything that computes: a numeric problem is usually one of these meeting one CPU.</summary>
// Lower-case product names, so JSON reads "torchsharp", not "torch_sharp".
public sealed record Versions(string Ocrforge, string Dotnet, string Torchsharp, string Libtorch, string Onnxruntime,
    string Skiasharp, string Os);

/// <summary>Thread pools that decide speed, and the environment variables that set them.</summary>
public sealed record Threads(int Cores, int TorchIntraOp, int TorchInterOp,
    IReadOnlyDictionary<string, string> Environment);

/// <summary>Which kernels this process uses and why.</summary>
/// <param name="OneDnn">oneDNN switched on process-wide now.</param>
/// <param name="OneDnnUse">Where the policy lets oneDNN run: <c>all</c>, <c>recurrent</c> (recurrent layers only,
/// with gradients) or <c>off</c>.</param>
public sealed record NumericPaths(bool OneDnn, string OneDnnUse, string? OneDnnMaxCpuIsa, string OneDnnReason,
    bool NnpackSupported, bool Nnpack, KernelCheckResult SelfCheck, bool HugePageTensors, string? KernelHugePages,
    string? OpenMpWaitPolicy, string? OpenMpSpinCount);

/// <summary>
/// What a bug report needs, like PyTorch's collect_env: versions, the CPU (vendor, family/model/stepping and the
/// flags that pick kernels), threads, and the numeric paths in use with the self-check's measurements.
/// </summary>
public sealed record DoctorReport(Versions Versions, MachineInfo Machine, Threads Threads, NumericPaths Numerics)
{
    public static DoctorReport Collect()
    {
        TorchRuntime.Initialize();
        var versions = new Versions(
            InformationalVersion(typeof(DoctorReport).Assembly),
            RuntimeInformation.FrameworkDescription,
            InformationalVersion(typeof(torch).Assembly),
            torch.__version__,
            Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(),
            SkiaSharp.SkiaSharpVersion.Native.ToString(),
            RuntimeInformation.OSDescription);
        string[] threadVariables = ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA",
            KernelPolicy.EnvironmentVariable];
        var environment = threadVariables
            .Select(name => (name, value: Environment.GetEnvironmentVariable(name)))
            .Where(v => v.value is not null)
            .ToDictionary(v => v.name, v => v.value!);
        var threads = new Threads(Environment.ProcessorCount, torch.get_num_threads(), torch.get_num_interop_threads(),
            environment);
        var numerics = new NumericPaths(LibTorchContext.OneDnnEnabled, KernelPolicy.Use.ToString().ToLowerInvariant(),
            KernelPolicy.IsaCap, KernelPolicy.Reason, LibTorchContext.NnpackSupported(), LibTorchContext.NnpackEnabled,
            KernelPolicy.SelfCheck, Runtime.HugePageTensors.Enabled, Runtime.HugePageTensors.KernelMode,
            OpenMpWaiting.Policy, OpenMpWaiting.SpinCount);
        return new DoctorReport(versions, MachineInfo.Describe(), threads, numerics);
    }

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OcrForge.Inference.Engines;

/// <summary>Latency of one engine at one batch size and thread count. Times are of <see cref="IOcrEngine.Run"/> on
/// preprocessed input.</summary>
public sealed record BenchResult(string Model, string Engine, int Batch, int Threads, int Repetitions,
    double P50Ms, double P90Ms, double P99Ms, double MeanMs, double ImagesPerSecond);

/// <summary>
/// The machine a benchmark ran on, so that numbers can be compared honestly. The model name alone can be vague
/// ("AMD EPYC" in a VM), so vendor, family, model and stepping identify the core generation.
/// </summary>
public sealed record MachineInfo(string Cpu, int Cores, IReadOnlyList<string> IsaFlags, string Os, string Runtime,
    string OnnxRuntime, string LoadAverage, string Vendor = "unknown", string Family = "unknown",
    string CpuModel = "unknown", string Stepping = "unknown")
{
    /// <summary>
    /// The flags that decide which kernels run: vector widths, int8 and bf16 dot products, AMX. Any avx512 flag
    /// is listed (avx512_vp2intersect marks the CPUs where oneDNN was seen to be wrong).
    /// </summary>
    private static readonly string[] InterestingFlags = ["avx2", "fma", "avx_vnni", "avx_vnni_int8", "f16c"];

    public static MachineInfo Describe()
    {
        string cpuInfo = File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "";
        string Field(string name) => cpuInfo.Split('\n')
            .FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            ?? "unknown";
        var flags = Field("flags").Split(' ');
        return new MachineInfo(
            Field("model name"),
            Environment.ProcessorCount,
            flags.Where(f => InterestingFlags.Contains(f) || f.StartsWith("avx512", StringComparison.Ordinal)
                || f.StartsWith("amx", StringComparison.Ordinal)).Distinct().ToList(),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString() ?? "unknown",
            File.Exists("/proc/loadavg")
                ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
                : "unknown",
            Field("vendor_id"), Field("cpu family"), Field("model\t"), Field("stepping"));
    }
}

/// <summary>
/// Measures an engine: warm-up runs first (excluded: they pay for allocation and kernel selection), then timed
/// repetitions until both a minimum count and a minimum time are reached, reported as percentiles.
/// </summary>
public static class EngineBenchmark
{
    public static BenchResult Measure(IOcrEngine engine, string model, float[] images, int batch, int threads,
        int warmup = 3, int minRepetitions = 20, double minSeconds = 2, int maxRepetitions = 1000,
        CancellationToken cancellationToken = default) =>
        Measure(engine, model,
            new EngineInput(images, images.Length / (engine.Info.Preprocess.Width * engine.Info.Preprocess.Height),
                engine.Info.Preprocess.Height, engine.Info.Preprocess.Width),
            batch, threads, warmup, minRepetitions, minSeconds, maxRepetitions, cancellationToken);

    /// <summary>
    /// Times batches cycled from <paramref name="images"/> at its width: for a variable-width model the widest of
    /// the given images (<see cref="Imaging.Preprocessor.Pack"/>), so the numbers are for text of that length.
    /// </summary>
    public static BenchResult Measure(IOcrEngine engine, string model, EngineInput images, int batch, int threads,
        int warmup = 3, int minRepetitions = 20, double minSeconds = 2, int maxRepetitions = 1000,
        CancellationToken cancellationToken = default)
    {
        int size = images.Width * images.Height;
        int available = images.Data.Length / size;
        if (available == 0) throw new OcrForgeException("bench: no input images");
        // Fill the batch by cycling over the available images.
        var input = new float[batch * size];
        for (int i = 0; i < batch; i++) images.Data.AsSpan(i % available * size, size).CopyTo(input.AsSpan(i * size));

        for (int i = 0; i < warmup; i++) engine.Run(input, batch, cancellationToken);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < maxRepetitions
            && (times.Count < minRepetitions || total.Elapsed.TotalSeconds < minSeconds))
        {
            long start = Stopwatch.GetTimestamp();
            engine.Run(input, batch, cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        double mean = times.Average();
        return new BenchResult(model, engine.Name, batch, threads, times.Count,
            Percentile(times, 50), Percentile(times, 90), Percentile(times, 99), mean, batch * 1000.0 / mean);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        int rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

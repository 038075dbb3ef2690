using OcrForge.Inference.Imaging;

namespace OcrForge.Inference.Engines;

/// <summary>What a model computes, as an inference engine sees it.</summary>
public enum OcrTask { TextRecognition, Classification }

/// <summary>Everything needed to feed a model and read its output; carried by every model file (.ocrf and .onnx).</summary>
/// <param name="Training">
/// How the model was trained (preset, seed, split fractions, metrics): lets tools re-create its held-out split
/// from any copy of the model, exported or quantized.
/// </param>
public sealed record ModelInfo(OcrTask Task, Charset Charset, PreprocessSpec Preprocess, IReadOnlyDictionary<string, string>? Training = null)
{
    public IReadOnlyDictionary<string, string> Training { get; init; } = Training ?? new Dictionary<string, string>();
}

/// <summary>
/// Raw scores from a model. Text recognition: [N, T, C] per-frame logits over charset + blank (blank = class 0).
/// Classification: [N, C] logits. Row-major.
/// </summary>
public sealed record EngineOutput(float[] Data, int[] Shape);

/// <summary>
/// Runs a model on a batch of preprocessed images [N, 1, H, W]. Implementations are thread-safe: one engine serves
/// concurrent callers. Engines: ONNX Runtime (this package) and TorchSharp (the OcrForge library, for .ocrf files).
/// </summary>
public interface IOcrEngine : IDisposable
{
    string Name { get; }
    ModelInfo Info { get; }
    EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default);
}

/// <summary>
/// Opens a model file with the engine that reads it (by extension unless <c>engine</c> says otherwise). ONNX files
/// use ONNX Runtime (<see cref="OnnxEngine"/>); <c>.ocrf</c> files need the
/// TorchSharp engine of the OcrForge library, found by its fixed type name when that assembly is present, so this
/// package does not depend on TorchSharp.
/// </summary>
public static class EngineFactory
{
    private const string TorchEngineType = "OcrForge.Inference.TorchEngine, OcrForge";

    /// <param name="spinning">ONNX Runtime only: see <see cref="OnnxEngine(string, int?, bool)"/>.</param>
    public static IOcrEngine Open(string path, string? engine = null, int? threads = null, bool spinning = true)
    {
        if (!File.Exists(path)) throw new OcrForgeException($"{path}: no such model file");
        engine ??= Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase) ? "onnx" : "torch";
        return engine switch
        {
            "onnx" => new OnnxEngine(path, threads, spinning),
            "torch" => OpenTorch(path, threads),
            _ => throw new OcrForgeException($"--engine {engine}: unknown engine (known: torch, onnx)"),
        };
    }

    private static IOcrEngine OpenTorch(string path, int? threads)
    {
        var type = Type.GetType(TorchEngineType)
            ?? throw new OcrForgeException($"{path}: .ocrf models need the OcrForge library (TorchSharp); export to ONNX for this package");
        var open = type.GetMethod("Open", [typeof(string), typeof(int?)])
            ?? throw new InvalidOperationException($"{TorchEngineType} has no Open(string, int?)");
        try
        {
            return (IOcrEngine)open.Invoke(null, [path, threads])!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}

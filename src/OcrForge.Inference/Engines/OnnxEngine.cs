using Microsoft.ML.OnnxRuntime;

namespace OcrForge.Inference.Engines;

/// <summary>
/// Runs an exported (or quantized) ONNX file with ONNX Runtime. The file's metadata_props describe the model
/// (<see cref="ModelMetadata"/>). InferenceSession.Run is thread-safe, so one engine serves concurrent callers;
/// every call gets its own RunOptions so cancelling one call does not stop the others.
/// </summary>
public sealed class OnnxEngine : IOcrEngine
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string[] _outputs;

    /// <param name="spinning">
    /// Whether idle intra-op threads spin-wait for the next op (ONNX Runtime's default): lowest latency for one
    /// caller on idle cores, but in a server the spinning steals the cores that the HTTP work needs.
    /// </param>
    public OnnxEngine(string path, int? threads = null, bool spinning = true)
        : this(options => new InferenceSession(path, options),
            File.Exists(path) ? path : throw new OcrForgeException($"{path}: no such model file"), threads, spinning)
    {
    }

    /// <summary>Opens a model held in memory; <paramref name="source"/> names it in errors.</summary>
    public OnnxEngine(byte[] model, string source, int? threads = null)
        : this(options => new InferenceSession(model, options), source, threads, spinning: true)
    {
    }

    private OnnxEngine(Func<SessionOptions, InferenceSession> open, string source, int? threads, bool spinning)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // One inference is small: parallelism inside an op is the useful kind; across calls, callers bring their
            // own threads.
            IntraOpNumThreads = threads ?? Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        if (!spinning) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            _session = open(options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OcrForgeException($"{source}: not a valid ONNX model ({FirstLine(e.Message)})", e);
        }
        try
        {
            Info = ModelMetadata.Read(_session.ModelMetadata.CustomMetadataMap, source);
            if (_session.InputNames.Count != 1)
                throw new OcrForgeException($"{source}: expected one image input, found {_session.InputNames.Count}");
        }
        catch
        {
            _session.Dispose();
            throw;
        }
        _input = _session.InputNames[0];
        _outputs = [_session.OutputNames[0]];
    }

    public string Name => "onnx";
    public ModelInfo Info { get; }

    public EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var spec = Info.Preprocess;
        int width = spec.BatchWidth(input.Length, batch);
        using var runOptions = new RunOptions();
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [batch, 1, spec.Height, width]);
        try
        {
            using var results = _session.Run(runOptions, [_input], [tensor], _outputs);
            var output = results[0];
            var shape = output.GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
            return new EngineOutput(output.GetTensorDataAsSpan<float>().ToArray(), shape);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public void Dispose() => _session.Dispose();

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

namespace OcrForge.Inference.Engines;

/// <summary>What <see cref="EngineFactory.Open"/> passes to an engine's opener.</summary>
/// <param name="Threads">Intra-op threads; null = the engine's default (all cores).</param>
/// <param name="Spinning">ONNX Runtime only: see <see cref="OnnxEngine(string, int?, bool)"/>.</param>
public sealed record EngineOptions(int? Threads = null, bool Spinning = true);

/// <summary>
/// Engines by name, each with the file extensions it opens by default. This package registers ONNX Runtime itself
/// (<c>onnx</c>, <c>.onnx</c>); the OcrForge library registers its TorchSharp engine (<c>torch</c>, <c>.ocrf</c>)
/// when its <c>OcrForgeEngines.Register()</c> is called, so this package never depends on TorchSharp.
/// Thread-safe; registering a name again replaces its opener.
/// </summary>
public sealed class EngineRegistry
{
    /// <summary>The name of the OcrForge library's TorchSharp engine, the default for every file not claimed.</summary>
    public const string Torch = "torch";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Func<string, EngineOptions, IOcrEngine>> _engines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _extensions = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registry with the ONNX Runtime engine only.</summary>
    public EngineRegistry() =>
        Register("onnx", (path, options) => new OnnxEngine(path, options.Threads, options.Spinning), ".onnx");

    /// <summary>
    /// Adds (or replaces) the engine <paramref name="name"/>; files ending in one of <paramref name="extensions"/>
    /// open with it unless the caller names another engine.
    /// </summary>
    public void Register(string name, Func<string, EngineOptions, IOcrEngine> open, params string[] extensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(open);
        lock (_lock)
        {
            _engines[name] = open;
            foreach (var extension in extensions)
                _extensions[extension.StartsWith('.') ? extension : "." + extension] = name;
        }
    }

    /// <summary>The registered engine names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_lock) return [.. _engines.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public bool IsRegistered(string name)
    {
        lock (_lock) return _engines.ContainsKey(name);
    }

    /// <summary>
    /// Opens <paramref name="path"/> with <paramref name="engine"/>, or by default with the engine registered for its
    /// extension (<see cref="Torch"/> for any other file).
    /// </summary>
    public IOcrEngine Open(string path, string? engine = null, EngineOptions? options = null)
    {
        if (!File.Exists(path)) throw new OcrForgeException($"{path}: no such model file");
        Func<string, EngineOptions, IOcrEngine>? open;
        lock (_lock)
        {
            engine ??= _extensions.GetValueOrDefault(Path.GetExtension(path)) ?? Torch;
            _engines.TryGetValue(engine, out open);
        }
        if (open is null && engine == Torch)
            throw new OcrForgeException(
                $"{path}: .ocrf models need the OcrForge library; call OcrForgeEngines.Register() or export to ONNX");
        if (open is null)
        {
            // The library's engine is always worth naming: registering it is one call away.
            string[] known = [Torch, .. Names.Where(n => n != Torch)];
            throw new OcrForgeException($"--engine {engine}: unknown engine (known: {string.Join(", ", known)})");
        }
        // Outside the lock: loading a model takes long, and other threads may open models meanwhile.
        return open(path, options ?? new EngineOptions());
    }
}

/// <summary>
/// Opens a model file with the engine that reads it (by extension unless <c>engine</c> says otherwise), from the
/// process-wide <see cref="EngineRegistry"/>: ONNX files use ONNX Runtime (<see cref="OnnxEngine"/>); <c>.ocrf</c>
/// files need the TorchSharp engine, which the OcrForge library registers (<c>OcrForgeEngines.Register()</c>).
/// </summary>
public static class EngineFactory
{
    /// <summary>The registry <see cref="Open"/> uses.</summary>
    public static EngineRegistry Engines { get; } = new();

    /// <inheritdoc cref="EngineRegistry.Register"/>
    public static void Register(string name, Func<string, EngineOptions, IOcrEngine> open,
        params string[] extensions) => Engines.Register(name, open, extensions);

    /// <param name="spinning">ONNX Runtime only: see <see cref="OnnxEngine(string, int?, bool)"/>.</param>
    public static IOcrEngine Open(string path, string? engine = null, int? threads = null, bool spinning = true) =>
        Engines.Open(path, engine, new EngineOptions(threads, spinning));

    /// <summary>
    /// Opens a model to read many images, as <c>eval</c> and <c>predict</c> do, on <paramref name="threads"/> cores
    /// (default: all): a text model with one engine thread and one batch in flight per core
    /// (<see cref="BatchJobEngine.ConcurrentBatches"/>, for <see cref="TextRecognizer.ConcurrentBatches"/>); a
    /// classifier, whose batches run one at a time, with every thread inside its engine.
    /// </summary>
    public static BatchJobEngine OpenForBatchJob(string path, string? engine = null, int? threads = null)
    {
        int cores = threads ?? Environment.ProcessorCount;
        var opened = Open(path, engine, threads: 1);
        if (cores == 1 || opened.Info.Task == OcrTask.TextRecognition) return new BatchJobEngine(opened, cores);
        opened.Dispose();
        return new BatchJobEngine(Open(path, engine, threads), 1);
    }
}

/// <summary>An engine opened by <see cref="EngineFactory.OpenForBatchJob"/>, and how many batches to run on it at
/// once.</summary>
public sealed record BatchJobEngine(IOcrEngine Engine, int ConcurrentBatches) : IDisposable
{
    public void Dispose() => Engine.Dispose();
}

using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Server.Batching;

namespace OcrForge.Server;

/// <summary>
/// An opened model ready to serve, as <see cref="OcrServer.Build(IReadOnlyList{LoadedModel}, OcrServerOptions)"/>
/// takes them.
/// </summary>
public sealed record LoadedModel(string Name, string Path, IOcrEngine Engine, TimeSpan LoadTime)
{
    /// <summary>Opens every model, or none: a failure disposes the ones already open.</summary>
    public static IReadOnlyList<LoadedModel> OpenAll(IReadOnlyList<ModelSource> sources, string? engine, int? threads)
    {
        if (sources.Count == 0) throw new OcrForgeException("--model: give at least one model file");
        var duplicate = sources.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new OcrForgeException($"--model: two models named '{duplicate.Key}'; name them as name=path");
        var loaded = new List<LoadedModel>();
        try
        {
            foreach (var source in sources)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                // No spin-waiting: the engine shares the cores with Kestrel, decoding and JSON (measured in
                // docs/RESULTS.md: twice the requests/s under load).
                var opened = EngineFactory.Open(source.Path, engine, threads, spinning: false);
                // One blank image through the engine now: the first run pays for kernel selection and allocation
                // (close to a second on a busy machine), which would otherwise fall on the first caller.
                var spec = opened.Info.Preprocess;
                opened.Run(new float[spec.Width * spec.Height], 1);
                loaded.Add(new LoadedModel(source.Name, source.Path, opened,
                    System.Diagnostics.Stopwatch.GetElapsedTime(started)));
            }
            return loaded;
        }
        catch
        {
            foreach (var model in loaded) model.Engine.Dispose();
            throw;
        }
    }
}

/// <summary>One model of the service with its batcher and decoders; engines and decoders are thread-safe.</summary>
internal sealed class ServedModel(LoadedModel loaded, MicroBatcher batcher) : IAsyncDisposable
{
    private readonly Dictionary<int, TextRecognizer> _text = [];
    private CharacterClassifier? _classifier;

    public string Name => loaded.Name;
    public string Path => loaded.Path;
    public TimeSpan LoadTime => loaded.LoadTime;
    public IOcrEngine Engine => loaded.Engine;
    public ModelInfo Info => loaded.Engine.Info;
    public MicroBatcher Batcher { get; } = batcher;
    public string Task => Info.Task == OcrTask.TextRecognition ? "text" : "classification";

    public TextRecognizer Text(int beam)
    {
        lock (_text)
        {
            if (!_text.TryGetValue(beam, out var r)) _text[beam] = r = new TextRecognizer(Engine) { BeamWidth = beam };
            return r;
        }
    }

    public CharacterClassifier Classifier => _classifier ??= new CharacterClassifier(Engine);

    /// <summary>Finishes the queued requests, then closes the engine.</summary>
    public async ValueTask DisposeAsync()
    {
        await Batcher.DisposeAsync().ConfigureAwait(false);
        Engine.Dispose();
    }
}

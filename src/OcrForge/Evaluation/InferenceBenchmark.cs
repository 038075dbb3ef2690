using OcrForge.Data;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.IO;

namespace OcrForge.Evaluation;

/// <summary>What <c>ocrforge bench</c> measures: every model, engine, thread count and batch size.</summary>
public sealed record InferenceBenchRequest
{
    public required IReadOnlyList<string> Models { get; init; }
    /// <summary>Images to feed; labels are not used.</summary>
    public required string Data { get; init; }
    /// <summary>
    /// torch, onnx, all (an .ocrf on both engines, exported to ONNX in memory), or null: by file type.
    /// </summary>
    public string? Engine { get; init; }
    public required IReadOnlyList<int> BatchSizes { get; init; }
    public required IReadOnlyList<int> ThreadCounts { get; init; }
    /// <summary>Least time per measurement, after warm-up.</summary>
    public double MinSeconds { get; init; } = 2;
}

/// <summary>Every measurement of a bench run, and the files of its data that could not be read or decoded (each with
/// why), which no model ran on.</summary>
public sealed record InferenceBenchResult(IReadOnlyList<BenchResult> Results, IReadOnlyList<DataProblem> Problems);

/// <summary>
/// Latency and throughput of models on the same prepared batch: the images are decoded and laid out once with the
/// first model's preprocessing, so every model, engine and thread count runs on identical input, and models of
/// another input size are refused rather than measured on different work.
/// </summary>
public static class InferenceBenchmark
{
    public static InferenceBenchResult Run(InferenceBenchRequest request, IProgress<BenchResult>? progress = null)
    {
        var first = Open(request.Models[0], request.Engine, null).First();
        var spec = first.Engine.Info.Preprocess;
        first.Engine.Dispose();
        var dataset = DatasetReader.Read(request.Data);
        var decoded = spec.VariableWidth ? DatasetDecoder.Decode(dataset, spec)
            : DatasetDecoder.Decode(dataset, spec.Width, spec.Height);
        var images = decoded.Samples.Take(request.BatchSizes.Max()).Select(s => s.Image).ToList();
        var input = EngineInput.Prepare(images, spec);

        var results = new List<BenchResult>();
        foreach (int threads in request.ThreadCounts)
            foreach (var file in request.Models)
                foreach (var (name, engine) in Open(file, request.Engine, threads))
                    using (engine)
                    {
                        if (engine.Info.Preprocess != spec)
                            throw new OcrForgeException($"{file}: input {engine.Info.Preprocess.Width}x"
                                + $"{engine.Info.Preprocess.Height} differs from {request.Models[0]}; bench models of "
                                + "one input size together");
                        foreach (int batch in request.BatchSizes)
                        {
                            var r = EngineBenchmark.Measure(engine, name, input, batch, threads,
                                minSeconds: request.MinSeconds);
                            results.Add(r);
                            progress?.Report(r);
                        }
                    }
        return new InferenceBenchResult(results, decoded.Problems);
    }

    /// <summary>The engines to measure for one file: by file type, or both for an .ocrf with engine "all".</summary>
    private static IEnumerable<(string Name, IOcrEngine Engine)> Open(string file, string? engine, int? threads)
    {
        string name = Path.GetFileName(file);
        bool onnxFile = Path.GetExtension(file).Equals(".onnx", StringComparison.OrdinalIgnoreCase);
        if (engine is not (null or "all" or "torch" or "onnx"))
            throw new OcrForgeException($"--engine {engine}: unknown engine (known: torch, onnx, all)");
        if (onnxFile || engine is null or "torch")
        {
            if (onnxFile && engine == "torch")
                throw new OcrForgeException($"{file}: an ONNX file runs on the onnx engine only");
            yield return (name, EngineFactory.Open(file, onnxFile ? "onnx" : "torch", threads));
            yield break;
        }
        if (engine == "all") yield return (name, EngineFactory.Open(file, "torch", threads));
        using var model = TrainedModel.Load(file);
        yield return (name, new OnnxEngine(OnnxWriter.Serialize(OnnxExporter.Export(model)), file, threads));
    }
}

using OcrForge.Compression.Pruning;
using OcrForge.Data;
using OcrForge.Engines;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Training;
using OcrForge.Training.Classification;
using static TorchSharp.torch;

namespace OcrForge.Evaluation;

/// <summary>What to compare: model files (the first is the baseline) and the labelled images to run them on.</summary>
public sealed record ComparisonRequest
{
    public required IReadOnlyList<string> Models { get; init; }
    public required string Data { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    /// <summary>Classifiers only: all, or a part of the split the baseline records (as <c>eval --split</c>).</summary>
    public string Split { get; init; } = "all";
    public int? Threads { get; init; }
    /// <summary>Least time for each latency and throughput measurement, after warm-up.</summary>
    public double Seconds { get; init; } = 1;
}

/// <summary>
/// One model's row. Sizes in bytes; latency of batch 1, throughput at batch 64. Ratios are to the baseline: sizes
/// as this ÷ baseline (below 1 = smaller), speed as how many times faster (above 1 = faster).
/// </summary>
public sealed record ComparedModel
{
    public required string Model { get; init; }
    public required string Engine { get; init; }
    public required long Parameters { get; init; }
    public required long NonZeroParameters { get; init; }
    public required long FileBytes { get; init; }
    public required long GzipBytes { get; init; }
    /// <summary>Text: sequence_accuracy, character_accuracy, cer; classifiers: top1_accuracy, top3_accuracy.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    /// <summary>The headline metric (sequence accuracy or top-1), 0–1.</summary>
    public required double Accuracy { get; init; }
    public required double LatencyP50Ms { get; init; }
    public required double LatencyP99Ms { get; init; }
    public required double ImagesPerSecond { get; init; }
    public double SizeRatio { get; init; } = 1;
    public double GzipRatio { get; init; } = 1;
    /// <summary>Baseline batch-1 p50 ÷ this p50.</summary>
    public double Speedup { get; init; } = 1;
    /// <summary>This batch-64 images/s ÷ the baseline's.</summary>
    public double ThroughputRatio { get; init; } = 1;
    /// <summary>Headline accuracy minus the baseline's, in percentage points.</summary>
    public double AccuracyDeltaPoints { get; init; }
}

/// <summary>A model file that could not be opened; the comparison goes on without it.</summary>
public sealed record ModelFailure(string Model, string Reason);

public sealed record ComparisonResult(
    string Task, string Data, int Samples, int Skipped, string Baseline, string HeadlineMetric, int Threads,
    IReadOnlyList<ComparedModel> Models, IReadOnlyList<ModelFailure> Failures, MachineInfo Machine)
{
    /// <summary>The files of the data that could not be read or decoded, each with why (<see cref="Skipped"/> of
    /// them); no model saw them.</summary>
    public IReadOnlyList<DataProblem> Problems { get; init; } = [];
}

/// <summary>
/// Puts models side by side on the same images: each runs on the engine its file type implies (.ocrf →
/// TorchSharp, .onnx → ONNX Runtime), and gets its weight count, file and gzip size, accuracy, batch-1 latency
/// and batch-64 throughput, plus its ratio to the first model. Models must share a task and a charset.
/// </summary>
public static class ModelComparison
{
    public const int ThroughputBatch = 64;

    public static ComparisonResult Run(ComparisonRequest request, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (request.Models.Count == 0) throw new OcrForgeException("--model: name at least one model file");
        if (request.Seconds is <= 0 or > 600)
            throw new OcrForgeException($"--seconds {request.Seconds}: expected (0, 600]");
        var failures = new List<ModelFailure>();
        var opened = new List<(string Path, IOcrEngine Engine)>();
        // The models compared are .ocrf files as often as .onnx: this library's engine opens them.
        OcrForgeEngines.Register();
        try
        {
            foreach (var path in request.Models)
            {
                try
                {
                    opened.Add((path, EngineFactory.Open(path, threads: request.Threads)));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Add(new ModelFailure(path, Reason(path, e)));
                }
            }
            if (opened.Count == 0)
                throw new OcrForgeException(
                    $"no model could be loaded (first: {failures[0].Model}: {failures[0].Reason})");
            var (basePath, baseEngine) = opened[0];
            foreach (var (path, engine) in opened.Skip(1))
                CheckComparable(basePath, baseEngine.Info, path, engine.Info);

            var data = Load(request, basePath, baseEngine.Info);
            int threads = request.Threads ?? Environment.ProcessorCount;
            var rows = new List<ComparedModel>();
            foreach (var (path, engine) in opened)
            {
                progress?.Report($"{Path.GetFileName(path)}: accuracy on {data.Count} images, then speed");
                rows.Add(Measure(path, engine, data, threads, request.Seconds, cancellationToken));
            }
            var baseline = rows[0];
            rows = rows.Select(r => r with
            {
                SizeRatio = (double)r.FileBytes / baseline.FileBytes,
                GzipRatio = (double)r.GzipBytes / baseline.GzipBytes,
                Speedup = baseline.LatencyP50Ms / r.LatencyP50Ms,
                ThroughputRatio = r.ImagesPerSecond / baseline.ImagesPerSecond,
                // Rounded so that one image in 100 reads −1 point, not −1.0000000000000009.
                AccuracyDeltaPoints = Points(r.Accuracy - baseline.Accuracy),
            }).ToList();
            var task = baseEngine.Info.Task == OcrTask.TextRecognition ? "text_recognition" : "classification";
            return new ComparisonResult(task, request.Data, data.Count, data.Problems.Count, basePath,
                baseline.Metrics.Keys.First(), threads, rows, failures, MachineInfo.Describe())
            {
                Problems = data.Problems,
            };
        }
        finally
        {
            foreach (var (_, engine) in opened) engine.Dispose();
        }
    }

    /// <summary>A difference of two accuracies (0–1) in percentage points, to 6 decimals.</summary>
    public static double Points(double difference) => Math.Round(difference * 100, 6);

    /// <summary>Models that answer different questions share no table: same task, same charset in order.</summary>
    public static void CheckComparable(string a, ModelInfo infoA, string b, ModelInfo infoB)
    {
        static string Name(OcrTask t) => t == OcrTask.TextRecognition ? "a text recogniser" : "a character classifier";
        if (infoA.Task != infoB.Task)
            throw new OcrForgeException(
                $"{a} is {Name(infoA.Task)} and {b} is {Name(infoB.Task)}: compare models of one task");
        if (!infoA.Charset.Symbols.SequenceEqual(infoB.Charset.Symbols))
            throw new OcrForgeException(
                $"{a} and {b} have different charsets ({Symbols(infoA)} vs {Symbols(infoB)}): " +
                "compare models of one charset");
    }

    private static string Symbols(ModelInfo info) =>
        info.Charset.Symbols.Count <= 40 ? $"'{string.Concat(info.Charset.Symbols)}'"
            : $"{info.Charset.Symbols.Count} symbols";

    /// <summary>The reason, without the file name the message may start with (the caller names the file).</summary>
    private static string Reason(string path, Exception e)
    {
        var message = e.Message.Split('\n')[0].Trim();
        var prefix = path + ": ";
        var reason = message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
        return e is OcrForgeException ? reason : $"{e.GetType().Name}: {reason}";
    }

    /// <summary>The images every model sees: decoded once, each model preprocesses them its own way.</summary>
    private sealed record Images(IReadOnlyList<Sample>? Text, IReadOnlyList<LabeledImage>? Characters,
        IReadOnlyList<DataProblem> Problems)
    {
        public int Count => Text?.Count ?? Characters!.Count;
        public IEnumerable<OcrForge.Inference.Imaging.GrayImage> First(int n) =>
            Text is not null ? Text.Take(n).Select(s => s.Image) : Characters!.Take(n).Select(c => c.Image);
    }

    private static Images Load(ComparisonRequest request, string basePath, ModelInfo info)
    {
        if (info.Task == OcrTask.TextRecognition)
        {
            if (request.Split != "all")
                throw new OcrForgeException($"--split {request.Split}: only character classifiers record a split");
            var decoded = DatasetDecoder.Decode(DatasetReader.Read(request.Data, request.Format));
            return new Images(decoded.Samples, null, decoded.Problems);
        }
        var (_, images, problems) = CharacterData.Load(request.Data, request.Format, spec: null, info.Charset);
        images = RecordedSplit.Select(images, info.Charset, request.Split, info.Training, basePath);
        return new Images(null, images, problems);
    }

    private static ComparedModel Measure(string path, IOcrEngine engine, Images data, int threads, double seconds,
        CancellationToken cancellationToken)
    {
        var metrics = data.Text is not null
            ? TextMetricsOf(engine, data.Text, cancellationToken)
            : ClassifierMetricsOf(engine, data.Characters!, cancellationToken);
        var weights = engine is TorchEngine torchEngine ? Count(torchEngine) : OnnxWeights.Count(path);
        var input = EngineInput.Prepare(data.First(ThroughputBatch).ToList(), engine.Info.Preprocess);
        var name = Path.GetFileName(path);
        var one = EngineBenchmark.Measure(engine, name, input, 1, threads, minSeconds: seconds,
            cancellationToken: cancellationToken);
        // Throughput is a mean, which needs fewer repetitions than a p99; 10 batches of 64 keep a slow .ocrf
        // from spending the default 20 (over 2 s each on a busy machine) where the time minimum already suffices.
        var many = EngineBenchmark.Measure(engine, name, input, ThroughputBatch, threads, minRepetitions: 10,
            minSeconds: seconds, cancellationToken: cancellationToken);
        return new ComparedModel
        {
            Model = path,
            Engine = engine.Name,
            Parameters = weights.Total,
            NonZeroParameters = weights.NonZero,
            FileBytes = new FileInfo(path).Length,
            // .ocrf files are deflate-compressed already, ONNX files are not: gzip puts both on one footing.
            GzipBytes = Pruning.CompressedSize(path),
            Metrics = metrics,
            Accuracy = metrics.Values.First(),
            LatencyP50Ms = one.P50Ms,
            LatencyP99Ms = one.P99Ms,
            ImagesPerSecond = many.ImagesPerSecond,
        };
    }

    private static Dictionary<string, double> TextMetricsOf(IOcrEngine engine, IReadOnlyList<Sample> samples,
        CancellationToken cancellationToken)
    {
        // Not disposed: disposing the recognizer would dispose the engine, which the caller owns.
        var recognizer = new TextRecognizer(engine);
        var metrics = new TextMetrics();
        var predictions = recognizer.PredictAll([.. samples.Select(s => s.Image)],
            cancellationToken: cancellationToken);
        for (int i = 0; i < samples.Count; i++) metrics.Add(predictions[i].Text, samples[i].Label);
        return new()
        {
            ["sequence_accuracy"] = metrics.SequenceAccuracy,
            ["character_accuracy"] = metrics.CharacterAccuracy,
            ["cer"] = metrics.Cer,
        };
    }

    private static Dictionary<string, double> ClassifierMetricsOf(IOcrEngine engine, IReadOnlyList<LabeledImage> images,
        CancellationToken cancellationToken)
    {
        var m = ClassifierEvaluation.Evaluate(engine, images, cancellationToken: cancellationToken).Metrics;
        return new() { ["top1_accuracy"] = m.Accuracy, ["top3_accuracy"] = m.Top3Accuracy };
    }

    /// <summary>Trainable parameters of the module (BatchNorm's running statistics are buffers, not counted).</summary>
    private static WeightCount Count(TorchEngine engine)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long total = 0, nonZero = 0;
        foreach (var p in engine.Model.Module.parameters())
        {
            total += p.numel();
            nonZero += p.ne(0).sum().item<long>();
        }
        return new WeightCount(total, nonZero);
    }
}

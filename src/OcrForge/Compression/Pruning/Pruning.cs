using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Compression.Pruning;

/// <summary>What <c>ocrforge prune</c> is asked to do.</summary>
public sealed record PruneRequest
{
    public required string ModelPath { get; init; }
    /// <summary>The folder the model was trained on: the model file records how it was split.</summary>
    public required string Data { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    public required string OutPath { get; init; }
    public PruneMethod Method { get; init; } = PruneMethod.Magnitude;
    /// <summary>Share of each weight tensor set to zero (magnitude) or of each convolution's channels removed
    /// (channels), in (0, 1).</summary>
    public double Sparsity { get; init; } = 0.5;
    public int Epochs { get; init; } = 10;
    /// <summary>Share of the fine-tuning steps over which the sparsity ramps up; the rest fine-tunes at the
    /// target.</summary>
    public double RampFraction { get; init; } = 2.0 / 3;
    /// <summary>Peak learning rate; null = a tenth of the training run's (magnitude) or half of it
    /// (channels).</summary>
    public double? LearningRate { get; init; }
    public int? Threads { get; init; }
    public bool Resume { get; init; }
}

/// <summary>
/// A pruned model with the headline metric before and after, the sparsity of its weight tensors, and for channel
/// pruning the channel counts per convolution.
/// </summary>
public sealed record PruneOutcome(
    TrainedModel Model,
    TrainingResult Training,
    string MetricName,
    double Before,
    double After,
    int EvaluatedSamples,
    IReadOnlyList<LayerSparsity> Layers,
    IReadOnlyList<DataProblem> Problems)
{
    public IReadOnlyList<ChannelChange> Channels { get; init; } = [];
    public long ParametersBefore { get; init; }
    public long ParametersAfter { get; init; }
    /// <summary>Classifiers: the recipe fine-tuning used, the one the model file records (else the
    /// default).</summary>
    public ClassificationRecipe? Recipe { get; init; }
    /// <summary>One-line notes for the user, e.g. that an older model file records no recipe.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Points of the headline metric lost beyond which the pruned model is worth a second try.</summary>
    public const double LargeLoss = 0.05;

    /// <summary>
    /// What to try when the pruned model lost more than <see cref="LargeLoss"/>, or null. A CTC model pruned hard can
    /// fall onto the all-blank plateau (0 %): it needs a longer, faster fine-tuning, not a different method.
    /// </summary>
    public string? Advice => Before - After > LargeLoss
        ? $"{MetricName} fell from {Before:P1} to {After:P1}: prune less, or fine-tune longer and faster "
            + "(e.g. --epochs 30 --lr equal to the training run's peak)"
        : null;
}

/// <summary>
/// magnitude: zero the smallest weights of every tensor on a schedule (same shapes, smaller compressed file);
/// channels: remove whole convolution channels at once, then fine-tune (smaller, faster network).
/// </summary>
public enum PruneMethod { Magnitude, Channels }

/// <summary>
/// Trained model file → pruned model file: rebuild the training run's split from what the model records (seed,
/// fractions, options), measure, then either fine-tune with gradual magnitude pruning
/// (<see cref="SparsitySchedule"/>) and keep the best validation epoch at the target sparsity, or remove channels
/// (<see cref="ChannelPruner"/>) and fine-tune the smaller network; a cosine learning rate from a tenth (magnitude) or
/// half (channels) of the original peak. Measure again, save. The result is an ordinary model file (with zeros in it,
/// or with narrower layers that its config describes): eval, predict, export and quantize take it as is.
/// CTC models are measured on their validation split (they have no test split); classifiers on their test split.
/// </summary>
public static class Pruning
{
    public static PruneOutcome Run(PruneRequest request, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (!(request.Sparsity > 0 && request.Sparsity < 1))
            throw new OcrForgeException($"--sparsity {request.Sparsity}: expected a share in (0, 1), e.g. 0.5");
        if (request.Epochs < 1) throw new OcrForgeException($"--epochs {request.Epochs}: expected at least 1");
        if (!(request.RampFraction > 0 && request.RampFraction <= 1))
            throw new OcrForgeException($"ramp fraction {request.RampFraction}: expected (0, 1]");
        if (!request.OutPath.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
            throw new OcrForgeException($"--out {request.OutPath}: model files end in {ModelFile.Extension}");
        TorchRuntime.Initialize(request.Threads);
        var model = TrainedModel.Load(request.ModelPath);
        try
        {
            var recorded = RecordedOptions(model, request.ModelPath);
            var options = recorded with
            {
                Epochs = request.Epochs,
                // Removing channels at once damages the network more than a gradual ramp of zeros: recovering it
                // took half the original peak (a tenth lost 2 points on GoodImg; docs/results-prune.md).
                LearningRate = request.LearningRate
                    ?? recorded.LearningRate / (request.Method == PruneMethod.Channels ? 2 : 10),
                Schedule = ScheduleKind.Cosine,
                Patience = 0,
                Ema = 0,
                Resume = request.Resume,
                Threads = request.Threads,
                RunDirectory = TrainingOptions.RunDirectoryFor(request.OutPath),
            };
            // The data is read once: channel pruning scores the dense model and fine-tunes the smaller one on it.
            using var data = model.Manifest.Task == ModelTask.TextRecognition
                ? TextData(model, request, options, cancellationToken)
                : CharacterData(model, request, options, cancellationToken);
            long parametersBefore = model.Module.ParameterCount();
            IReadOnlyList<ChannelChange> channels = [];
            double? denseScore = null;
            if (request.Method == PruneMethod.Channels)
            {
                var (smaller, changes) =
                    Named(request.ModelPath, () => ChannelPruner.Shrink(model, request.Sparsity));
                try
                {
                    var dense = data.CreateTask(model.Module);
                    using (dense as IDisposable) denseScore = data.Measure(dense, cancellationToken);
                }
                catch
                {
                    smaller.Dispose();
                    throw;
                }
                model.Dispose();
                (model, channels) = (smaller, changes);
            }

            var task = data.CreateTask(model.Module);
            using var ownedTask = task as IDisposable;
            double before = denseScore ?? data.Measure(task, cancellationToken);
            int stepsPerEpoch = (task.TrainingCount + options.BatchSize - 1) / options.BatchSize;
            var schedule = new SparsitySchedule(request.Sparsity,
                (long)Math.Round(request.RampFraction * request.Epochs * stepsPerEpoch));
            // Channel pruning has already removed what it removes: it only fine-tunes the smaller network.
            var pruning = request.Method == PruneMethod.Magnitude ? new PruningTask(task, schedule) : null;
            // Same seed as training, so a pruning run is as reproducible as the run it starts from.
            TorchRuntime.Seed(options.Seed);
            var result = new Trainer(options, progress).Fit(pruning ?? task, cancellationToken);
            // The kept weights are from an epoch at the target; this only matters when no epoch got there (a ramp
            // that rounds to the last step), and is a no-op otherwise.
            pruning?.Pruner.Apply(request.Sparsity);
            double after = data.Measure(task, cancellationToken);
            var layers = (pruning?.Pruner ?? new MagnitudePruner(model.Module)).Measure();

            var facts = model.Manifest.Training;
            facts["pruned_from"] = Path.GetFullPath(request.ModelPath);
            facts["pruning_method"] = request.Method.ToString().ToLowerInvariant();
            facts["pruned_sparsity"] = request.Method == PruneMethod.Magnitude
                ? MagnitudePruner.Overall(layers).ToString("G6", CultureInfo.InvariantCulture)
                : request.Sparsity.ToString("G6", CultureInfo.InvariantCulture);
            facts["pruning_epochs"] = result.History.Count.ToString(CultureInfo.InvariantCulture);
            facts[$"pruned_{data.MetricName}"] = after.ToString("G6", CultureInfo.InvariantCulture);
            facts["pruned_at"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
            model.Save(request.OutPath);
            return new PruneOutcome(model, result, data.MetricName, before, after, data.Samples, layers,
                data.Problems)
            {
                Recipe = data.Recipe,
                Notes = data.Notes,
                Channels = channels,
                ParametersBefore = parametersBefore,
                ParametersAfter = model.Module.ParameterCount(),
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/>, naming the model file in the one-line error it may
    /// raise.</summary>
    private static T Named<T>(string path, Func<T> action)
    {
        try { return action(); }
        catch (OcrForgeException e) { throw new OcrForgeException($"{path}: {e.Message}", e); }
    }

    /// <summary>Bytes of a file after gzip: what the zeros of a pruned model save in a download or a
    /// package.</summary>
    public static long CompressedSize(string path)
    {
        using var sink = new CountingStream();
        using (var gzip = new GZipStream(sink, CompressionLevel.Optimal, leaveOpen: true))
        using (var file = File.OpenRead(path))
            file.CopyTo(gzip);
        return sink.Length;
    }

    /// <summary>The training options the model file records (batch size, optimizer, augmentation, seed, split): its
    /// run specification's, else the <c>options</c> fact of files written before it.</summary>
    private static TrainingOptions RecordedOptions(TrainedModel model, string path)
    {
        if (model.Manifest.Run is { } run) return run.Training;
        if (!model.Manifest.Training.TryGetValue("options", out var json))
            throw new OcrForgeException($"{path}: the model file does not record its training options; "
                + "prune needs them to rebuild its split");
        try
        {
            return JsonSerializer.Deserialize<TrainingOptions>(json, ModelFile.Json)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new OcrForgeException(
                $"{path}: unreadable training options in the model file ({e.Message.Split('\n')[0]})");
        }
    }

    private static PruneData TextData(TrainedModel model, PruneRequest request, TrainingOptions options,
        CancellationToken cancellationToken)
    {
        var spec = model.Manifest.Preprocess;
        var charset = model.Charset;
        var (trainSamples, validationSamples, problems) = CtcTraining.RecordedSplit(model, request.Data,
            Format(model, request), options, request.ModelPath, cancellationToken);
        var train = new ImageBatches(trainSamples, spec,
            options.Augment ? new Augmenter(AugmentOptions.TextLines) : null);
        var validation = new ImageBatches(validationSamples, spec, null);
        return new PruneData("sequence_accuracy", validation.Count, problems,
            module => new CtcTrainingTask(module, charset, train, validation),
            (task, ct) => CtcTrainingTask.Evaluate(task.Model, charset, validation, ct).Metrics.SequenceAccuracy,
            [train, validation]);
    }

    private static PruneData CharacterData(TrainedModel model, PruneRequest request, TrainingOptions options,
        CancellationToken cancellationToken)
    {
        var manifest = model.Manifest;
        if (!RecordedSplit.IsRecorded(manifest))
            throw new OcrForgeException(
                $"{request.ModelPath}: the model file does not record its training split; prune needs it");
        var spec = manifest.Preprocess;
        // Only the labels the model was trained with: a model trained on 10 % of them is fine-tuned on that 10 %.
        var settings = RecordedSplit.Settings(manifest.Run, manifest.Training)!;
        var prepared = PreparedData.Characters(new DataKey(request.Data, Format(model, request), spec, settings),
            model.Charset, cancellationToken);
        var (split, problems) = (prepared.Split, prepared.Problems);
        if (split.Test.Count == 0)
            throw new OcrForgeException($"{request.Data}: no held-out test images for {request.ModelPath}'s split");
        var augmenter = options.Augment ? new Augmenter(AugmentOptions.Characters) : null;
        // Fine-tuning with another loss than training's (label smoothing, class weights) would pull the weights
        // elsewhere; files from before the run was stored do not say, and get the default.
        var recipe = manifest.Run?.Classifier?.Loss;
        IReadOnlyList<string> notes = recipe is null
            ? [$"{request.ModelPath} does not record its classifier recipe (written before run specifications); "
                + $"fine-tuning with the default (label smoothing {new ClassificationRecipe().LabelSmoothing})"]
            : [];
        recipe ??= new ClassificationRecipe();
        return new PruneData("test_accuracy", split.Test.Count, problems,
            module => new ClassificationTask(module, spec, split.Train, split.Validation, augmenter, recipe,
                model.Charset.Symbols),
            (task, ct) => ((ClassificationTask)task).Score(split.Test, ct).Accuracy,
            []) { Recipe = recipe, Notes = notes };
    }

    /// <summary>The layout given, else the one training read the folder with.</summary>
    private static DatasetFormat Format(TrainedModel model, PruneRequest request) =>
        request.Format == DatasetFormat.Auto ? model.Manifest.Run?.Data.Format ?? DatasetFormat.Auto : request.Format;

    /// <summary>
    /// The run's data, read once: a training task over it for any model of the same charset and input (the dense one
    /// and its pruned successor), the headline metric of such a task's model, and what to dispose afterwards. Tasks
    /// that own native memory (classification) are disposed by whoever creates them.
    /// </summary>
    private sealed record PruneData(string MetricName, int Samples, IReadOnlyList<DataProblem> Problems,
        Func<OcrModule, ITrainingTask> CreateTask, Func<ITrainingTask, CancellationToken, double> Measure,
        IReadOnlyList<IDisposable> Resources) : IDisposable
    {
        public ClassificationRecipe? Recipe { get; init; }
        public IReadOnlyList<string> Notes { get; init; } = [];

        public void Dispose()
        {
            foreach (var r in Resources) r.Dispose();
        }
    }

    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
    }
}

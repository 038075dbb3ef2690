using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;

namespace OcrForge.Training;

/// <summary>What <c>ocrforge train ctc</c> is asked to do.</summary>
public sealed record CtcTrainingRequest
{
    public required string Data { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    public string Preset { get; init; } = CtcTraining.DefaultPreset;
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];
    public required string OutPath { get; init; }
    public required TrainingOptions Options { get; init; }
}

/// <summary>A finished CTC run: the saved model (best weights), how training went, and its validation metrics.</summary>
public sealed record CtcTrainingOutcome(
    TrainedModel Model,
    TrainingResult Result,
    int TrainingSamples,
    int ValidationSamples,
    TextMetrics Validation,
    IReadOnlyList<DataProblem> Problems);

/// <summary>
/// Folder of labelled text images → trained CTC model file: read, decode once into memory, split (seeded), standardise
/// the input with the training set's pixel statistics, train with <see cref="Trainer"/>, save with the manifest.
/// </summary>
public static class CtcTraining
{
    /// <summary>The recipe measured best on captcha-like data (docs/results-ctc.md).</summary>
    public const string DefaultPreset = "captcha-crnn";

    public static CtcTrainingOutcome Run(CtcTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var options = request.Options.Validate();
        TorchRuntime.Initialize(options.Threads);
        var config = ModelRegistry.Create(request.Preset, request.Overrides) as CrnnConfig
            ?? throw new OcrForgeException($"--preset {request.Preset}: a character-classifier preset; use `ocrforge train classify`");

        var dataset = DatasetReader.Read(request.Data, request.Format);
        var decoded = DatasetDecoder.Decode(dataset, config.InputWidth, config.InputHeight, cancellationToken: cancellationToken);
        var samples = decoded.Samples;
        var charset = Charset.FromLabels(samples.Select(s => s.Label), hasBlank: true);
        CheckLabelsFit(samples, config, request.Data);

        var (train, validation) = Split(samples, options, request.Data);
        var spec = Standardize(train, config);

        // Seed before building: weight initialisation draws from torch's generator.
        TorchRuntime.Seed(options.Seed);
        var model = TrainedModel.Create(config, charset, spec, new Dictionary<string, string>
        {
            ["preset"] = request.Preset,
            ["overrides"] = string.Join(" ", request.Overrides.Select(kv => $"{kv.Key}={kv.Value}")),
            ["data"] = Path.GetFullPath(request.Data),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["options"] = System.Text.Json.JsonSerializer.Serialize(options with { RunDirectory = "" }, ModelFile.Json),
        });
        try
        {
            using var trainBatches = new ImageBatches(train, spec, options.Augment ? new Augmenter(AugmentOptions.TextLines) : null);
            using var validationBatches = new ImageBatches(validation, spec, null);
            var task = new CtcTrainingTask(model.Module, charset, trainBatches, validationBatches);
            var result = new Trainer(options, progress).Fit(task, cancellationToken);
            var (_, metrics) = CtcTrainingTask.Evaluate(model.Module, charset, validationBatches, cancellationToken);

            var facts = model.Manifest.Training;
            facts["epochs_run"] = result.History.Count.ToString(CultureInfo.InvariantCulture);
            facts["best_epoch"] = result.BestEpoch.ToString(CultureInfo.InvariantCulture);
            facts["training_samples"] = train.Count.ToString(CultureInfo.InvariantCulture);
            facts["validation_samples"] = validation.Count.ToString(CultureInfo.InvariantCulture);
            foreach (var (name, value) in metrics.ToDictionary()) facts[$"validation_{name}"] = value.ToString("G6", CultureInfo.InvariantCulture);
            facts["trained_at"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
            model.Save(request.OutPath);
            return new CtcTrainingOutcome(model, result, train.Count, validation.Count, metrics, decoded.Problems);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The seeded train/validation split of a CTC run (not stratified: text lines have no classes). Whatever later
    /// needs the run's split again (pruning) recomputes it here from the options the model file records.
    /// </summary>
    public static (List<Sample> Train, List<Sample> Validation) Split(IReadOnlyList<Sample> samples, TrainingOptions options, string data)
    {
        var split = Splitter.Split(samples.Select(s => s.Label).ToList(), options.ValidationFraction, 0, options.Seed, stratified: false);
        if (split.Validation.Length == 0 || split.Train.Length == 0)
            throw new OcrForgeException($"{data}: {samples.Count} images are too few to split with --val-fraction {options.ValidationFraction}");
        return (split.Train.Select(i => samples[i]).ToList(), split.Validation.Select(i => samples[i]).ToList());
    }

    /// <summary>
    /// Zero mean, unit variance over the training pixels: the first conv then sees centred inputs whatever the
    /// paper and ink colours are, which matters most for models without BatchNorm (keras-captcha).
    /// </summary>
    public static PreprocessSpec Standardize(IReadOnlyList<Sample> train, ModelConfig config)
    {
        double sum = 0, sumSquares = 0;
        long count = 0;
        foreach (var s in train)
            foreach (byte b in s.Image.Pixels)
            {
                double v = b / 255.0;
                sum += v;
                sumSquares += v * v;
                count++;
            }
        double mean = sum / count;
        double std = Math.Sqrt(Math.Max(sumSquares / count - mean * mean, 0));
        // A blank image set has no spread; keep the scale rather than divide by zero.
        return new PreprocessSpec(config.InputWidth, config.InputHeight, (float)mean, std > 1e-3 ? (float)std : 1f);
    }

    /// <summary>CTC needs a frame per symbol plus a blank between equal neighbours; a longer label can never be read.</summary>
    private static void CheckLabelsFit(IReadOnlyList<Sample> samples, CrnnConfig config, string data)
    {
        foreach (var s in samples)
        {
            var symbols = s.Label.EnumerateSymbols().ToArray();
            int needed = symbols.Length + symbols.Zip(symbols.Skip(1), (a, b) => a == b ? 1 : 0).Sum();
            if (needed > config.TimeSteps)
                throw new OcrForgeException($"{s.Path}: label '{s.Label}' needs {needed} frames but the model has {config.TimeSteps} (widen the input or pool less: --set width=… / pools=…)");
        }
    }
}

using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;

namespace OcrForge.Training.Classification;

/// <summary>Everything `ocrforge train classify` asks for, as data.</summary>
public sealed record CharacterTrainingRequest
{
    public required string Data { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    public string Preset { get; init; } = DefaultPreset;
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];
    /// <summary>The model file to write; null = return the model without writing it.</summary>
    public string? OutPath { get; init; }
    public required TrainingOptions Options { get; init; }
    public ClassificationRecipe Recipe { get; init; } = new();
    public ResizeMode Resize { get; init; } = ResizeMode.Pad;
    public bool AutoContrast { get; init; } = true;
    /// <summary>Share of the images held out for the final test (never seen by training or model selection).</summary>
    public double TestFraction { get; init; } = DefaultTestFraction;
    /// <summary>Fraction of the training split whose labels are used; the rest is unlabelled (SGAN) or
    /// unused.</summary>
    public double LabeledFraction { get; init; } = 1.0;
    /// <summary>
    /// Also learn from unlabelled images, e.g. with a semi-supervised GAN (<c>SganOptions</c>), whose discriminator's
    /// K-class head is the saved classifier; null = supervised only.
    /// </summary>
    public ISemiSupervisedMethod? SemiSupervised { get; init; }
    /// <summary>Extra unlabelled images (any layout; their labels, if any, are ignored).</summary>
    public string? UnlabeledData { get; init; }
    /// <summary>The split's validation fraction and seed; null = <see cref="TrainingOptions.ValidationFraction"/>
    /// and <see cref="TrainingOptions.Seed"/> (the test and labelled fractions are the properties above).</summary>
    public SplitSettings? Split { get; init; }

    /// <summary>The whole split of this request.</summary>
    public SplitSettings SplitSettings => new(Split?.ValidationFraction ?? Options.ValidationFraction, TestFraction,
        LabeledFraction, Split?.Seed ?? Options.Seed);

    public const string DefaultPreset = "chars74k-resnet";
    public const double DefaultTestFraction = 0.15;
}

/// <summary>What a training run produced: the saved model (best validation epoch) and its held-out test
/// metrics.</summary>
public sealed record CharacterTrainingResult(TrainedModel Model, TrainingResult Training, ClassificationMetrics Test,
    int TrainCount, int UnlabeledCount, int ValidationCount, IReadOnlyList<DataProblem> Problems);

/// <summary>
/// A character data set read, decoded and prepared once for one input (<see cref="CharacterTraining.Prepare"/>), split
/// train/validation/test: what runs with the same input and split (tuning trials) share.
/// </summary>
public sealed record PreparedCharacters
{
    public required string Source { get; init; }
    public required PreprocessSpec Spec { get; init; }
    public required CharacterSplit Split { get; init; }
    public required IReadOnlyList<DataProblem> Problems { get; init; }
    /// <summary>The split these parts came from; null when a caller assembled them.</summary>
    public SplitSettings? Settings { get; init; }
}

/// <summary>
/// The flow behind `ocrforge train classify`: load and prepare (pad/auto-contrast as inference will), split
/// train/validation/test stratified and seeded, hide labels if asked, train with <see cref="Trainer"/> (supervised or
/// SGAN), score the held-out test split, save.
/// </summary>
public static class CharacterTraining
{
    /// <summary>
    /// The recipe measured best on Chars74K natural-scene characters (docs/results-cls.md): what `train classify` and
    /// tuning trials use for every setting they are not given.
    /// </summary>
    public static readonly TrainingOptions Recipe = new()
    {
        RunDirectory = "",
        Epochs = 30,
        BatchSize = 64,
        LearningRate = 2e-3,
        Optimizer = OptimizerKind.AdamW,
        Schedule = ScheduleKind.OneCycle,
        WeightDecay = 5e-4,
        Patience = 0,
        ValidationFraction = 0.1,
        Augment = true,
    };

    /// <summary>The preset's classifier config with the overrides applied.</summary>
    public static CnnConfig Config(string preset, IReadOnlyList<KeyValuePair<string, string>> overrides) =>
        ModelRegistry.Create(preset, overrides) as CnnConfig
        ?? throw new OcrForgeException($"--preset {preset}: a text-recognition preset; use `ocrforge train ctc` "
            + $"(classifiers: {string.Join(", ", ModelRegistry.All
                .Where(p => p.Task == ModelTask.Classification)
                .Select(p => p.Name))})");

    /// <summary>How images are prepared for a config; mean/std 0.5 maps pixels to [−1, 1], the range of the SGAN
    /// generator's tanh.</summary>
    public static PreprocessSpec Spec(CnnConfig config, ResizeMode resize, bool autoContrast) =>
        new(config.InputWidth, config.InputHeight, Mean: 0.5f, Std: 0.5f, Resize: resize, AutoContrast: autoContrast);

    /// <summary>Reads, decodes and prepares the images once, and splits them (stratified, seeded; <see
    /// cref="PreparedData.Characters"/>).</summary>
    public static PreparedCharacters Prepare(string data, DatasetFormat format, PreprocessSpec spec,
        TrainingOptions options, double testFraction, double labeledFraction = 1.0) =>
        PreparedData.Characters(new DataKey(data, format, spec,
            new SplitSettings(options.ValidationFraction, testFraction, labeledFraction, options.Seed)));

    /// <summary>Builds the classifier (seeded) with the facts every run records; the caller owns it.</summary>
    public static TrainedModel CreateModel(CnnConfig config, PreparedCharacters data, string preset,
        IReadOnlyList<KeyValuePair<string, string>> overrides, TrainingOptions options,
        IReadOnlyDictionary<string, string>? facts = null)
    {
        if (config.InputWidth != data.Spec.Width || config.InputHeight != data.Spec.Height)
            throw new ArgumentException("the data was prepared for another input size", nameof(data));
        // Seed before building: weight initialisation draws from torch's generator.
        TorchRuntime.Seed(options.Seed);
        var training = new Dictionary<string, string>
        {
            ["preset"] = preset,
            ["overrides"] = string.Join(" ", overrides.Select(kv => $"{kv.Key}={kv.Value}")),
            ["data"] = Path.GetFullPath(data.Source),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["validation_fraction"] = (data.Settings?.ValidationFraction ?? options.ValidationFraction)
                .ToString(CultureInfo.InvariantCulture),
        };
        // A split seed other than the run's is recorded beside it, for readers of the facts alone (ONNX files).
        if (data.Settings is { } split && split.Seed != options.Seed)
            training["split_seed"] = split.Seed.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in facts ?? new Dictionary<string, string>()) training[key] = value;
        training["options"] =
            System.Text.Json.JsonSerializer.Serialize(options with { RunDirectory = "" }, ModelFile.Json);
        return TrainedModel.Create(config, data.Split.Charset, data.Spec, training);
    }

    /// <summary>
    /// Supervised training on prepared data: a new seeded model trained with <paramref name="recipe"/>; returns it (the
    /// best validation epoch's weights; the caller owns it) and how training went.
    /// </summary>
    public static (TrainedModel Model, TrainingResult Result) Fit(PreparedCharacters data, CnnConfig config,
        string preset, IReadOnlyList<KeyValuePair<string, string>> overrides, TrainingOptions options,
        ClassificationRecipe recipe,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        RunControl? control = null)
    {
        var model = CreateModel(config, data, preset, overrides, options);
        try
        {
            var split = data.Split;
            using var task = new ClassificationTask(model.Module, data.Spec, split.Train, split.Validation,
                options.Augment ? new Augmenter(AugmentOptions.Characters) : null, recipe, split.Charset.Symbols);
            return (model, new Trainer(options, progress, control).Fit(task, cancellationToken));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public static CharacterTrainingResult Run(CharacterTrainingRequest request,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? log = null,
        Action<int, IReadOnlyList<GrayImage>>? onGeneratedSamples = null,
        CancellationToken cancellationToken = default, RunControl? control = null, DataCache? cache = null)
    {
        var options = request.Options.Validate();
        // Before training: a request the specification cannot record (a foreign semi-supervised method) fails now.
        var run = RunSpecification.From(request with { Options = options });
        TorchRuntime.Initialize(options.Threads);
        var config = Config(request.Preset, request.Overrides);
        var spec = Spec(config, request.Resize, request.AutoContrast);
        var key = new DataKey(request.Data, request.Format, spec, request.SplitSettings);
        var data = cache is null ? PreparedData.Characters(key, cancellationToken: cancellationToken)
            : cache.Characters(key, cancellationToken);
        var split = data.Split;
        var charset = split.Charset;
        log?.Report($"{split.Train.Count + split.Unlabeled.Count + split.Validation.Count + split.Test.Count} images, "
            + $"{charset.Symbols.Count} classes from {request.Data}");
        var unlabeled = split.Unlabeled;
        if (request.UnlabeledData is not null)
        {
            var extra = DatasetDecoder.Decode(DatasetReader.Read(request.UnlabeledData, DatasetFormat.Auto),
                cancellationToken: cancellationToken);
            unlabeled = [.. unlabeled, .. extra.Samples.Select(s => Preprocessor.Prepare(s.Image, spec))];
        }
        log?.Report($"split: {split.Train.Count} labelled, {unlabeled.Count} unlabelled, "
            + $"{split.Validation.Count} validation, {split.Test.Count} test");
        // With hidden labels an epoch still covers the whole training split, so the supervised baseline on the
        // labelled fraction and the SGAN take the same number of steps ("same epochs budget").
        int? samplesPerEpoch = request.LabeledFraction < 1
            ? split.Train.Count + split.Unlabeled.Count
            : request.Recipe.SamplesPerEpoch;

        var model = CreateModel(config, data, request.Preset, request.Overrides, options, new Dictionary<string, string>
        {
            ["test_fraction"] = request.TestFraction.ToString(CultureInfo.InvariantCulture),
            ["labeled_fraction"] = request.LabeledFraction.ToString(CultureInfo.InvariantCulture),
            ["semi_supervised"] = (request.SemiSupervised is not null).ToString().ToLowerInvariant(),
        });
        try
        {
            var cnn = (Cnn)model.Module;
            var augmenter = options.Augment ? new Augmenter(AugmentOptions.Characters) : null;
            // The supervised task trains the plain classifier, and in every mode scores the held-out test split.
            using var supervised = new ClassificationTask(cnn, spec, split.Train, split.Validation, augmenter,
                request.Recipe with { SamplesPerEpoch = samplesPerEpoch }, charset.Symbols);
            TrainingResult result;
            if (request.SemiSupervised is { } method)
            {
                var task = method.CreateTask(new SemiSupervisedInputs(cnn, spec, split.Train, unlabeled,
                    split.Validation, augmenter, request.Recipe, samplesPerEpoch, charset.Symbols));
                using var owned = task as IDisposable;
                var withSamples = onGeneratedSamples is null || task is not IGeneratedSamples generator ? progress
                    : new EpochEnd(progress, epoch => onGeneratedSamples(epoch, generator.Samples()));
                result = new Trainer(options, withSamples, control).Fit(task, cancellationToken);
            }
            else
            {
                result = new Trainer(options, progress, control).Fit(supervised, cancellationToken);
            }
            cancellationToken = RunControl.After(result, cancellationToken);

            var test = supervised.Score(split.Test, cancellationToken);
            var facts = model.Manifest.Training;
            facts["epochs_run"] = result.History.Count.ToString(CultureInfo.InvariantCulture);
            facts["best_epoch"] = result.BestEpoch.ToString(CultureInfo.InvariantCulture);
            facts["training_samples"] = split.Train.Count.ToString(CultureInfo.InvariantCulture);
            facts["unlabeled_samples"] = unlabeled.Count.ToString(CultureInfo.InvariantCulture);
            facts["test_samples"] = test.Samples.ToString(CultureInfo.InvariantCulture);
            facts["test_accuracy"] = test.Accuracy.ToString("G6", CultureInfo.InvariantCulture);
            facts["test_top3_accuracy"] = test.Top3Accuracy.ToString("G6", CultureInfo.InvariantCulture);
            facts["trained_at"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
            model.Manifest.Run = run.ForStorage();
            if (request.OutPath is not null) model.Save(request.OutPath);
            return new CharacterTrainingResult(model, result, test, split.Train.Count, unlabeled.Count,
                split.Validation.Count, data.Problems);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Passes progress on, and calls <paramref name="onEpoch"/> with the number of every finished
    /// epoch.</summary>
    private sealed class EpochEnd(IProgress<TrainingProgress>? inner, Action<int> onEpoch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            inner?.Report(value);
            if (value.Finished is { } record) onEpoch(record.Epoch);
        }
    }
}

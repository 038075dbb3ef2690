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
    /// <summary>The model file to write; null = return the model without writing it.</summary>
    public string? OutPath { get; init; }
    public required TrainingOptions Options { get; init; }
    /// <summary>The symbols the model may output, in class order; null = every symbol of the labels, sorted.</summary>
    public string? Charset { get; init; }
    /// <summary>The train/validation split; null = <see cref="TrainingOptions.ValidationFraction"/> and
    /// <see cref="TrainingOptions.Seed"/>.</summary>
    public SplitSettings? Split { get; init; }
}

/// <summary>A CTC data set decoded, split and standardised for one input size (<see
/// cref="CtcTraining.Prepare"/>).</summary>
public sealed record CtcData(
    string Source,
    List<Sample> Train,
    List<Sample> Validation,
    Charset Charset,
    PreprocessSpec Spec,
    IReadOnlyList<DataProblem> Problems);

/// <summary>A finished CTC run: the saved model (best weights), how training went, and its validation
/// metrics.</summary>
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

    /// <summary>
    /// The recipe measured to converge fastest on captcha-like data (docs/results-ctc.md): what <c>train ctc</c> and
    /// tuning trials use for every setting they are not given.
    /// </summary>
    public static readonly TrainingOptions Recipe = new()
    {
        RunDirectory = "",
        Epochs = 40,
        BatchSize = 16,
        LearningRate = 3e-3,
        Schedule = ScheduleKind.OneCycle,
        Patience = 10,
    };

    /// <param name="cache">Prepared data to share with other runs; null = prepare it for this run only.</param>
    public static CtcTrainingOutcome Run(CtcTrainingRequest request, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default, RunControl? control = null, DataCache? cache = null)
    {
        var options = request.Options.Validate();
        TorchRuntime.Initialize(options.Threads);
        var config = Config(request.Preset, request.Overrides);
        var key = new DataKey(request.Data, request.Format, config.Input, request.Split ?? SplitOf(options),
            request.Charset);
        var data = cache is null ? PreparedData.Text(key, config, cancellationToken)
            : cache.Text(key, config, cancellationToken);
        var (model, result) = Fit(data, config, request.Preset, request.Overrides, options, progress,
            cancellationToken, control);
        cancellationToken = RunControl.After(result, cancellationToken);
        try
        {
            // The model's own input scaling (Fit may have changed the prepared data's, see InputScaling).
            using var validationBatches = new ImageBatches(data.Validation, model.Manifest.Preprocess, null);
            var (_, metrics) = CtcTrainingTask.Evaluate(model.Module, data.Charset, validationBatches,
                cancellationToken);

            var facts = model.Manifest.Training;
            // Pruning re-creates the split from the same data: it needs to leave out what training left out.
            if (request.Charset is not null) facts["charset_option"] = request.Charset;
            facts["epochs_run"] = result.History.Count.ToString(CultureInfo.InvariantCulture);
            facts["best_epoch"] = result.BestEpoch.ToString(CultureInfo.InvariantCulture);
            facts["training_samples"] = data.Train.Count.ToString(CultureInfo.InvariantCulture);
            facts["validation_samples"] = data.Validation.Count.ToString(CultureInfo.InvariantCulture);
            foreach (var (name, value) in metrics.ToDictionary()) facts[$"validation_{name}"] = value.ToString("G6",
                CultureInfo.InvariantCulture);
            facts["trained_at"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
            model.Manifest.Run = RunSpecification.From(request with { Options = options }).ForStorage();
            if (request.OutPath is not null) model.Save(request.OutPath);
            return new CtcTrainingOutcome(model, result, data.Train.Count, data.Validation.Count, metrics,
                data.Problems);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The preset's text-recognition config with the overrides applied.</summary>
    public static CrnnConfig Config(string preset, IReadOnlyList<KeyValuePair<string, string>> overrides) =>
        ModelRegistry.Create(preset, overrides) as CrnnConfig
        ?? throw new OcrForgeException(
            $"--preset {preset}: a character-classifier preset; use `ocrforge train classify`");

    /// <summary>
    /// Reads and decodes the images at the config's input size once, checks every label fits its frames, splits
    /// (seeded) and standardises (<see cref="PreparedData.Text"/>): what runs that share the input size and split
    /// (tuning trials) can share.
    /// </summary>
    /// <param name="charset">The model's symbols; labels with any other are reported and skipped. Null = the labels'
    /// own.</param>
    public static CtcData Prepare(string data, DatasetFormat format, CrnnConfig config, TrainingOptions options,
        CancellationToken cancellationToken = default, Charset? charset = null) =>
        PreparedData.Text(new DataKey(data, format, config.Input, SplitOf(options),
            charset is null ? null : string.Concat(charset.Symbols)),
            config, cancellationToken);

    /// <summary>The split of a CTC run whose options are all it records (no test part, every label used).</summary>
    public static SplitSettings SplitOf(TrainingOptions options) => new(options.ValidationFraction, 0, 1, options.Seed);

    /// <summary>The symbols of a <c>--charset</c> value, one per text element, in the order given.</summary>
    public static Charset ParseCharset(string symbols)
    {
        var list = symbols.EnumerateSymbols().ToList();
        if (list.Count == 0)
            throw new OcrForgeException(
                "--charset: empty; give the symbols the model may output, e.g. --charset 0123456789");
        var repeated = list.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new OcrForgeException($"--charset: '{repeated.Key}' is given twice");
        return new Charset(list, hasBlank: true);
    }

    /// <summary>Builds the model (seeded) and trains it on prepared data; the caller owns the returned model.</summary>
    public static (TrainedModel Model, TrainingResult Result) Fit(CtcData data, CrnnConfig config, string preset,
        IReadOnlyList<KeyValuePair<string, string>> overrides, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        RunControl? control = null)
    {
        if (config.InputWidth != data.Spec.Width || config.InputHeight != data.Spec.Height
            || config.VariableWidth != data.Spec.VariableWidth)
            throw new ArgumentException("the data was decoded for another input size", nameof(data));
        CheckLabelsFit([.. data.Train, .. data.Validation], config, data.Source);
        data = InputScaling(data, options);
        bool restarting = options.PlateauRestarts > 0;
        // A resumed run continues the attempt it interrupted, after the restarts made before it.
        var resumed = options.Resume && restarting ? PlateauAttempt.Read(options.RunDirectory) : PlateauAttempt.None;
        var restarts = resumed.Restarts.ToList();
        int first = resumed.Attempt;
        int before = restarts.Sum(r => r.Epoch);
        for (int attempt = first; ; attempt++)
        {
            int seed = PlateauAttempt.Seed(options.Seed, attempt);
            if (restarting && !(options.Resume && attempt == first))
                PlateauAttempt.Write(options.RunDirectory, new(attempt, restarts));
            // A restart is a fresh run: only the attempt that was interrupted continues from the checkpoint.
            var attemptOptions = options with { Seed = seed, Resume = options.Resume && attempt == first };
            bool judged = attempt < options.PlateauRestarts;
            double? plateau = null;
            var attemptControl = !judged ? control : (control ?? new RunControl()) with
            {
                AfterEpoch = record =>
                {
                    var decision = control?.AfterEpoch?.Invoke(record) ?? EpochDecision.Continue;
                    if (record.Epoch != options.PlateauEpochs || decision == EpochDecision.Stop) return decision;
                    double characters = PlateauAttempt.Characters(record);
                    if (characters >= PlateauAttempt.CharacterAccuracy) return decision;
                    plateau = characters;
                    return EpochDecision.Stop;
                },
            };
            // Earlier attempts' epochs come first, so that a curve (a tuner's pruner, the CLI's log) keeps counting.
            int offset = before;
            var attemptProgress = offset == 0 || progress is null ? progress
                : new Progress(p => progress.Report(p with
                {
                    Epoch = p.Epoch + offset, Epochs = p.Epochs + offset,
                    Finished = p.Finished is { } f ? f with { Epoch = f.Epoch + offset } : null,
                }));
            var (model, result) = FitOnce(data, config, preset, overrides, options, attemptOptions, attemptProgress,
                attemptControl, cancellationToken);
            // A run that early stopping ended on the plateau before it was judged (its validation loss barely moves
            // there) is judged where it stopped.
            if (judged && plateau is null && result.Stop == TrainingStop.NoImprovement
                && result.History[^1].Epoch < options.PlateauEpochs
                && result.History.Max(PlateauAttempt.Characters) < PlateauAttempt.CharacterAccuracy)
                plateau = PlateauAttempt.Characters(result.History[^1]);
            if (plateau is not { } stuck)
            {
                if (attempt > 0) model.Manifest.Training["init_seed"] = seed.ToString(CultureInfo.InvariantCulture);
                return (model, result with { Restarts = restarts });
            }
            model.Dispose();
            restarts.Add(new PlateauRestart(seed, result.History[^1].Epoch, stuck));
            before += result.History[^1].Epoch;
        }
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static (TrainedModel Model, TrainingResult Result) FitOnce(CtcData data, CrnnConfig config, string preset,
        IReadOnlyList<KeyValuePair<string, string>> overrides, TrainingOptions options, TrainingOptions attempt,
        IProgress<TrainingProgress>? progress, RunControl? control, CancellationToken cancellationToken)
    {
        // Seed before building: weight initialisation draws from torch's generator.
        TorchRuntime.Seed(attempt.Seed);
        var model = TrainedModel.Create(config, data.Charset, data.Spec, new Dictionary<string, string>
        {
            ["preset"] = preset,
            ["overrides"] = string.Join(" ", overrides.Select(kv => $"{kv.Key}={kv.Value}")),
            ["data"] = Path.GetFullPath(data.Source),
            // The run's own seed and options: what re-creates its split, whichever attempt is kept.
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["options"] = System.Text.Json.JsonSerializer.Serialize(options with { RunDirectory = "" }, ModelFile.Json),
        });
        try
        {
            using var trainBatches = new ImageBatches(data.Train, data.Spec, attempt.Augment
                ? new Augmenter(AugmentOptions.TextLines) : null);
            using var validationBatches = new ImageBatches(data.Validation, data.Spec, null);
            var task = new CtcTrainingTask(model.Module, data.Charset, trainBatches, validationBatches);
            return (model, new Trainer(attempt, progress, control).Fit(task, cancellationToken));
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
    public static (List<Sample> Train, List<Sample> Validation) Split(IReadOnlyList<Sample> samples,
        TrainingOptions options, string data) => Split(samples, SplitOf(options), data);

    public static (List<Sample> Train, List<Sample> Validation) Split(IReadOnlyList<Sample> samples,
        SplitSettings settings, string data)
    {
        var split = Splitter.Split(samples.Select(s => s.Label).ToList(), settings.ValidationFraction, 0,
            settings.Seed, stratified: false);
        if (split.Validation.Length == 0 || split.Train.Length == 0)
            throw new OcrForgeException($"{data}: {samples.Count} images are too few to split with --val-fraction " +
                $"{settings.ValidationFraction}");
        return (split.Train.Select(i => samples[i]).ToList(), split.Validation.Select(i => samples[i]).ToList());
    }

    /// <summary>
    /// The train/validation split a trained text model's run made of <paramref name="data"/>: decoded at the model's
    /// input, with the images training left out left out again (labels outside <c>--charset</c>, images too narrow
    /// for their label), split with the run's <paramref name="options"/> (validation fraction, seed).
    /// </summary>
    /// <param name="modelPath">Named in the error for a label the model cannot output.</param>
    public static (List<Sample> Train, List<Sample> Validation, IReadOnlyList<DataProblem> Problems) RecordedSplit(
        TrainedModel model, string data, DatasetFormat format, TrainingOptions options, string modelPath,
        CancellationToken cancellationToken = default)
    {
        var spec = model.Manifest.Preprocess;
        var charset = model.Charset;
        // A stored run specification says where its split came from; older files record their options only.
        var settings = model.Manifest.Run?.Split ?? SplitOf(options);
        // Training with --charset skipped labels outside it, and at variable width images too narrow for their
        // label: leave out the same ones, or the re-created split is not the run's split.
        bool onlyCharset = model.Manifest.Run?.Data.Charset is not null
            || model.Manifest.Training.ContainsKey("charset_option");
        var key = new DataKey(data, format, spec with { Mean = 0, Std = 1 }, settings);
        var (samples, problems) = PreparedData.TextSamples(key, model.Manifest.Config as CrnnConfig,
            onlyCharset ? charset : null, cancellationToken);
        foreach (var s in samples)
            if (s.Label.EnumerateSymbols().FirstOrDefault(c => !charset.Contains(c)) is { } unknown)
                throw new OcrForgeException($"{s.Path}: label '{s.Label}' has '{unknown}', "
                    + $"which {modelPath} cannot output (was it trained on {data}?)");
        var (train, validation) = Split(samples, settings, data);
        return (train, validation, problems);
    }

    /// <summary>
    /// The data with the input scaling <paramref name="options"/> ask for: standardised as prepared
    /// (<see cref="Standardize(IReadOnlyList{Sample}, ModelConfig)"/>), or with
    /// <see cref="TrainingOptions.Standardize"/> off, pixels in [0, 1] as the Keras captcha example feeds them. Without
    /// BatchNorm the input's scale is the first layers' activation scale: standardised captchas are about 3× larger
    /// than [0, 1] ones.
    /// </summary>
    public static CtcData InputScaling(CtcData data, TrainingOptions options) =>
        options.Standardize ? data : data with { Spec = data.Spec with { Mean = 0f, Std = 1f } };

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
        var layout = config is CrnnConfig crnn ? crnn.Input : new PreprocessSpec(config.InputWidth, config.InputHeight);
        return layout with { Mean = (float)mean, Std = std > 1e-3 ? (float)std : 1f };
    }

    /// <summary>CTC needs a frame per symbol plus a blank between equal neighbours; a longer label can never be
    /// read.</summary>
    internal static void CheckLabelsFit(IReadOnlyList<Sample> samples, CrnnConfig config, string data)
    {
        foreach (var s in samples)
            if (!Fits(s, config))
                throw new OcrForgeException($"{s.Path}: {LabelTooLong(s, config)}");
    }

    private static int FramesNeeded(string label)
    {
        var symbols = label.EnumerateSymbols().ToArray();
        return symbols.Length + symbols.Zip(symbols.Skip(1), (a, b) => a == b ? 1 : 0).Sum();
    }

    /// <summary>The frames a sample's image gives: all of them at a fixed size, its own share at variable
    /// width.</summary>
    private static int FramesOf(Sample s, CrnnConfig config) =>
        config.VariableWidth ? config.Input.FramesOf(s.Image.Width) : config.TimeSteps;

    /// <summary>Whether the sample's image gives its label enough frames (what training checks before
    /// splitting).</summary>
    public static bool Fits(Sample s, CrnnConfig config) => FramesNeeded(s.Label) <= FramesOf(s, config);

    internal static string LabelTooLong(Sample s, CrnnConfig config) => config.VariableWidth
        ? $"label '{s.Label}' needs {FramesNeeded(s.Label)} frames but the image, {s.Image.Width} px wide at " +
          $"{config.InputHeight} px high, gives {FramesOf(s, config)} ({config.FrameWidth} px per frame)"
        : $"label '{s.Label}' needs {FramesNeeded(s.Label)} frames but the model has {config.TimeSteps} " +
          "(widen the input or pool less: --set width=… / pools=…)";
}

/// <summary>
/// The bookkeeping of <see cref="TrainingOptions.PlateauRestarts"/>: each attempt's seed, the threshold that calls a
/// run stuck, and which attempt a run folder holds, so that <c>--resume</c> continues the attempt it interrupted.
/// </summary>
internal static class PlateauAttempt
{
    /// <summary>Below this validation character accuracy a run counts as still on the plateau: a model that emits
    /// blanks or one guessed symbol matches a few positions by chance (0.01–0.07 measured), one that has left it
    /// matches most of them within a few epochs.</summary>
    public const double CharacterAccuracy = 0.2;

    private const string FileName = "plateau-attempt.json";
    /// <summary>What run folders written before held: the attempt's number alone.</summary>
    private const string OldFileName = "plateau-attempt.txt";

    /// <summary>Which attempt a run folder holds, and the restarts made before it.</summary>
    public sealed record State(int Attempt, IReadOnlyList<PlateauRestart> Restarts);

    public static readonly State None = new(0, []);

    /// <summary>An epoch's validation character accuracy, the measure the rule judges by.</summary>
    public static double Characters(EpochRecord epoch) => epoch.Metrics.GetValueOrDefault("character_accuracy");

    /// <summary>Attempt 0 is the run's own seed; later ones are derived from it, so a seeded run stays
    /// reproducible.</summary>
    public static int Seed(int seed, int attempt) => attempt == 0 ? seed : unchecked(seed + attempt * 7_919_003);

    public static State Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (File.Exists(path))
        {
            try
            {
                return System.Text.Json.JsonSerializer.Deserialize<State>(File.ReadAllText(path), ModelFile.Json)
                    ?? throw new System.Text.Json.JsonException("empty");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new OcrForgeException(
                    $"{path}: damaged ({e.Message.Split('\n')[0]}); delete the run folder or drop --resume", e);
            }
        }
        var old = Path.Combine(runDirectory, OldFileName);
        return File.Exists(old) && int.TryParse(File.ReadAllText(old).Trim(), NumberStyles.None,
            CultureInfo.InvariantCulture, out int attempt) ? new State(attempt, []) : None;
    }

    public static void Write(string runDirectory, State state)
    {
        if (runDirectory.Length == 0) return;
        Directory.CreateDirectory(runDirectory);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName),
            System.Text.Json.JsonSerializer.Serialize(state, ModelFile.Json));
    }
}

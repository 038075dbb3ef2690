using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;

namespace OcrForge.Training;

/// <summary>The kind of model a run trains: a CTC text recogniser or a character classifier.</summary>
public enum RunTask { Ctc, Classify }

/// <summary>
/// One training run as plain data: what <c>train ctc</c>, <c>train classify</c>, the demo, <c>tune best</c> and any
/// .NET caller build and hand to <see cref="Runs.Train"/>. The model file stores it whole (<see
/// cref="ModelManifest.Run"/>), so prune, <c>quantize --split</c> and <c>eval --split</c> rebuild what training did.
/// As JSON (<see cref="ToJson"/>, <see cref="Parse"/>) every value left out is the task's recipe.
/// </summary>
public sealed record RunSpecification
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required RunTask Task { get; init; }
    public required RunData Data { get; init; }
    public RunModel Model { get; init; } = new();
    /// <summary>How to train. Its <see cref="TrainingOptions.ValidationFraction"/> and
    /// <see cref="TrainingOptions.Seed"/> make the split only where <see cref="RunData.ValidationFraction"/> and
    /// <see cref="RunData.Seed"/> leave it (specifications written before kept the split here; see
    /// <see cref="Split"/>).</summary>
    public required TrainingOptions Training { get; init; }
    /// <summary>The classifier's recipe; null for CTC runs (their recipe is <see cref="Training"/> alone).</summary>
    public ClassifierRecipe? Classifier { get; init; }

    /// <summary>Which images went where: what a later command needs to rebuild this run's split.</summary>
    [JsonIgnore]
    public SplitSettings Split => new(Data.ValidationFraction ?? Training.ValidationFraction,
        Data.TestFraction ?? DefaultTestFraction(Task), Data.LabeledFraction, Data.Seed ?? Training.Seed);

    /// <summary>A run of <paramref name="preset"/> (default: the task's) on <paramref name="data"/> with the
    /// preset's recipe (<see cref="PresetRecipes"/>).</summary>
    public static RunSpecification Default(RunTask task, string data, string? preset = null) => new()
    {
        Task = task,
        Data = new RunData { Path = data, TestFraction = DefaultTestFraction(task) },
        Model = new RunModel { Preset = preset ?? DefaultPreset(task) },
        Training = Recipe(task, preset ?? DefaultPreset(task)),
        Classifier = task == RunTask.Classify ? new ClassifierRecipe() : null,
    };

    /// <summary>The task's recipe, for presets without one of their own.</summary>
    public static TrainingOptions Recipe(RunTask task) =>
        task == RunTask.Ctc ? CtcTraining.Recipe : CharacterTraining.Recipe;

    /// <summary>The recipe <paramref name="preset"/> trains with.</summary>
    public static TrainingOptions Recipe(RunTask task, string preset) => PresetRecipes.For(preset, Recipe(task));

    public static string DefaultPreset(RunTask task) =>
        task == RunTask.Ctc ? CtcTraining.DefaultPreset : CharacterTrainingRequest.DefaultPreset;

    public static double DefaultTestFraction(RunTask task) =>
        task == RunTask.Ctc ? 0 : CharacterTrainingRequest.DefaultTestFraction;

    /// <summary>One-line errors for settings the task does not take or values out of range.</summary>
    public RunSpecification Validate()
    {
        Training.Validate();
        if (string.IsNullOrEmpty(Data.Path))
            throw new OcrForgeException("data.path: missing; give the folder of labelled images");
        if (Data.ValidationFraction is { } validation && !(validation > 0 && validation < 0.9))
            throw new OcrForgeException($"--val-fraction {validation}: expected a number in (0, 0.9)");
        if (Data.LabeledFraction is <= 0 or > 1)
            throw new OcrForgeException($"--labeled-fraction {Data.LabeledFraction}: expected a number in (0, 1]");
        if (Task == RunTask.Ctc)
        {
            // A setting that does not apply is an error, not silently ignored.
            if (Classifier is not null) throw new OcrForgeException("classifier: a ctc run has no classifier recipe");
            if (Data.TestFraction is > 0)
                throw new OcrForgeException("--test-fraction: ctc runs hold out a validation split only");
            if (Data.LabeledFraction < 1)
                throw new OcrForgeException("--labeled-fraction: only classifier runs hide labels");
            if (Data.Unlabeled is not null)
                throw new OcrForgeException("--unlabeled: only classifier runs take unlabelled images");
            return this;
        }
        if (Data.Charset is not null) throw new OcrForgeException("--charset: only ctc runs take a charset");
        if (Data.TestFraction is < 0 or >= 0.5)
            throw new OcrForgeException($"--test-fraction {Data.TestFraction}: expected a number in [0, 0.5)");
        var recipe = Classifier ?? new ClassifierRecipe();
        if (recipe.Loss.LabelSmoothing is < 0 or >= 1)
            throw new OcrForgeException("--label-smoothing: expected a number in [0, 1)");
        if (Data.Unlabeled is not null && recipe.SemiSupervised is null)
            throw new OcrForgeException("--unlabeled: only used with --semi-supervised");
        if (recipe.SemiSupervised is { } s)
        {
            if (s.UnsupervisedWeight < 0) throw new OcrForgeException("--unsupervised-weight: expected a number ≥ 0");
            if (s.EntropyWeight < 0) throw new OcrForgeException("--entropy-weight: expected a number ≥ 0");
            if (!(s.GeneratorLearningRate > 0)) throw new OcrForgeException("--generator-lr: expected a number > 0");
            if (s.ConsistencyWeight < 0) throw new OcrForgeException("--consistency-weight: expected a number ≥ 0");
            if (s.ConfidenceThreshold is <= 0 or >= 1)
                throw new OcrForgeException("--confidence-threshold: expected a number in (0, 1)");
            if (s.UnlabeledRatio < 1) throw new OcrForgeException("--unlabeled-ratio: expected at least 1");
        }
        return this;
    }

    /// <summary>
    /// What the model file keeps: the data as an absolute path, and nothing about where or how this process ran it
    /// (run folder, resume), which would make two identical runs look different.
    /// </summary>
    public RunSpecification ForStorage() => this with
    {
        Data = Data with
        {
            Path = System.IO.Path.GetFullPath(Data.Path),
            Unlabeled = Data.Unlabeled is null ? null : System.IO.Path.GetFullPath(Data.Unlabeled),
            TestFraction = Data.TestFraction ?? DefaultTestFraction(Task),
            // The split is the data's: a stored specification says so whatever its text gave.
            ValidationFraction = Split.ValidationFraction,
        },
        Model = Model with { Preset = Model.Preset ?? DefaultPreset(Task) },
        Training = Training with { RunDirectory = "", Resume = false },
    };

    public string ToJson() => JsonSerializer.Serialize(this, ModelFile.Json);

    /// <summary>
    /// A specification from JSON (a <c>--spec</c> file, <c>tune best --spec</c>'s output): every value the text leaves
    /// out is the task's recipe's, not the type's default (a file giving only <c>training.epochs</c> keeps the
    /// recipe's learning rate).
    /// </summary>
    /// <param name="source">Named in the one-line error.</param>
    public static RunSpecification Parse(string json, string source)
    {
        try
        {
            var given = JsonNode.Parse(json) as JsonObject
                ?? throw new OcrForgeException($"{source}: expected a JSON object");
            var taskName = given["task"]?.GetValue<string>()
                ?? throw new OcrForgeException($"{source}: no \"task\" (ctc or classify)");
            var task = Enum.TryParse<RunTask>(taskName, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t
                : throw new OcrForgeException($"{source}: task '{taskName}' is not ctc or classify");
            var defaults = JsonSerializer.SerializeToNode(Default(task, ""), ModelFile.Json)!.AsObject();
            // A ctc run has no classifier recipe: keep null unless the file gives one (then Validate refuses it).
            Merge(defaults, given);
            var spec = defaults.Deserialize<RunSpecification>(ModelFile.Json)
                ?? throw new OcrForgeException($"{source}: empty run specification");
            if (spec.Version > CurrentVersion)
                throw new OcrForgeException($"{source}: run specification version {spec.Version} is newer than this " +
                    $"OcrForge understands ({CurrentVersion})");
            return spec;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new OcrForgeException($"{source}: not a run specification ({e.Message.Split('\n')[0]})", e);
        }
    }

    public static RunSpecification Load(string path)
    {
        if (!File.Exists(path)) throw new OcrForgeException($"{path}: no such run specification file");
        return Parse(File.ReadAllText(path), path);
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");

    /// <summary>Objects merge key by key; anything else given replaces the default.</summary>
    private static void Merge(JsonObject target, JsonObject given)
    {
        foreach (var (key, value) in given.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing) Merge(existing, child);
            else target[key] = value?.DeepClone();
        }
    }

    /// <summary>The specification a request record stands for (the record is what the task's code runs).</summary>
    public static RunSpecification From(CtcTrainingRequest request) => new()
    {
        Task = RunTask.Ctc,
        Data = new RunData
        {
            Path = request.Data, Format = request.Format, Charset = request.Charset, TestFraction = 0,
            ValidationFraction = request.Split?.ValidationFraction, Seed = SplitSeed(request.Split, request.Options),
        },
        Model = new RunModel { Preset = request.Preset, Overrides = request.Overrides },
        Training = request.Options,
    };

    public static RunSpecification From(CharacterTrainingRequest request) => new()
    {
        Task = RunTask.Classify,
        Data = new RunData
        {
            Path = request.Data, Format = request.Format, TestFraction = request.TestFraction,
            LabeledFraction = request.LabeledFraction, Unlabeled = request.UnlabeledData,
            ValidationFraction = request.Split?.ValidationFraction, Seed = SplitSeed(request.Split, request.Options),
        },
        Model = new RunModel { Preset = request.Preset, Overrides = request.Overrides },
        Training = request.Options,
        Classifier = new ClassifierRecipe
        {
            Loss = request.Recipe, Resize = request.Resize, AutoContrast = request.AutoContrast,
            SemiSupervised = request.SemiSupervised switch
            {
                null => null,
                SganOptions sgan => sgan,
                var other => throw new ArgumentException(
                    $"{other.GetType().Name}: a run specification records the SGAN's settings only", nameof(request)),
            },
        },
    };

    public CtcTrainingRequest ToCtcRequest(string? outPath)
    {
        if (Task != RunTask.Ctc) throw new InvalidOperationException($"a {Task} run is not a CTC run");
        return new CtcTrainingRequest
        {
            Data = Data.Path, Format = Data.Format, Preset = Model.Preset ?? DefaultPreset(Task),
            Overrides = Model.Overrides, OutPath = outPath, Options = Training, Charset = Data.Charset, Split = Split,
        };
    }

    public CharacterTrainingRequest ToCharacterRequest(string? outPath)
    {
        if (Task != RunTask.Classify) throw new InvalidOperationException($"a {Task} run is not a classifier run");
        var recipe = Classifier ?? new ClassifierRecipe();
        return new CharacterTrainingRequest
        {
            Data = Data.Path, Format = Data.Format, Preset = Model.Preset ?? DefaultPreset(Task),
            Overrides = Model.Overrides, OutPath = outPath, Options = Training, Recipe = recipe.Loss,
            Resize = recipe.Resize, AutoContrast = recipe.AutoContrast,
            TestFraction = Data.TestFraction ?? DefaultTestFraction(Task), LabeledFraction = Data.LabeledFraction,
            SemiSupervised = recipe.SemiSupervised, UnlabeledData = Data.Unlabeled, Split = Split,
        };
    }

    /// <summary>A split seed worth recording: one other than the run's (null = the run's).</summary>
    private static int? SplitSeed(SplitSettings? split, TrainingOptions options) =>
        split is { } s && s.Seed != options.Seed ? s.Seed : null;
}

/// <summary>The images of a run and how they are split.</summary>
public sealed record RunData
{
    public required string Path { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    /// <summary>CTC: the symbols the model may output, in class order; null = every symbol of the labels,
    /// sorted.</summary>
    public string? Charset { get; init; }
    /// <summary>Share held out for the final test (classifiers; CTC runs have none); null = the task's
    /// default.</summary>
    public double? TestFraction { get; init; }
    /// <summary>Fraction of the training split whose labels are used (classifiers).</summary>
    public double LabeledFraction { get; init; } = 1.0;
    /// <summary>Extra unlabelled images for a semi-supervised classifier.</summary>
    public string? Unlabeled { get; init; }
    /// <summary>Share of the images (after the test part) held out for validation; null =
    /// <see cref="TrainingOptions.ValidationFraction"/>, where specifications before this one kept it.</summary>
    public double? ValidationFraction { get; init; }
    /// <summary>Seed of the split; null = the run's <see cref="TrainingOptions.Seed"/>. A run with another seed
    /// (initialisation, order) then still trains and validates on the same images.</summary>
    public int? Seed { get; init; }
}

/// <summary>The architecture: a named preset and its <c>--set</c> overrides, applied in order.</summary>
public sealed record RunModel
{
    /// <summary>Null = the task's default preset.</summary>
    public string? Preset { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];
}

/// <summary>How a classifier is trained beyond <see cref="TrainingOptions"/>.</summary>
public sealed record ClassifierRecipe
{
    /// <summary>Label smoothing, balanced sampling, class weights.</summary>
    public ClassificationRecipe Loss { get; init; } = new();
    public ResizeMode Resize { get; init; } = ResizeMode.Pad;
    public bool AutoContrast { get; init; } = true;
    /// <summary>Train a semi-supervised GAN; null = supervised.</summary>
    public SganOptions? SemiSupervised { get; init; }
}

/// <summary>The seeded split of a run: validation, test and labelled fractions and the seed.</summary>
public sealed record SplitSettings(double ValidationFraction, double TestFraction, double LabeledFraction, int Seed);

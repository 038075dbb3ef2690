using System.Globalization;
using OcrForge.Inference;
using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>
/// The training settings a space may search, shared by the training objectives: a parameter of the space replaces the
/// task recipe's value of the option of the same name (<c>lr</c> → <c>--lr</c>, <c>batch_size</c> →
/// <c>--batch-size</c>, …); <c>preset</c> picks the architecture and <c>set.KEY</c> is a <c>--set KEY=…</c> model
/// setting. <c>adadelta_lr</c> is the learning rate when the optimizer is Adadelta, whose step is already adaptive
/// and whose useful rates (PyTorch's default 1.0) lie far above the others': one <c>lr</c> range cannot serve both.
/// </summary>
public static class TrainingParameters
{
    public static readonly string[] Names =
        ["preset", "lr", "adadelta_lr", "batch_size", "optimizer", "momentum", "schedule", "weight_decay", "grad_clip",
            "ema", "augment", "patience"];

    public const string SetPrefix = "set.";

    /// <summary>One-line errors for names the objective does not know, for optimizer/schedule choices that do not
    /// exist, and for <c>set.NAME</c> settings a preset of the space lacks or ranges it refuses; every preset choice
    /// is built with the space's model settings left at their presets'.</summary>
    public static void Check(SearchSpace space, string objective, IReadOnlyCollection<string> known,
        Func<string, Models.ModelConfig> presetConfig, string defaultPreset)
    {
        CheckNames(space.Parameters.Select(p => p.Name), objective, known);
        var presetNames = space.Find("preset") is { Distribution: CategoricalDistribution presets }
            ? presets.Choices : [defaultPreset];
        ModelSpace.Check(space, presetNames, presetConfig);
        if (space.Find("optimizer") is { Distribution: CategoricalDistribution optimizers })
            foreach (var choice in optimizers.Choices) ParseEnum<OptimizerKind>("optimizer", choice);
        if (space.Find("schedule") is { Distribution: CategoricalDistribution schedules })
            foreach (var choice in schedules.Choices) ParseEnum<ScheduleKind>("schedule", choice);
    }

    /// <summary>Every name must be a training parameter of the objective or a <c>set.KEY</c> model setting.</summary>
    public static void CheckNames(IEnumerable<string> names, string objective, IReadOnlyCollection<string> known)
    {
        foreach (var name in names.Where(n => !known.Contains(n) && !n.StartsWith(SetPrefix, StringComparison.Ordinal)))
            throw new OcrForgeException($"parameters.{name}: not a {objective} training parameter (known: {string.Join(
                ", ", known)}, or set.KEY for model settings)");
    }

    public static string Preset(IReadOnlyDictionary<string, object> values, string fallback) =>
        values.TryGetValue("preset", out var p) ? (string)p : fallback;

    /// <summary>The <c>set.KEY</c> parameters as <c>--set</c> overrides, in the space's order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Overrides(IReadOnlyDictionary<string, object> values) =>
        values.Where(kv => kv.Key.StartsWith(SetPrefix, StringComparison.Ordinal))
            .Select(kv => KeyValuePair.Create(kv.Key[SetPrefix.Length..], ParameterValues.Format(kv.Value))).ToList();

    /// <summary>The recipe with the epoch budget, seed and threads of the study, changed by the trial's values. The
    /// trial's <paramref name="preset"/>, when it has a measured recipe (<see cref="PresetRecipes"/>), starts from
    /// it, as <c>train</c> does.</summary>
    public static TrainingOptions Apply(TrainingOptions taskRecipe, IReadOnlyDictionary<string, object> values,
        string preset, int epochs, int seed, int? threads, string runDirectory)
    {
        var recipe = PresetRecipes.For(preset, taskRecipe);
        double Number(string name, double fallback) => values.TryGetValue(name, out var v)
            ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : fallback;
        var optimizer = values.TryGetValue("optimizer", out var o) ? ParseEnum<OptimizerKind>("optimizer", (string)o)
            : recipe.Optimizer;
        return (recipe with
        {
            RunDirectory = runDirectory,
            Epochs = epochs,
            Seed = seed,
            Threads = threads,
            LearningRate = optimizer == OptimizerKind.Adadelta && values.ContainsKey("adadelta_lr")
                ? Number("adadelta_lr", 1.0) : Number("lr", recipe.LearningRate),
            BatchSize = (int)Number("batch_size", recipe.BatchSize),
            Momentum = Number("momentum", recipe.Momentum),
            WeightDecay = values.ContainsKey("weight_decay") ? Number("weight_decay", 0) : recipe.WeightDecay,
            GradClip = Number("grad_clip", recipe.GradClip),
            Ema = Number("ema", recipe.Ema),
            Optimizer = optimizer,
            Schedule = values.TryGetValue("schedule", out var s) ? ParseEnum<ScheduleKind>("schedule", (string)s)
                : recipe.Schedule,
            Augment = values.TryGetValue("augment", out var a) ? (string)a == "true" : recipe.Augment,
            Standardize = values.TryGetValue("standardize", out var z) ? (string)z == "true" : recipe.Standardize,
            Patience = (int)Number("patience", recipe.Patience),
        }).Validate();
    }

    public static T ParseEnum<T>(string name, string value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new OcrForgeException($"parameters.{name}: '{value}' is not one of {string.Join(", ",
            Enum.GetNames<T>()).ToLowerInvariant()}");

    /// <summary>A folder for one trial's checkpoint and logs, deleted after the trial.</summary>
    public static string RunDirectory(ObjectiveSettings settings) =>
        Path.Combine(settings.RunsDirectory ?? Path.GetTempPath(), $"ocrforge-trial-{Guid.NewGuid():N}");

    public static void DeleteRunDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

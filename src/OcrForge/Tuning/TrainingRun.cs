using System.Globalization;
using OcrForge.Data;
using OcrForge.IO;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tuning;

/// <summary>
/// A training run as typed data: the task (<c>ctc</c> or <c>classify</c>), the preset and its <c>--set</c> overrides,
/// the training options and, for classifiers, the label smoothing. A trial is one; <c>tune best</c> turns the best
/// into the <c>ocrforge train …</c> command that repeats it, or trains it again in-process.
/// </summary>
public sealed record TrainingRun(string Task, string Preset, IReadOnlyList<KeyValuePair<string, string>> Overrides,
    TrainingOptions Options, double? LabelSmoothing = null)
{
    /// <summary>
    /// The arguments of the <c>ocrforge train</c> command that repeats this run exactly (every option spelled out,
    /// so later changes of the recipe's defaults do not change what it does).
    /// </summary>
    public IReadOnlyList<string> CommandLine(string data, DatasetFormat format, string outPath)
    {
        var o = Options;
        var args = new List<string> { "train", Task, "--data", data };
        if (format != DatasetFormat.Auto) args.AddRange(["--format", Name(format)]);
        args.AddRange(["--preset", Preset]);
        foreach (var (key, value) in Overrides) args.AddRange(["--set", $"{key}={value}"]);
        args.AddRange(["--epochs", Number(o.Epochs), "--batch-size", Number(o.BatchSize),
            "--lr", Number(o.LearningRate), "--optimizer", Name(o.Optimizer)]);
        if (o.WeightDecay is { } decay) args.AddRange(["--weight-decay", Number(decay)]);
        if (o.Optimizer == OptimizerKind.Sgd) args.AddRange(["--momentum", Number(o.Momentum)]);
        args.AddRange(["--schedule", Name(o.Schedule), "--patience", Number(o.Patience), "--val-fraction",
            Number(o.ValidationFraction), "--augment", o.Augment ? "true" : "false", "--seed", Number(o.Seed),
            "--grad-clip", Number(o.GradClip), "--ema", Number(o.Ema)]);
        // Text-only options are spelled out where they leave the default, or where the preset's own recipe does
        // (left out there, the command would take the recipe's value instead of the run's).
        var recipe = PresetRecipes.For(Preset, o);
        if (!o.Standardize || !recipe.Standardize) args.AddRange(["--standardize", o.Standardize ? "true" : "false"]);
        if (o.PlateauRestarts > 0 || recipe.PlateauRestarts > 0)
            args.AddRange(["--plateau-restarts", Number(o.PlateauRestarts),
                "--plateau-epochs", Number(o.PlateauEpochs)]);
        if (LabelSmoothing is { } smoothing) args.AddRange(["--label-smoothing", Number(smoothing)]);
        if (o.Threads is { } threads) args.AddRange(["--threads", Number(threads)]);
        args.AddRange(["--out", outPath]);
        return args;
    }

    /// <summary>The command as one line for a POSIX shell (arguments quoted where needed).</summary>
    public static string ShellLine(IEnumerable<string> args) =>
        "ocrforge " + string.Join(" ", args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c)
            || "-_.,=/:+@%".Contains(c)) ? a : $"'{a.Replace("'", "'\\''")}'"));

    /// <summary>This run on <paramref name="data"/> as a run specification: what <c>tune best --spec</c> writes and
    /// <c>train … --spec</c> reads back.</summary>
    public RunSpecification Specification(string data, DatasetFormat format)
    {
        var task = Task == "ctc" ? RunTask.Ctc : RunTask.Classify;
        var defaults = RunSpecification.Default(task, data);
        return defaults with
        {
            Data = defaults.Data with { Format = format },
            Model = new RunModel { Preset = Preset, Overrides = Overrides },
            Training = Options,
            Classifier = task == RunTask.Ctc ? null : new ClassifierRecipe
            {
                Loss = new ClassificationRecipe
                {
                    LabelSmoothing = LabelSmoothing ?? new ClassificationRecipe().LabelSmoothing,
                },
            },
        };
    }

    /// <summary>Trains this run on <paramref name="data"/> in-process and saves the model (what the command
    /// does).</summary>
    public (TrainedModel Model, TrainingResult Result) Train(string data, DatasetFormat format, string outPath,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var spec = Specification(data, format);
        var result = Runs.Train(
            spec with { Training = spec.Training with { RunDirectory = TrainingOptions.RunDirectoryFor(outPath) } },
            outPath, progress, cancellationToken: cancellationToken);
        return (result.Model, result.Training);
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>An objective whose trials are training runs: <c>tune best</c> can export and retrain them.</summary>
public interface ITrainingObjective : IObjective
{
    /// <summary>The run a trial's parameters stand for, with the study's epoch budget and seed.</summary>
    TrainingRun Plan(IReadOnlyDictionary<string, object> parameters, int? threads, string runDirectory);

    /// <summary>The model a preset of this objective's task builds with <paramref name="overrides"/>; a one-line
    /// error for a preset of the other task.</summary>
    Models.ModelConfig Config(string preset, IReadOnlyList<KeyValuePair<string, string>> overrides);
}

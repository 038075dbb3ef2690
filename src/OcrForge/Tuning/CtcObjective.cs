using System.Globalization;
using OcrForge.Inference;
using OcrForge.Models;
using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>
/// A trial is an in-process CTC training run (<see cref="CtcTraining.Fit"/>) built from typed parameters: the
/// recipe (<see cref="CtcTraining.Recipe"/>) with the epoch budget from the settings, changed by whichever of
/// <see cref="Known"/> the space holds, and model settings as parameters named <c>set.KEY</c> (the same keys as
/// <c>train ctc --set</c>). It reports the validation sequence accuracy after each epoch and returns the accuracy of
/// the kept (best-loss) epoch. Images are read and decoded once per worker and input size.
/// </summary>
public sealed class CtcObjective(ObjectiveSettings settings) : IObjective
{
    public static readonly string[] Known =
        ["preset", "lr", "batch_size", "optimizer", "momentum", "schedule", "weight_decay", "grad_clip", "ema",
            "augment"];

    // Keyed by the input layout: a variable-width trial decodes the same images differently.
    private readonly Dictionary<(int Width, int Height, bool VariableWidth), CtcData> _data = [];

    /// <summary>How many input sizes this worker has decoded the data for (once each).</summary>
    public int DecodedDataSets => _data.Count;

    public string Metric => "validation_sequence_accuracy";
    public StudyDirection Direction => StudyDirection.Maximize;
    public int MaxSteps => settings.Epochs;

    public void Check(SearchSpace space)
    {
        if (settings.Data is null) throw new OcrForgeException("--objective ctc: needs --data");
        if (!Directory.Exists(settings.Data)
            && !File.Exists(settings.Data)) throw new OcrForgeException($"--data {settings.Data}: not found");
        foreach (var p in space.Parameters.Where(p => !Known.Contains(p.Name) && !p.Name.StartsWith("set.",
            StringComparison.Ordinal)))
            throw new OcrForgeException($"parameters.{p.Name}: not a ctc training parameter (known: {string.Join(", ",
                Known)}, or set.KEY for model settings)");
        if (space.Find("preset") is { Distribution: CategoricalDistribution presets })
            foreach (var name in presets.Choices) CtcTraining.Config(name, []);
        foreach (var name in new[] { "optimizer", "schedule" })
            if (space.Find(name) is { Distribution: CategoricalDistribution c })
                foreach (var choice in c.Choices) ParseEnum(name, choice);
    }

    public double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
        CancellationToken cancellationToken)
    {
        string preset = parameters.TryGetValue("preset", out var p) ? (string)p : CtcTraining.DefaultPreset;
        var overrides = parameters.Where(kv => kv.Key.StartsWith("set.", StringComparison.Ordinal))
            .Select(kv => KeyValuePair.Create(kv.Key[4..], ParameterValues.Format(kv.Value))).ToList();
        var config = CtcTraining.Config(preset, overrides);
        string runDirectory = Path.Combine(settings.RunsDirectory ?? Path.GetTempPath(),
            $"ocrforge-trial-{Guid.NewGuid():N}");
        var options = Options(parameters, threads, runDirectory);
        Runtime.TorchRuntime.Initialize(threads);
        if (!_data.TryGetValue((config.InputWidth, config.InputHeight, config.VariableWidth), out var data))
            _data[(config.InputWidth, config.InputHeight, config.VariableWidth)] = data = CtcTraining.Prepare(settings.Data!, settings.Format,
                config, options, cancellationToken);
        try
        {
            var progress = new EpochReporter(reporter);
            var (model, result) = CtcTraining.Fit(data, config, preset, overrides, options, progress,
                cancellationToken);
            model.Dispose();
            return result.Best.ValidationAccuracy;
        }
        finally
        {
            try { Directory.Delete(runDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private TrainingOptions Options(IReadOnlyDictionary<string, object> values, int threads, string runDirectory)
    {
        var r = CtcTraining.Recipe;
        double Number(string name, double fallback) => values.TryGetValue(name, out var v) ? Convert.ToDouble(v,
            CultureInfo.InvariantCulture) : fallback;
        return (r with
        {
            RunDirectory = runDirectory,
            Epochs = settings.Epochs,
            Seed = settings.Seed,
            Threads = threads,
            LearningRate = Number("lr", r.LearningRate),
            BatchSize = (int)Number("batch_size", r.BatchSize),
            Momentum = Number("momentum", r.Momentum),
            WeightDecay = Number("weight_decay", r.WeightDecay),
            GradClip = Number("grad_clip", r.GradClip),
            Ema = Number("ema", r.Ema),
            Optimizer = values.TryGetValue("optimizer", out var o) ? ParseEnum<OptimizerKind>("optimizer", (string)o)
                : r.Optimizer,
            Schedule = values.TryGetValue("schedule", out var s) ? ParseEnum<ScheduleKind>("schedule", (string)s)
                : r.Schedule,
            Augment = values.TryGetValue("augment", out var a) ? (string)a == "true" : r.Augment,
        }).Validate();
    }

    private static void ParseEnum(string name, string value)
    {
        if (name == "optimizer") ParseEnum<OptimizerKind>(name, value);
        else ParseEnum<ScheduleKind>(name, value);
    }

    private static T ParseEnum<T>(string name, string value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) ? parsed
        : throw new OcrForgeException($"parameters.{name}: '{value}' is not one of {string.Join(", ",
            Enum.GetNames<T>()).ToLowerInvariant()}");

    /// <summary>Forwards each finished epoch's validation accuracy; a prune decision surfaces as an exception from
    /// Fit.</summary>
    private sealed class EpochReporter(ITrialReporter reporter) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Finished is { } epoch) reporter.Report(epoch.Epoch, epoch.ValidationAccuracy);
        }
    }
}

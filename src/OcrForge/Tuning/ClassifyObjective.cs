using System.Globalization;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tuning;

/// <summary>
/// A trial is an in-process supervised <c>train classify</c> run (<see cref="CharacterTraining.Fit"/>): the
/// classifier recipe (<see cref="CharacterTraining.Recipe"/>) with the epoch budget from the settings, changed by the
/// space's <see cref="TrainingParameters.Names"/>, <c>label_smoothing</c> and <c>set.KEY</c> model settings. Images are
/// prepared as <c>train classify</c> does by default (padded, auto-contrast) and split the same way (test fraction
/// 0.15, never used here); the trial reports the validation accuracy after each epoch and returns that of the kept
/// epoch. Images are read and decoded once per worker and input size.
/// </summary>
public sealed class ClassifyObjective(ObjectiveSettings settings) : ITrainingObjective
{
    public static readonly IReadOnlyList<string> Known = [.. TrainingParameters.Names, "label_smoothing"];

    private static readonly CharacterTrainingRequest Defaults =
        new() { Data = "", OutPath = "", Options = CharacterTraining.Recipe };
    private readonly DataCache _data = new();

    /// <summary>How many input sizes this worker has decoded the data for (once each).</summary>
    public int DecodedDataSets => _data.Count;

    public string Metric => "validation_accuracy";
    public StudyDirection Direction => StudyDirection.Maximize;
    public int MaxSteps => settings.Epochs;

    public void Check(SearchSpace space)
    {
        if (settings.Data is null) throw new OcrForgeException("--objective classify: needs --data");
        if (!Directory.Exists(settings.Data)
            && !File.Exists(settings.Data)) throw new OcrForgeException($"--data {settings.Data}: not found");
        TrainingParameters.Check(space, "classify", Known, name => Config(name, []),
            CharacterTrainingRequest.DefaultPreset);
        if (space.Find("label_smoothing") is
            { Distribution: FloatDistribution { Low: < 0 } or FloatDistribution { High: >= 1 } })
            throw new OcrForgeException("parameters.label_smoothing: expected a range inside [0, 1)");
    }

    public TrainingRun Plan(IReadOnlyDictionary<string, object> parameters, int? threads, string runDirectory)
    {
        TrainingParameters.CheckNames(parameters.Keys, "classify", Known);
        string preset = TrainingParameters.Preset(parameters, CharacterTrainingRequest.DefaultPreset);
        var run = new TrainingRun(
            "classify", preset, TrainingParameters.Overrides(parameters),
            TrainingParameters.Apply(CharacterTraining.Recipe, parameters, preset, settings.Epochs, settings.Seed,
                threads, runDirectory),
            parameters.TryGetValue("label_smoothing", out var s) ? Convert.ToDouble(s, CultureInfo.InvariantCulture)
                : Defaults.Recipe.LabelSmoothing);
        // A trial of another objective's study names a preset of the other task: refused here, not at training.
        Config(run.Preset, run.Overrides);
        return run;
    }

    public Models.ModelConfig Config(string preset, IReadOnlyList<KeyValuePair<string, string>> overrides) =>
        CharacterTraining.Config(preset, overrides);

    public double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
        CancellationToken cancellationToken)
    {
        string runDirectory = TrainingParameters.RunDirectory(settings);
        var plan = Plan(parameters, threads, runDirectory);
        var config = CharacterTraining.Config(plan.Preset, plan.Overrides);
        Runtime.TorchRuntime.Initialize(threads);
        var data = _data.Characters(new DataKey(settings.Data!, settings.Format,
            CharacterTraining.Spec(config, Defaults.Resize, Defaults.AutoContrast),
            new SplitSettings(plan.Options.ValidationFraction, Defaults.TestFraction, 1, plan.Options.Seed)),
            cancellationToken);
        settings.Skipped?.Report(data.Problems);
        try
        {
            var recipe = Defaults.Recipe with
            {
                LabelSmoothing = plan.LabelSmoothing ?? Defaults.Recipe.LabelSmoothing,
            };
            if (settings.Folds > 1)
            {
                var progress = new FoldReporter(reporter);
                var cv = CrossValidation.Classify(data, config, plan.Preset, plan.Overrides, plan.Options, recipe,
                    settings.Folds, progress, progress.NextFold, cancellationToken);
                reporter.StandardError(cv.StandardError);
                return cv.Mean;
            }
            var (model, result) = CharacterTraining.Fit(data, config, plan.Preset, plan.Overrides, plan.Options, recipe,
                new FoldReporter(reporter), cancellationToken);
            model.Dispose();
            return result.Best.ValidationAccuracy;
        }
        finally
        {
            TrainingParameters.DeleteRunDirectory(runDirectory);
        }
    }
}

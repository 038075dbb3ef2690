using OcrForge.Inference;
using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>
/// A trial is an in-process CTC training run (<see cref="CtcTraining.Fit"/>) built from typed parameters: the
/// recipe (<see cref="CtcTraining.Recipe"/>) with the epoch budget from the settings, changed by whichever of
/// <see cref="TrainingParameters.Names"/> the space holds, and model settings as parameters named <c>set.KEY</c> (the
/// same keys as <c>train ctc --set</c>). It returns the validation sequence accuracy of the kept (best-loss) epoch,
/// and reports the validation character accuracy after each epoch: sequence accuracy is exactly 0 for every trial
/// until it leaves the all-blank CTC plateau (10–20 epochs on the captchas), so pruners comparing it could not tell
/// a trial about to leave from one that never will, while character accuracy separates them by epoch 4
/// (docs/RESULTS.md, "pruning savings"). Images are read and decoded once per worker and input size.
/// </summary>
public sealed class CtcObjective(ObjectiveSettings settings) : ITrainingObjective
{
    /// <summary>The shared training parameters, and <c>standardize</c> (true/false): the input scaling of text
    /// models.</summary>
    public static IReadOnlyList<string> Known { get; } = [.. TrainingParameters.Names, "standardize"];

    // Keyed by input layout and split: a variable-width trial decodes the same images differently.
    private readonly DataCache _data = new();

    /// <summary>How many input sizes this worker has decoded the data for (once each).</summary>
    public int DecodedDataSets => _data.Count;

    public string Metric => "validation_sequence_accuracy";
    public string StepMetric => "validation_character_accuracy";
    public StudyDirection Direction => StudyDirection.Maximize;
    public int MaxSteps => settings.Epochs;

    /// <summary>An epoch's <see cref="StepMetric"/>.</summary>
    public static double StepValue(EpochRecord epoch) =>
        epoch.Metrics.TryGetValue("character_accuracy", out double value) ? value : epoch.ValidationAccuracy;

    public void Check(SearchSpace space)
    {
        if (settings.Data is null) throw new OcrForgeException("--objective ctc: needs --data");
        if (!Directory.Exists(settings.Data)
            && !File.Exists(settings.Data)) throw new OcrForgeException($"--data {settings.Data}: not found");
        TrainingParameters.Check(space, "ctc", Known, name => Config(name, []),
            CtcTraining.DefaultPreset);
    }

    /// <summary>The training run a trial's parameters stand for (also what <c>tune best</c> exports).</summary>
    public TrainingRun Plan(IReadOnlyDictionary<string, object> parameters, int? threads, string runDirectory)
    {
        TrainingParameters.CheckNames(parameters.Keys, "ctc", Known);
        string preset = TrainingParameters.Preset(parameters, CtcTraining.DefaultPreset);
        var run = new TrainingRun("ctc", preset, TrainingParameters.Overrides(parameters),
            TrainingParameters.Apply(CtcTraining.Recipe, parameters, preset, settings.Epochs, settings.Seed, threads,
                runDirectory));
        // A trial of another objective's study names a preset of the other task: refused here, not at training.
        Config(run.Preset, run.Overrides);
        return run;
    }

    public Models.ModelConfig Config(string preset, IReadOnlyList<KeyValuePair<string, string>> overrides) =>
        CtcTraining.Config(preset, overrides);

    public double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
        CancellationToken cancellationToken)
    {
        string runDirectory = TrainingParameters.RunDirectory(settings);
        var plan = Plan(parameters, threads, runDirectory);
        var config = CtcTraining.Config(plan.Preset, plan.Overrides);
        Runtime.TorchRuntime.Initialize(threads);
        var data = _data.Text(new DataKey(settings.Data!, settings.Format, config.Input,
            CtcTraining.SplitOf(plan.Options)), config, cancellationToken);
        settings.Skipped?.Report(data.Problems);
        try
        {
            if (settings.Folds > 1)
            {
                var progress = new FoldReporter(reporter, StepValue);
                var cv = CrossValidation.Ctc(data, config, plan.Preset, plan.Overrides, plan.Options, settings.Folds,
                    progress, progress.NextFold, cancellationToken);
                reporter.StandardError(cv.StandardError);
                return cv.Mean;
            }
            var (model, result) = CtcTraining.Fit(data, config, plan.Preset, plan.Overrides, plan.Options,
                new FoldReporter(reporter, StepValue), cancellationToken);
            model.Dispose();
            return result.Best.ValidationAccuracy;
        }
        finally
        {
            TrainingParameters.DeleteRunDirectory(runDirectory);
        }
    }
}

using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Runtime;
using OcrForge.Training.Classification;

namespace OcrForge.Training;

/// <summary>
/// A finished run of either task: the specification it ran, the model (best weights; the caller owns it), how
/// training went (every epoch's metrics, the best epoch) and the held-out metrics: validation for CTC (it has no test
/// split), the test split for classifiers.
/// </summary>
public sealed record RunResult(
    RunSpecification Specification,
    TrainedModel Model,
    TrainingResult Training,
    IReadOnlyDictionary<string, double> HeldOut,
    int TrainCount,
    int UnlabeledCount,
    int ValidationCount,
    IReadOnlyList<DataProblem> Problems)
{
    /// <summary>"validation" (CTC) or "test" (classifiers): which split <see cref="HeldOut"/> measures.</summary>
    public string HeldOutSplit => Specification.Task == RunTask.Ctc ? "validation" : "test";
    /// <summary>CTC: the validation metrics; null for classifiers.</summary>
    public TextMetrics? Text { get; init; }
    /// <summary>Classifiers: the test metrics with their confusions; null for CTC.</summary>
    public ClassificationMetrics? Test { get; init; }
}

/// <summary>The one entry point that trains a <see cref="RunSpecification"/>, whatever its task.</summary>
public static class Runs
{
    /// <summary>
    /// Trains the run. <paramref name="outPath"/> null: the model is returned and not written; the checkpoint and logs
    /// go to <see cref="TrainingOptions.RunDirectory"/>, which must then be given.
    /// </summary>
    /// <param name="log">Status lines (image counts, split sizes) as they come.</param>
    /// <param name="onGeneratedSamples">Semi-supervised classifiers: the generator's samples after each epoch.</param>
    /// <param name="control">A per-epoch callback that may stop the run, and whether cancelling keeps the finished
    /// epochs: either way the result (and the model file, when asked for) holds the epochs run.</param>
    /// <param name="cache">Prepared data shared with other runs of the same data, input and split (built on first
    /// use); null = prepare it for this run only.</param>
    public static RunResult Train(RunSpecification spec, string? outPath = null,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? log = null,
        Action<int, IReadOnlyList<GrayImage>>? onGeneratedSamples = null, CancellationToken cancellationToken = default,
        RunControl? control = null, DataCache? cache = null)
    {
        if (outPath is not null && !outPath.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
            throw new OcrForgeException($"--out {outPath}: model files end in {ModelFile.Extension}");
        if (string.IsNullOrEmpty(spec.Training.RunDirectory))
            spec = spec with
            {
                Training = spec.Training with
                {
                    RunDirectory = outPath is not null ? TrainingOptions.RunDirectoryFor(outPath)
                        : throw new OcrForgeException("a run without a model file to write needs a run directory " +
                            "(training.run_directory) for its logs"),
                },
            };
        spec.Validate();
        if (spec.Task == RunTask.Ctc)
        {
            var ctc = CtcTraining.Run(spec.ToCtcRequest(outPath), progress, cancellationToken, control, cache);
            return new RunResult(spec, ctc.Model, ctc.Result, ctc.Validation.ToDictionary(), ctc.TrainingSamples, 0,
                ctc.ValidationSamples, ctc.Problems) { Text = ctc.Validation };
        }
        var cls = CharacterTraining.Run(spec.ToCharacterRequest(outPath), progress, log, onGeneratedSamples,
            cancellationToken, control, cache);
        return new RunResult(spec, cls.Model, cls.Training, new Dictionary<string, double>
        {
            ["accuracy"] = cls.Test.Accuracy,
            ["top3_accuracy"] = cls.Test.Top3Accuracy,
        }, cls.TrainCount, cls.UnlabeledCount, cls.ValidationCount, cls.Problems) { Test = cls.Test };
    }

    /// <summary>
    /// The cross-validated estimate of the run's configuration over <paramref name="k"/> folds of its training and
    /// validation images (<see cref="CrossValidation"/>): the same value a tuning trial with <c>--cv K</c> computes for
    /// these settings and seed. Nothing is saved; the folds' checkpoints go to a temporary folder, deleted after.
    /// Supervised runs only (a classifier's test part stays aside, as in <see cref="Train"/>).
    /// </summary>
    public static CrossValidationResult CrossValidate(RunSpecification spec, int k,
        IProgress<TrainingProgress>? progress = null, Action? nextFold = null,
        CancellationToken cancellationToken = default)
    {
        if (k is < 2 or > CrossValidation.MaxFolds)
            throw new OcrForgeException($"--cv {k}: expected 2 to {CrossValidation.MaxFolds} folds (1 = off)");
        string runDirectory = Path.Combine(Path.GetTempPath(), $"ocrforge-cv-{Guid.NewGuid():N}");
        spec = spec with { Training = spec.Training with { RunDirectory = runDirectory, Resume = false } };
        spec.Validate();
        var options = spec.Training;
        string preset = spec.Model.Preset ?? RunSpecification.DefaultPreset(spec.Task);
        TorchRuntime.Initialize(options.Threads);
        try
        {
            if (spec.Task == RunTask.Ctc)
            {
                var config = CtcTraining.Config(preset, spec.Model.Overrides);
                var data = PreparedData.Text(DataKey.Text(spec, config), config, cancellationToken);
                return CrossValidation.Ctc(data, config, preset, spec.Model.Overrides, options, k, progress, nextFold,
                    cancellationToken);
            }
            var recipe = spec.Classifier ?? new ClassifierRecipe();
            if (recipe.SemiSupervised is not null || spec.Data.LabeledFraction < 1)
                throw new OcrForgeException("--cv: supervised classifier runs only (no --semi-supervised, " +
                    "--labeled-fraction 1)");
            var cnn = CharacterTraining.Config(preset, spec.Model.Overrides);
            var prepared = PreparedData.Characters(DataKey.Characters(spec, cnn),
                cancellationToken: cancellationToken);
            return CrossValidation.Classify(prepared, cnn, preset, spec.Model.Overrides, options, recipe.Loss, k,
                progress, nextFold, cancellationToken);
        }
        finally
        {
            try { Directory.Delete(runDirectory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

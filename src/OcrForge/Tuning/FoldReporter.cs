using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>
/// Reports a trial's curve to its pruner; a prune decision surfaces as an exception from the trainer. One split is
/// one fold: each epoch's own step value. Cross-validated (<see cref="CrossValidation"/>): after epoch e of fold f,
/// the mean step value (<paramref name="stepValue"/>, by default the validation accuracy) at epoch e over folds 0…f
/// (a fold that stopped early counts with its last value). The pruner sees the first fold's curve, then ever better
/// estimates, and the stored curve ends as the mean over all folds.
/// </summary>
public sealed class FoldReporter(ITrialReporter reporter, Func<EpochRecord, double>? stepValue = null)
    : IProgress<TrainingProgress>
{
    private readonly List<List<double>> _folds = [[]];

    public void NextFold() => _folds.Add([]);

    public void Report(TrainingProgress value)
    {
        if (value.Finished is not { } epoch) return;
        var current = _folds[^1];
        double step = stepValue?.Invoke(epoch) ?? epoch.ValidationAccuracy;
        while (current.Count < epoch.Epoch) current.Add(step);
        current[epoch.Epoch - 1] = step;
        double mean = _folds.Average(f => f.Count == 0 ? 0 : f[Math.Min(epoch.Epoch, f.Count) - 1]);
        reporter.Report(epoch.Epoch, mean);
    }
}

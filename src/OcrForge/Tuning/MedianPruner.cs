namespace OcrForge.Tuning;

/// <summary>
/// Prunes a trial whose best value so far is worse than the median of the completed trials' values at the same step
/// (as Optuna's MedianPruner). Nothing is pruned until <see cref="StartupTrials"/> trials have completed, nor during
/// the first <see cref="WarmupSteps"/> steps.
/// </summary>
public sealed class MedianPruner(int startupTrials = 5, int warmupSteps = 0) : IPruner
{
    public int StartupTrials { get; } = startupTrials;
    public int WarmupSteps { get; } = warmupSteps;

    public bool ShouldPrune(StudyDirection direction, Trial trial, IReadOnlyList<Trial> trials, int step)
    {
        if (step <= WarmupSteps || !trial.Intermediate.ContainsKey(step)) return false;
        var completed = trials.Where(t => t.State == TrialState.Complete && t.Id != trial.Id).ToList();
        if (completed.Count < StartupTrials) return false;
        var atStep = completed.Where(t => t.Intermediate.ContainsKey(step)).Select(t => t.Intermediate[step]).ToList();
        if (atStep.Count == 0) return false;
        double best = trial.Intermediate.Where(kv => kv.Key <= step)
            .Select(kv => kv.Value).MinBy(v => direction.Loss(v));
        return direction.Better(Median(atStep), best);
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }
}

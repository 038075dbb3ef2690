namespace OcrForge.Tuning;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020; Optuna's SuccessiveHalvingPruner). Rungs sit at steps
/// minResource · η^(s + k) for k = 0, 1, … (η = reduction factor, s = minimum early-stopping rate). When a trial
/// reports at a rung step it goes on only if its value is within the best 1/η of all values reported at that step by
/// any trial so far (itself included); while fewer than η trials have reached the rung, it must be the best of them.
/// Decisions are taken at rung steps only.
/// </summary>
public sealed class SuccessiveHalvingPruner(int minResource = 1, int reductionFactor = 4, int minEarlyStoppingRate = 0,
    Func<Trial, bool>? competes = null) : IPruner
{
    public int ReductionFactor { get; } = reductionFactor;

    public bool ShouldPrune(StudyDirection direction, Trial trial, IReadOnlyList<Trial> trials, int step)
    {
        if (!IsRung(step) || !trial.Intermediate.TryGetValue(step, out double value)) return false;
        var competing = trials
            .Where(t => t.Id != trial.Id && t.State is not (TrialState.Failed or TrialState.Waiting)
                && (competes?.Invoke(t) ?? true) && t.Intermediate.ContainsKey(step))
            .Select(t => direction.Loss(t.Intermediate[step])).Append(direction.Loss(value)).ToList();
        competing.Sort();
        int promotable = Math.Max(competing.Count / ReductionFactor - 1, 0);
        return direction.Loss(value) > competing[promotable];
    }

    private bool IsRung(int step)
    {
        for (long rung = minResource * (long)Math.Pow(ReductionFactor,
            minEarlyStoppingRate); rung <= step; rung *= ReductionFactor)
            if (rung == step) return true;
        return false;
    }
}

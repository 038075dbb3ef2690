namespace OcrForge.Tuning;

/// <summary>
/// Says whether a running trial should stop after reporting a value at a step (an epoch, counted from 1).
/// Rules:
/// <list type="bullet">
/// <item>The decision depends only on the trial's own reported values and those of the other trials given (never the
/// clock or earlier calls), so every worker decides the same from the same storage contents.</item>
/// <item>A trial without a value at <c>step</c> is not pruned; failed and waiting trials are ignored.</item>
/// <item>The trials are never modified.</item>
/// </list>
/// </summary>
public interface IPruner
{
    bool ShouldPrune(StudyDirection direction, Trial trial, IReadOnlyList<Trial> trials, int step);
}

public static class Pruners
{
    /// <param name="maxSteps">The objective's step budget (epochs): Hyperband sizes its brackets from it.</param>
    public static IPruner Create(string name, int maxSteps) => name switch
    {
        "none" => new NopPruner(),
        "median" => new MedianPruner(),
        "asha" => new SuccessiveHalvingPruner(),
        "hyperband" => new HyperbandPruner(maxSteps),
        _ => throw new Inference.OcrForgeException($"--pruner {name}: expected none, median, asha or hyperband"),
    };
}

namespace OcrForge.Compression.Pruning;

/// <summary>
/// Gradual pruning (Zhu &amp; Gupta 2017, "To prune, or not to prune"): the sparsity rises from 0 to the target along
/// s(t) = s_f · (1 − (1 − t/n)³) over the first n steps, fast while there are many redundant weights and slowly
/// near the end, so the network recovers between prunes; after step n it stays at the target while fine-tuning goes on.
/// </summary>
public sealed record SparsitySchedule(double Target, long RampSteps)
{
    public double At(long step)
    {
        if (RampSteps <= 0 || step >= RampSteps) return Target;
        double remaining = 1 - (double)Math.Max(step, 0) / RampSteps;
        return Target * (1 - remaining * remaining * remaining);
    }

    /// <summary>True once the ramp is over: weights from here on have the target sparsity.</summary>
    public bool Reached(long step) => step >= RampSteps;
}

namespace OcrForge.Tuning;

/// <summary>Thrown by <see cref="ITrialReporter.Report"/> when the pruner stops the trial at <paramref
/// name="step"/>.</summary>
public sealed class TrialPrunedException(int step, double value) : Exception($"pruned at step {step}")
{
    public int Step { get; } = step;
    public double Value { get; } = value;
}

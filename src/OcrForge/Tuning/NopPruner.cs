namespace OcrForge.Tuning;

/// <summary>Never prunes: every trial runs its whole budget.</summary>
public sealed class NopPruner : IPruner
{
    public bool ShouldPrune(StudyDirection direction, Trial trial, IReadOnlyList<Trial> trials, int step) => false;
}

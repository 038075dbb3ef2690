namespace OcrForge.Tuning;

/// <summary>
/// Hyperband (Li et al. 2018) as Optuna runs it: several successive-halving brackets, bracket i stopping trials from
/// rung minResource · η^i on, so the brackets trade many cheap trials against few long ones. There are
/// ⌊log_η(maxSteps / minResource)⌋ + 1 brackets; a trial's bracket is a fixed function of its number, weighted by
/// each bracket's budget ⌈B · η^s / (s + 1)⌉ (s = B − 1 − i), and it only competes with trials of its own
/// bracket.
/// </summary>
public sealed class HyperbandPruner : IPruner
{
    private readonly SuccessiveHalvingPruner[] _brackets;
    private readonly int[] _cumulativeBudget;

    public HyperbandPruner(int maxSteps, int minResource = 1, int reductionFactor = 4)
    {
        int n = (int)Math.Floor(Math.Log(Math.Max(maxSteps, minResource) / (double)minResource, reductionFactor)
            + 1e-9) + 1;
        _brackets = new SuccessiveHalvingPruner[n];
        _cumulativeBudget = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++)
        {
            int bracket = i;
            _brackets[i] = new SuccessiveHalvingPruner(minResource, reductionFactor, i, t
                => Bracket(t.Number) == bracket);
            int s = n - 1 - i;
            total += (int)Math.Ceiling(n * Math.Pow(reductionFactor, s) / (s + 1));
            _cumulativeBudget[i] = total;
        }
    }

    public int Brackets => _brackets.Length;

    /// <summary>The bracket of a trial number: a mixing hash (not HashCode: it must agree across processes).</summary>
    public int Bracket(int number)
    {
        ulong z = unchecked((ulong)number * 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        int slot = (int)((z ^ (z >> 31)) % (ulong)_cumulativeBudget[^1]);
        return Array.FindIndex(_cumulativeBudget, c => slot < c);
    }

    public bool ShouldPrune(StudyDirection direction, Trial trial, IReadOnlyList<Trial> trials, int step) =>
        _brackets[Bracket(trial.Number)].ShouldPrune(direction, trial, trials, step);
}

using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class PrunerTests
{
    private static Trial T(int n, TrialState state, params double[] steps) => new()
    {
        Id = n, Number = n, State = state,
        Intermediate = new SortedDictionary<int, double>(steps.Select((v, i) => (Step: i + 1, v)).ToDictionary(p
            => p.Step, p => p.v)),
    };

    [Fact]
    public void Median_waits_for_five_completed_trials_then_prunes_below_the_median()
    {
        var pruner = new MedianPruner();
        var done = Enumerable.Range(0, 4).Select(i => T(i, TrialState.Complete, 10 + i, 5 + i)).ToList();
        var bad = T(9, TrialState.Running, 20);
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, bad, [.. done, bad], 1));
        done.Add(T(4, TrialState.Complete, 14, 9));
        // Median at step 1 of 10..14 is 12.
        Assert.True(pruner.ShouldPrune(StudyDirection.Minimize, bad, [.. done, bad], 1));
        var good = T(10, TrialState.Running, 11.5);
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, good, [.. done, good], 1));
        // Maximizing, the same numbers mean the opposite.
        Assert.False(pruner.ShouldPrune(StudyDirection.Maximize, bad, [.. done, bad], 1));
        Assert.True(pruner.ShouldPrune(StudyDirection.Maximize, good, [.. done, good], 1));
        // No value at the step asked about: no decision.
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, bad, [.. done, bad], 2));
    }

    [Fact]
    public void Successive_halving_keeps_the_best_quarter_at_rung_steps_only()
    {
        var pruner = new SuccessiveHalvingPruner(reductionFactor: 4);
        // The first trial at a rung is always promoted.
        var first = T(0, TrialState.Running, 5);
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, first, [first], 1));
        var others = Enumerable.Range(1, 7).Select(i => T(i, TrialState.Complete, i, i, i, i)).ToList();
        // Eight values at step 1 (1..7 and the candidate): the best 8/4 = 2 go on.
        var second = T(8, TrialState.Running, 1.5);
        var third = T(9, TrialState.Running, 2.5);
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, second, [.. others, second], 1));
        Assert.True(pruner.ShouldPrune(StudyDirection.Minimize, third, [.. others, third], 1));
        // Steps 2 and 3 are not rungs (1, 4, 16, …); 4 is.
        var late = T(10, TrialState.Running, 1, 9, 9, 9);
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, late, [.. others, late], 3));
        Assert.True(pruner.ShouldPrune(StudyDirection.Minimize, late, [.. others, late], 4));
    }

    [Fact]
    public void Hyperband_spreads_trials_over_brackets_that_start_pruning_at_different_rungs()
    {
        var pruner = new HyperbandPruner(maxSteps: 16, reductionFactor: 4);
        Assert.Equal(3, pruner.Brackets);
        var brackets = Enumerable.Range(0, 300).Select(pruner.Bracket).ToList();
        Assert.Equal([0, 1, 2], brackets.Distinct().Order());
        Assert.Equal(brackets, Enumerable.Range(0, 300).Select(new HyperbandPruner(16, reductionFactor: 4).Bracket));
        // Bracket 0 has the largest budget (⌈3·16/3⌉ = 16 of 16 + 6 + 3).
        Assert.True(brackets.Count(b => b == 0) > brackets.Count(b => b == 2));

        // A bad trial in bracket 1 survives step 1 (its first rung is 4); in bracket 0 it is pruned at step 1.
        int inZero = Enumerable.Range(100, 200).First(n => pruner.Bracket(n) == 0);
        int inOne = Enumerable.Range(100, 200).First(n => pruner.Bracket(n) == 1);
        var rivals = Enumerable.Range(0, 100).Where(n => pruner.Bracket(n) is 0 or 1)
            .Select(n => T(n, TrialState.Complete, 1, 1, 1, 1)).ToList();
        Assert.True(pruner.ShouldPrune(StudyDirection.Minimize, T(inZero, TrialState.Running, 50), [.. rivals, T(inZero,
            TrialState.Running, 50)], 1));
        var slow = T(inOne, TrialState.Running, 50, 50, 50, 50);
        Assert.False(pruner.ShouldPrune(StudyDirection.Minimize, slow, [.. rivals, slow], 1));
        Assert.True(pruner.ShouldPrune(StudyDirection.Minimize, slow, [.. rivals, slow], 4));
    }
}

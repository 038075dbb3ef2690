namespace OcrForge.Tuning;

/// <summary>
/// Tree-structured Parzen Estimator after Optuna's multivariate TPE: the first <see cref="StartupTrials"/> trials are
/// random; after that the trials are split into the best γ(n) = min(⌈0.1·n⌉, 25) ("below") and the rest
/// ("above"), a Parzen estimator l(x) is fitted to the below trials and g(x) to the above ones,
/// <see cref="Candidates"/> points are
/// drawn from l, and the one maximising log l(x) − log g(x) (expected improvement) is suggested.
/// Parameters are sampled jointly per group that shares a condition (the unconditional ones together, then e.g.
/// every parameter that exists when optimizer = sgd), each group fitted on the trials where it was active.
/// Running trials are "constant liars": they count as above, so concurrent workers are pushed apart
/// (<see cref="ConstantLiar"/>; off, running trials are ignored, as in Optuna without <c>constant_liar</c>).
/// Ranking: complete trials by value (equal values by their last reported value), then pruned ones by how far they got
/// (later step first) and their last value.
/// </summary>
public sealed class TpeSampler(int seed) : ISampler
{
    public const int StartupTrials = 10;
    public const int Candidates = 24;

    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Whether running trials count as above (on for every study; off only to measure what it
    /// buys: <c>bench tune-quality --sampler tpe-no-liar</c>).</summary>
    public bool ConstantLiar { get; init; } = true;

    public IReadOnlyDictionary<string, object> Sample(SearchSpace space, StudyDirection direction,
        IReadOnlyList<Trial> trials, int number, IReadOnlyDictionary<string, object> fixedValues)
    {
        var random = Samplers.ForTrial(seed, number);
        var chosen = new Dictionary<string, object>(fixedValues);
        var usable = trials
            .Where(t => t.Number != number && t.Params.Count > 0
                && (t.State is TrialState.Complete && t.Value is not null
                    || t.State is TrialState.Pruned || ConstantLiar && t.State is TrialState.Running))
            .OrderBy(t => t.Number).ToList();
        int finished = usable.Count(t => t.State != TrialState.Running);
        if (finished < StartupTrials) return RandomSampler.Fill(space, random, fixedValues, chosen);

        var (below, above) = Split(usable, Gamma(finished), direction);
        // Groups in the order of their first parameter: a condition names an earlier parameter, so parents come first.
        foreach (var group in space.Parameters.GroupBy(p => p.Condition is { } c ? $"{c.Parent}:{string.Join('|',
            c.Values)}" : ""))
        {
            var members = group.Where(p => !chosen.ContainsKey(p.Name) && space.IsActive(p, chosen)).ToList();
            if (members.Count == 0) continue;
            var point = SampleGroup(members, below, above, random);
            for (int i = 0; i < members.Count; i++)
                chosen[members[i].Name] = members[i].Distribution.ToExternal(point[i]);
        }
        return RandomSampler.Order(space, chosen, fixedValues);
    }

    private static double[] SampleGroup(List<SearchParameter> members, List<Trial> below, List<Trial> above,
        Random random)
    {
        var l = new ParzenEstimator(members, Observations(members, below));
        var g = new ParzenEstimator(members, Observations(members, above));
        var candidates = l.Sample(random, Candidates);
        double[] best = candidates[0];
        double bestScore = double.NegativeInfinity;
        foreach (var c in candidates)
        {
            double score = l.LogPdf(c) - g.LogPdf(c);
            if (score > bestScore) (best, bestScore) = (c, score);
        }
        return best;
    }

    /// <summary>Internal values of the trials where every member was set (and still lies in its
    /// distribution).</summary>
    private static List<double[]> Observations(List<SearchParameter> members, List<Trial> trials) =>
        trials.Where(t => members.All(m => t.Params.TryGetValue(m.Name, out var v)
                && m.Distribution.Contains(ParameterValues.Coerce(m.Distribution, v))))
            .Select(t => members.Select(m => m.Distribution.ToInternal(ParameterValues.Coerce(m.Distribution,
                t.Params[m.Name]))).ToArray())
            .ToList();

    internal static (List<Trial> Below, List<Trial> Above) Split(List<Trial> trials, int nBelow,
        StudyDirection direction)
    {
        // Equal values are ordered by the last reported value: a CTC trial's value (sequence accuracy) is 0 for every
        // trial still on the all-blank plateau, but its per-epoch character accuracy says which ones were closer to
        // leaving it. Without this, ties leave TPE nothing to model (docs/RESULTS.md, the real captcha search).
        var complete = trials.Where(t => t.State == TrialState.Complete)
            .OrderBy(t => direction.Loss(t.Value!.Value))
            .ThenBy(t => t.Last is { } last ? direction.Loss(last.Value) : double.PositiveInfinity)
            .ThenBy(t => t.Number).ToList();
        var pruned = trials.Where(t => t.State == TrialState.Pruned)
            .OrderBy(t => t.Last is { } last ? -last.Step : 1)
            .ThenBy(t => t.Last is { } last ? direction.Loss(last.Value) : 0).ThenBy(t => t.Number).ToList();
        var ranked = complete.Concat(pruned).ToList();
        // Back in trial order: the estimators' weights ramp up from the oldest observations to the newest 25.
        var below = ranked.Take(nBelow).OrderBy(t => t.Number).ToList();
        var above = ranked.Skip(nBelow).Concat(trials.Where(t => t.State == TrialState.Running)).OrderBy(t
            => t.Number).ToList();
        return (below, above);
    }
}

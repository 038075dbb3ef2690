namespace OcrForge.Tuning;

/// <summary>
/// Suggests the parameters of one trial.
/// Rules:
/// <list type="bullet">
/// <item>The result holds a value for exactly the parameters active under it (conditions), inside their
/// distributions, and the <c>fixedValues</c> unchanged.</item>
/// <item>Deterministic: it depends only on the sampler's seed, the trial number, the fixed values and the trials
/// given (their state, parameters, value and intermediate values) — not on the clock, earlier calls or the order of
/// <c>trials</c>. Two workers with the same seed and the same finished trials suggest the same configuration.</item>
/// <item>Running trials (other than the one being sampled) may be used to spread concurrent suggestions apart;
/// failed and waiting trials are ignored. The trials are never modified.</item>
/// </list>
/// </summary>
public interface ISampler
{
    IReadOnlyDictionary<string, object> Sample(SearchSpace space, StudyDirection direction, IReadOnlyList<Trial> trials,
        int number, IReadOnlyDictionary<string, object> fixedValues);
}

public static class Samplers
{
    public static ISampler Create(string name, int seed) => name switch
    {
        "tpe" => new TpeSampler(seed),
        "random" => new RandomSampler(seed),
        _ => throw new Inference.OcrForgeException($"--sampler {name}: expected tpe or random"),
    };

    /// <summary>A generator for one trial: a pure function of (seed, number), as HashCode differs per process, and
    /// independent of every other trial's (see <see cref="TrialRandom"/>).</summary>
    public static Random ForTrial(int seed, int number) => new TrialRandom(seed, number);
}

namespace OcrForge.Tuning;

/// <summary>Independent uniform draws (log-uniform for log parameters), walking the space in order.</summary>
public sealed class RandomSampler(int seed) : ISampler
{
    public IReadOnlyDictionary<string, object> Sample(SearchSpace space, StudyDirection direction,
        IReadOnlyList<Trial> trials, int number, IReadOnlyDictionary<string, object> fixedValues) =>
        Fill(space, Samplers.ForTrial(seed, number), fixedValues, new Dictionary<string, object>(fixedValues));

    /// <summary>Draws every active parameter that <paramref name="chosen"/> lacks; also TPE's start-up and
    /// fallback.</summary>
    internal static Dictionary<string, object> Fill(SearchSpace space, Random random,
        IReadOnlyDictionary<string, object> fixedValues, Dictionary<string, object> chosen)
    {
        foreach (var p in space.Parameters)
        {
            // Every parameter draws, active or not, so one parameter's condition does not shift the others' draws.
            var drawn = p.Distribution.Sample(random);
            if (!chosen.ContainsKey(p.Name) && space.IsActive(p, chosen)) chosen[p.Name] = drawn;
        }
        return Order(space, chosen, fixedValues);
    }

    /// <summary>Space order, inactive ones dropped (a fixed value whose condition failed is kept: the user
    /// asked).</summary>
    internal static Dictionary<string, object> Order(SearchSpace space, Dictionary<string, object> chosen,
        IReadOnlyDictionary<string, object> fixedValues) =>
        space.Parameters.Where(p => chosen.ContainsKey(p.Name) && (fixedValues.ContainsKey(p.Name) || space.IsActive(p,
            chosen)))
            .ToDictionary(p => p.Name, p => chosen[p.Name]);
}

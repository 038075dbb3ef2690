using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// The parameters a study searches, in order: a condition may only name a categorical parameter declared before it,
/// so walking the list in order decides every parameter after the ones it depends on.
/// </summary>
public sealed class SearchSpace
{
    public SearchSpace(IEnumerable<SearchParameter> parameters)
    {
        Parameters = parameters.ToList();
        var seen = new Dictionary<string, SearchParameter>();
        foreach (var p in Parameters)
        {
            string field = $"parameters.{p.Name}";
            if (seen.ContainsKey(p.Name)) throw new OcrForgeException($"{field}: declared twice");
            p.Distribution.Validate(field);
            if (p.Condition is { } c)
            {
                if (!seen.TryGetValue(c.Parent, out var parent))
                    throw new OcrForgeException($"{field}.when: unknown parameter '{c.Parent}' (it must be declared " +
                        $"before)");
                if (parent.Distribution is not CategoricalDistribution cat)
                    throw new OcrForgeException($"{field}.when: '{c.Parent}' is not categorical");
                if (c.Values.Count == 0) throw new OcrForgeException($"{field}.when.{c.Parent}: no values given");
                foreach (var v in c.Values.Where(v => !cat.Choices.Contains(v)))
                    throw new OcrForgeException($"{field}.when.{c.Parent}: '{v}' is not one of its choices");
            }
            seen[p.Name] = p;
        }
        if (Parameters.Count == 0) throw new OcrForgeException("parameters: the space has no parameters");
    }

    public IReadOnlyList<SearchParameter> Parameters { get; }

    public SearchParameter? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>Whether <paramref name="parameter"/> exists given the values chosen so far (and, recursively, its
    /// parent).</summary>
    public bool IsActive(SearchParameter parameter, IReadOnlyDictionary<string, object> chosen) =>
        parameter.Condition is not { } c || (c.Holds(chosen) && IsActive(Find(c.Parent)!, chosen));

    /// <summary>
    /// Checks hand-picked values (<c>tune enqueue</c>): each must be a known parameter, inside its distribution, and
    /// active under the others. Missing parameters are fine; the sampler fills them in.
    /// </summary>
    public void CheckFixed(IReadOnlyDictionary<string, object> values)
    {
        foreach (var (name, value) in values)
        {
            var p = Find(name) ?? throw new OcrForgeException($"{name}: unknown parameter (known: {string.Join(", ",
                Parameters.Select(q => q.Name))})");
            if (!p.Distribution.Contains(value))
                throw new OcrForgeException($"{name}={value}: outside the parameter's distribution");
            if (p.Condition is { } c && values.ContainsKey(c.Parent) && !IsActive(p, values))
                throw new OcrForgeException($"{name}: only exists when {c.Parent} is {string.Join(" or ", c.Values)}");
        }
    }
}

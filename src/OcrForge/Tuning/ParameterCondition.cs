namespace OcrForge.Tuning;

/// <summary>A parameter exists only when an earlier categorical parameter took one of <paramref
/// name="Values"/>.</summary>
public sealed record ParameterCondition(string Parent, IReadOnlyList<string> Values)
{
    public bool Holds(IReadOnlyDictionary<string, object> chosen) =>
        chosen.TryGetValue(Parent, out var v) && v is string s && Values.Contains(s);
}

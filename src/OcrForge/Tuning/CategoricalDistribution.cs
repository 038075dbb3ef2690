using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>One of a list of named choices; the internal value is the choice's index.</summary>
public sealed record CategoricalDistribution(IReadOnlyList<string> Choices) : Distribution
{
    public override void Validate(string field)
    {
        if (Choices.Count == 0) throw new OcrForgeException($"{field}: choices must not be empty");
        var twice = Choices.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new OcrForgeException($"{field}: choice '{twice.Key}' appears twice");
    }

    public override bool Contains(object value) => value is string s && Choices.Contains(s);

    public override double ToInternal(object value)
    {
        int i = Choices.ToList().IndexOf((string)value);
        return i >= 0 ? i : throw new ArgumentException($"'{value}' is not one of {string.Join(", ", Choices)}");
    }

    public override object ToExternal(double internalValue) => Choices[(int)Math.Round(internalValue)];

    public override object Sample(Random random) => Choices[random.Next(Choices.Count)];

    public bool Equals(CategoricalDistribution? other) =>
        other is not null && Choices.SequenceEqual(other.Choices);

    public override int GetHashCode() => Choices.Count;
}

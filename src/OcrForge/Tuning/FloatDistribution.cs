using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>A real number in [low, high]; <c>log</c> samples uniformly in log space, <c>step</c> quantizes from
/// low.</summary>
public sealed record FloatDistribution(double Low, double High, bool Log = false, double? Step = null) : Distribution
{
    public override void Validate(string field)
    {
        if (!double.IsFinite(Low)
            || !double.IsFinite(High)) throw new OcrForgeException($"{field}: low and high must be finite");
        if (Low >= High) throw new OcrForgeException($"{field}: empty range [{Low}, {High}] (low must be below high)");
        if (Log && Low <= 0) throw new OcrForgeException($"{field}: log scale needs low > 0 (got {Low})");
        if (Step is { } s && (!(s > 0)
            || Log)) throw new OcrForgeException($"{field}: step must be positive and not combined with log");
    }

    public override bool Contains(object value) =>
        value is double or long && Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) is var v
        && v >= Low && v <= High;

    public override double ToInternal(object value) => Convert.ToDouble(value,
        System.Globalization.CultureInfo.InvariantCulture);

    public override object ToExternal(double internalValue)
    {
        double v = Math.Clamp(internalValue, Low, High);
        if (Step is { } s) v = Math.Min(High, Low + Math.Round((v - Low) / s) * s);
        return v;
    }

    public override object Sample(Random random) => ToExternal(Log
        ? Math.Exp(Math.Log(Low) + random.NextDouble() * (Math.Log(High) - Math.Log(Low)))
        : Low + random.NextDouble() * (High - Low));
}

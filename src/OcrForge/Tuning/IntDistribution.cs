using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>An integer in [low, high] on the grid low, low + step, …; <c>log</c> samples uniformly in log
/// space.</summary>
public sealed record IntDistribution(long Low, long High, long Step = 1, bool Log = false) : Distribution
{
    public override void Validate(string field)
    {
        if (Low > High) throw new OcrForgeException($"{field}: empty range [{Low}, {High}] (low must not exceed high)");
        if (Step < 1) throw new OcrForgeException($"{field}: step must be at least 1 (got {Step})");
        if (Log && Low < 1) throw new OcrForgeException($"{field}: log scale needs low >= 1 (got {Low})");
        if (Log && Step != 1) throw new OcrForgeException($"{field}: log scale cannot be combined with a step");
    }

    public override bool Contains(object value) =>
        value is long v && v >= Low && v <= High && (v - Low) % Step == 0;

    public override double ToInternal(object value) => Convert.ToDouble(value,
        System.Globalization.CultureInfo.InvariantCulture);

    public override object ToExternal(double internalValue)
    {
        double v = Math.Clamp(internalValue, Low, High);
        long k = (long)Math.Round((v - Low) / Step);
        return Math.Min(High - (High - Low) % Step, Low + k * Step);
    }

    // Half a step beyond each end gives the end points the same chance as every other grid point.
    public override object Sample(Random random) => ToExternal(Log
        ? Math.Exp(Math.Log(Low - 0.5) + random.NextDouble() * (Math.Log(High + 0.5) - Math.Log(Low - 0.5)))
        : Low - Step / 2.0 + random.NextDouble() * (High - Low + Step));
}

namespace OcrForge.Tuning;

/// <summary>Normal-distribution helpers for the Parzen estimators.</summary>
internal static class Numerics
{
    private static readonly double LogSqrt2Pi = 0.5 * Math.Log(2 * Math.PI);
    private static readonly double Sqrt2 = Math.Sqrt(2);

    /// <summary>
    /// erfc with fractional error below 1.2e-7 everywhere, tails included (Numerical Recipes' Chebyshev fit): the
    /// truncation mass of a narrow kernel far from a bound must not round to zero.
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>P(a &lt; X &lt; b) for a standard normal X, computed on the side where it does not cancel.</summary>
    public static double NormalMass(double a, double b) =>
        a >= 0 ? 0.5 * (Erfc(a / Sqrt2) - Erfc(b / Sqrt2))
        : b <= 0 ? 0.5 * (Erfc(-b / Sqrt2) - Erfc(-a / Sqrt2))
        : 1 - 0.5 * (Erfc(-a / Sqrt2) + Erfc(b / Sqrt2));

    public static double LogNormalDensity(double z) => -0.5 * z * z - LogSqrt2Pi;

    public static double StandardNormal(Random random)
    {
        double u = 1 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values) max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max)) return max;
        double sum = 0;
        foreach (double v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }
}

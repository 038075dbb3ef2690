namespace OcrForge.Tuning;

public enum StudyDirection { Minimize, Maximize }

public static class StudyDirections
{
    /// <summary>Whether <paramref name="a"/> is strictly better than <paramref name="b"/> (NaN is never
    /// better).</summary>
    public static bool Better(this StudyDirection direction, double a, double b) =>
        direction == StudyDirection.Minimize ? a < b : a > b;

    /// <summary>A value that sorts better-first: the value to minimise.</summary>
    public static double Loss(this StudyDirection direction, double value) =>
        double.IsNaN(value) ? double.PositiveInfinity : direction == StudyDirection.Minimize ? value : -value;
}

using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// A training run without training, for testing and benchmarking the machinery: the Branin function of the float
/// parameters <c>x1</c> ∈ [−5, 10] and <c>x2</c> ∈ [0, 15] (minimum 0.397887 at three points), plus a penalty for
/// every other parameter (squared distance from the middle of its range in [0, 1] units; a categorical's choice index
/// over its count), reached over <see cref="MaxSteps"/> fake epochs: epoch e reports
/// f + (5 + f/2)·(1/e − 1/E), a learning curve that falls to f and keeps the trials' order, so pruners can act.
/// </summary>
public sealed class SyntheticObjective(SearchSpace space, int epochs = 8, TimeSpan epochDelay = default) : IObjective
{
    public string Metric => "branin";
    public StudyDirection Direction => StudyDirection.Minimize;
    public int MaxSteps { get; } = epochs;

    public void Check(SearchSpace space)
    {
        foreach (var name in new[] { "x1", "x2" })
            if (space.Find(name) is not { Distribution: FloatDistribution, Condition: null })
                throw new OcrForgeException($"--objective synthetic: the space needs an unconditional float " +
                    $"parameter '{name}'");
    }

    public static double Branin(double x1, double x2)
    {
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.Cos(x1) + 10;
    }

    public double Value(IReadOnlyDictionary<string, object> parameters)
    {
        double f = Branin(Convert.ToDouble(parameters["x1"]), Convert.ToDouble(parameters["x2"]));
        foreach (var (name, value) in parameters)
        {
            if (name is "x1" or "x2" || space.Find(name) is not { } p) continue;
            f += p.Distribution switch
            {
                CategoricalDistribution c => c.ToInternal(value) / c.Choices.Count,
                IntDistribution d => Square(Unit(Convert.ToDouble(value), d.Low, d.High, d.Log) - 0.5),
                FloatDistribution d => Square(Unit(Convert.ToDouble(value), d.Low, d.High, d.Log) - 0.5),
                _ => 0,
            };
        }
        return f;
    }

    private static double Unit(double v, double low, double high, bool log) =>
        high == low ? 0.5 : log ? Math.Log(v / low) / Math.Log(high / low) : (v - low) / (high - low);

    private static double Square(double v) => v * v;

    public double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
        CancellationToken cancellationToken)
    {
        double f = Value(parameters);
        for (int epoch = 1; epoch <= MaxSteps; epoch++)
        {
            if (epochDelay > TimeSpan.Zero) Task.Delay(epochDelay, cancellationToken).Wait(cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            reporter.Report(epoch, f + (5 + f / 2) * (1.0 / epoch - 1.0 / MaxSteps));
        }
        return f;
    }
}

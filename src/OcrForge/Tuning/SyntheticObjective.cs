using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// A training run without training, for testing and benchmarking the machinery: the Branin function of the float
/// parameters <c>x1</c> ∈ [−5, 10] and <c>x2</c> ∈ [0, 15] (minimum 0.397887 at three points), plus a penalty for
/// every other parameter (squared distance from the middle of its range in [0, 1] units; a categorical's choice index
/// over its count), reached over <see cref="MaxSteps"/> fake epochs: epoch e reports
/// f + (5 + f/2)·(1/e − 1/E), a learning curve that falls to f and keeps the trials' order, so pruners can act.
/// With a <see cref="BenchmarkFunction"/> (<c>--objective synthetic:NAME</c>) f is that function of its parameters
/// instead of Branin, the other parameters penalised the same way.
/// </summary>
public sealed class SyntheticObjective(SearchSpace space, int epochs = 8, TimeSpan epochDelay = default,
    BenchmarkFunction? function = null) : IObjective
{
    public string Metric => function?.Name ?? "branin";
    public StudyDirection Direction => StudyDirection.Minimize;
    public int MaxSteps { get; } = epochs;

    public void Check(SearchSpace space)
    {
        if (function is not null)
        {
            foreach (var p in function.Space.Parameters)
                if (space.Find(p.Name) is not { Condition: null } q
                    || q.Distribution.GetType() != p.Distribution.GetType())
                    throw new OcrForgeException($"--objective synthetic:{function.Name}: the space needs an " +
                        $"unconditional {Kind(p.Distribution)} parameter '{p.Name}' (see bench/{function.Name}.yaml)");
            return;
        }
        foreach (var name in new[] { "x1", "x2" })
            if (space.Find(name) is not { Distribution: FloatDistribution, Condition: null })
                throw new OcrForgeException($"--objective synthetic: the space needs an unconditional float " +
                    $"parameter '{name}'");
    }

    public static double Branin(double x1, double x2) => BenchmarkFunction.BraninValue(x1, x2);

    public double Value(IReadOnlyDictionary<string, object> parameters)
    {
        double f = function?.Evaluate(parameters)
            ?? Branin(Convert.ToDouble(parameters["x1"]), Convert.ToDouble(parameters["x2"]));
        foreach (var (name, value) in parameters)
        {
            if ((function is null ? name is "x1" or "x2" : function.Space.Find(name) is not null)
                || space.Find(name) is not { } p) continue;
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

    private static string Kind(Distribution d) => d switch
    {
        FloatDistribution => "float",
        IntDistribution => "int",
        _ => "categorical",
    };

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

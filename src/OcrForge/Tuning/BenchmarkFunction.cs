using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// A standard test function for samplers: its search space, its value at a configuration (deterministic, cheap) and
/// its known global minimum. <c>--objective synthetic:NAME</c> runs one as a study's objective, and
/// <see cref="SamplerBenchmark"/> measures how close samplers get to the minimum within a trial budget.
/// </summary>
public sealed class BenchmarkFunction
{
    private readonly Func<IReadOnlyDictionary<string, object>, double> _evaluate;
    // Parsed on first use: the CLI lists these functions while it builds its commands, and parsing YAML then cost
    // every command, `--help` included, about a tenth of a second of start-up.
    private readonly Lazy<SearchSpace> _space;

    private BenchmarkFunction(string name, string description, string spaceYaml, double minimum,
        Func<IReadOnlyDictionary<string, object>, double> evaluate)
    {
        Name = name;
        Description = description;
        _space = new(() => SearchSpaceFile.ParseText(spaceYaml, yaml: true));
        Minimum = minimum;
        _evaluate = evaluate;
    }

    public string Name { get; }
    public string Description { get; }
    public SearchSpace Space => _space.Value;
    /// <summary>The global minimum over <see cref="Space"/>.</summary>
    public double Minimum { get; }

    /// <summary>The value at <paramref name="parameters"/> (every parameter of <see cref="Space"/>; others are
    /// ignored).</summary>
    public double Evaluate(IReadOnlyDictionary<string, object> parameters) => _evaluate(parameters);

    public static readonly BenchmarkFunction Branin = new("branin",
        "Branin on x1 ∈ [−5, 10], x2 ∈ [0, 15]; three global minima of 0.397887",
        """
        parameters:
          x1: { type: float, low: -5, high: 10 }
          x2: { type: float, low: 0, high: 15 }
        """, 0.397887357729739, p => BraninValue(F(p, "x1"), F(p, "x2")));

    public static readonly BenchmarkFunction Hartmann6 = new("hartmann6",
        "Hartmann-6 on [0, 1]^6; global minimum −3.32237 near (0.2017, 0.1500, 0.4769, 0.2753, 0.3117, 0.6573)",
        """
        parameters:
          x1: { type: float, low: 0, high: 1 }
          x2: { type: float, low: 0, high: 1 }
          x3: { type: float, low: 0, high: 1 }
          x4: { type: float, low: 0, high: 1 }
          x5: { type: float, low: 0, high: 1 }
          x6: { type: float, low: 0, high: 1 }
        """, -3.32236801141551, p => Hartmann6Value([F(p, "x1"), F(p, "x2"), F(p, "x3"), F(p, "x4"), F(p, "x5"),
            F(p, "x6")]));

    /// <summary>
    /// Mixed parameters: a categorical <c>variant</c> picks one of four shifted/scaled Branins (so the best x1 depends
    /// on the category), plus an integer <c>n</c> ∈ [0, 10] adding 0.1·(n − 7)². Variant (x1 shift, scale,
    /// offset): a (−2.5, 1, 1), b (+2.5, 1, 0.5), c (0, 1, 0), d (0, 2, 0.2); minimum 0.397887 with c and n = 7.
    /// </summary>
    public static readonly BenchmarkFunction BraninMixed = new("branin-mixed",
        "Branin with a categorical variant (4 shifted/scaled versions) and an int n ∈ [0, 10]; minimum 0.397887 " +
        "(variant c, n = 7)",
        """
        parameters:
          variant: { type: categorical, choices: [a, b, c, d] }
          x1: { type: float, low: -5, high: 10 }
          x2: { type: float, low: 0, high: 15 }
          n: { type: int, low: 0, high: 10 }
        """, 0.397887357729739, p =>
        {
            var (shift, scale, offset) = (string)p["variant"] switch
            {
                "a" => (-2.5, 1.0, 1.0),
                "b" => (2.5, 1.0, 0.5),
                "c" => (0.0, 1.0, 0.0),
                "d" => (0.0, 2.0, 0.2),
                var v => throw new ArgumentException($"variant '{v}' is not one of a, b, c, d"),
            };
            double n = Convert.ToDouble(p["n"], System.Globalization.CultureInfo.InvariantCulture);
            return scale * BraninValue(F(p, "x1") - shift, F(p, "x2")) + offset + 0.1 * (n - 7) * (n - 7);
        });

    public static IReadOnlyList<BenchmarkFunction> All { get; } = [Branin, Hartmann6, BraninMixed];

    /// <summary>The function by name, or a one-line error listing the names.</summary>
    public static BenchmarkFunction Find(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? throw new OcrForgeException(
            $"benchmark function '{name}': expected one of {string.Join(", ", All.Select(f => f.Name))}");

    public static double BraninValue(double x1, double x2)
    {
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.Cos(x1) + 10;
    }

    private static readonly double[] HartmannAlpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] HartmannA =
    {
        { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] HartmannP =
    {
        { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 }, { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
        { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 }, { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
    };

    public static double Hartmann6Value(IReadOnlyList<double> x)
    {
        double f = 0;
        for (int i = 0; i < 4; i++)
        {
            double inner = 0;
            for (int j = 0; j < 6; j++) inner += HartmannA[i, j] * (x[j] - HartmannP[i, j]) * (x[j] - HartmannP[i, j]);
            f -= HartmannAlpha[i] * Math.Exp(-inner);
        }
        return f;
    }

    private static double F(IReadOnlyDictionary<string, object> p, string name) =>
        Convert.ToDouble(p[name], System.Globalization.CultureInfo.InvariantCulture);
}

using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class BenchmarkFunctionTests
{
    private static Dictionary<string, object> P(params (string Name, object Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    [Theory]
    [InlineData(-Math.PI, 12.275)]
    [InlineData(Math.PI, 2.275)]
    [InlineData(9.42478, 2.475)]
    public void Branin_reaches_its_minimum_at_its_three_optima(double x1, double x2)
    {
        var f = BenchmarkFunction.Branin;
        Assert.Equal(0.397887, f.Evaluate(P(("x1", x1), ("x2", x2))), 5);
        Assert.Equal(f.Minimum, f.Evaluate(P(("x1", x1), ("x2", x2))), 4);
        Assert.Equal(55.60, f.Evaluate(P(("x1", 0.0), ("x2", 0.0))), 2);
    }

    [Fact]
    public void Hartmann6_reaches_minus_3_32237_at_its_optimum_and_nowhere_lower()
    {
        var f = BenchmarkFunction.Hartmann6;
        double[] optimum = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573];
        var at = optimum.Select((x, i) => ($"x{i + 1}", (object)x)).ToArray();
        Assert.Equal(-3.32237, f.Evaluate(P(at)), 4);
        var random = new Random(1);
        for (int k = 0; k < 2000; k++)
        {
            var point = Enumerable.Range(1, 6).Select(i => ($"x{i}", (object)random.NextDouble())).ToArray();
            Assert.True(f.Evaluate(P(point)) > f.Minimum);
        }
    }

    [Fact]
    public void Mixed_branin_shifts_scales_and_offsets_per_variant_and_penalises_n()
    {
        var f = BenchmarkFunction.BraninMixed;
        double V(string variant, double x1, long n) => f.Evaluate(P(("variant", variant), ("x1", x1), ("x2", 2.275),
            ("n", n)));
        Assert.Equal(0.397887, V("c", Math.PI, 7), 5);
        Assert.Equal(1.397887, V("a", Math.PI - 2.5, 7), 5);
        Assert.Equal(0.897887, V("b", Math.PI + 2.5, 7), 5);
        Assert.Equal(2 * 0.397887 + 0.2, V("d", Math.PI, 7), 5);
        Assert.Equal(0.397887 + 0.4, V("c", Math.PI, 5), 5);
        Assert.True(V("a", Math.PI, 7) > 5, "variant a's optimum is moved away from x1 = π");
    }

    [Theory]
    [InlineData("branin")]
    [InlineData("hartmann6")]
    [InlineData("branin-mixed")]
    public void Bench_space_file_is_the_functions_space_and_synthetic_name_runs_it(string name)
    {
        var f = BenchmarkFunction.Find(name);
        var file = SearchSpaceFile.ParseText(File.ReadAllText(Path.Combine(RepositoryRoot(), "bench", $"{name}.yaml")),
            yaml: true);
        Assert.Equal(f.Space.Parameters, file.Parameters);

        var objective = Objectives.Create($"synthetic:{name}", file, new ObjectiveSettings { Epochs = 3 });
        Assert.Equal(StudyDirection.Minimize, Objectives.Direction($"synthetic:{name}"));
        var values = RandomSampler.Fill(file, new Random(3), new Dictionary<string, object>(),
            new Dictionary<string, object>());
        var steps = new List<double>();
        double value = objective.Run(values, new Steps(steps), 1, CancellationToken.None);
        Assert.Equal(f.Evaluate(values), value);
        Assert.Equal(value, steps[^1]);
        Assert.Equal(3, steps.Count);
    }

    [Fact]
    public void Synthetic_function_names_and_spaces_are_checked_with_one_line_errors()
    {
        var e = Assert.Throws<OcrForgeException>(() => Objectives.Create("synthetic:rosenbrock",
            BenchmarkFunction.Branin.Space, new ObjectiveSettings()));
        Assert.Contains("synthetic:hartmann6", e.Message);
        e = Assert.Throws<OcrForgeException>(() => Objectives.Create("synthetic:hartmann6",
            BenchmarkFunction.Branin.Space, new ObjectiveSettings()));
        Assert.Contains("'x3'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<OcrForgeException>(() => Objectives.Direction("synthetic:nope"));
        Assert.Throws<OcrForgeException>(() => Objectives.Training("synthetic:branin", new ObjectiveSettings()));
    }

    [Fact]
    public void Quantiles_interpolate_like_numpy()
    {
        double[] v = [4, 1, 3, 2];
        Assert.Equal(1.75, SamplerBenchmark.Quantile(v, 0.25), 12);
        Assert.Equal(2.5, SamplerBenchmark.Quantile(v, 0.5), 12);
        Assert.Equal(3.25, SamplerBenchmark.Quantile(v, 0.75), 12);
        Assert.Equal(7, SamplerBenchmark.Quantile([7.0], 0.75));
    }

    [Fact]
    public void Sampler_benchmark_is_reproducible_and_tpe_beats_random_on_every_function()
    {
        // Small budget so the test stays fast; seeded, so the outcome is fixed.
        var a = SamplerBenchmark.Run(BenchmarkFunction.All, ["tpe", "random"], seeds: 5, trials: 50);
        var again = SamplerBenchmark.Run([BenchmarkFunction.BraninMixed], ["tpe"], seeds: 2, trials: 50, firstSeed: 3);
        Assert.Equal(a.Single(r => r.Function == "branin-mixed" && r.Sampler == "tpe").Best.Skip(3), again[0].Best);
        foreach (var f in BenchmarkFunction.All)
        {
            var tpe = a.Single(r => r.Function == f.Name && r.Sampler == "tpe");
            var random = a.Single(r => r.Function == f.Name && r.Sampler == "random");
            Assert.All(tpe.Best.Concat(random.Best), v => Assert.True(v >= f.Minimum - 1e-9));
            Assert.True(tpe.Median < random.Median, $"{f.Name}: TPE {tpe.Median:0.####} vs random {random.Median:0.####}");
        }
    }

    private sealed class Steps(List<double> values) : ITrialReporter
    {
        public void Report(int step, double value) => values.Add(value);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "bench", "branin.yaml"))) return dir.FullName;
        throw new InvalidOperationException($"repository root not found above {AppContext.BaseDirectory}");
    }
}

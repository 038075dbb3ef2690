using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class SamplerTests
{
    private static readonly SearchSpace Space = SearchSpaceFile.ParseText("""
        parameters:
          x1: { type: float, low: -5, high: 10 }
          x2: { type: float, low: 0, high: 15 }
          lr: { type: float, low: 1.0e-4, high: 0.1, log: true }
          batch: { type: int, low: 8, high: 64, step: 8 }
          optimizer: { type: categorical, choices: [adam, sgd, rmsprop] }
          momentum: { type: float, low: 0.5, high: 0.99, when: { optimizer: [sgd] } }
        """, yaml: true);

    private static readonly SearchSpace Branin = SearchSpaceFile.ParseText(
        "parameters:\n  x1: { type: float, low: -5, high: 10 }\n  x2: { type: float, low: 0, high: 15 }", yaml: true);

    /// <summary>Runs a study in memory: each trial sampled from the finished ones, scored by the synthetic
    /// objective.</summary>
    private static List<Trial> Study(ISampler sampler, int count, SearchSpace? space = null)
    {
        space ??= Space;
        var objective = new SyntheticObjective(space);
        var trials = new List<Trial>();
        for (int n = 0; n < count; n++)
        {
            var values = sampler.Sample(space, StudyDirection.Minimize, trials, n, new Dictionary<string, object>());
            trials.Add(new Trial { Id = n, Number = n, State = TrialState.Complete, Params = values,
                Value = objective.Value(values) });
        }
        return trials;
    }

    [Theory]
    [InlineData("tpe")]
    [InlineData("random")]
    public void Same_seed_and_same_finished_trials_give_the_same_suggestion(string kind)
    {
        var history = Study(Samplers.Create(kind, 7), 15);
        var shuffled = history.OrderBy(t => (t.Number * 37) % 15).ToList();
        var a = Samplers.Create(kind, 7).Sample(Space, StudyDirection.Minimize, history, 15, new Dictionary<string,
            object>());
        var b = Samplers.Create(kind, 7).Sample(Space, StudyDirection.Minimize, shuffled, 15, new Dictionary<string,
            object>());
        var c = Samplers.Create(kind, 8).Sample(Space, StudyDirection.Minimize, history, 15, new Dictionary<string,
            object>());
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("tpe")]
    [InlineData("random")]
    public void Suggestions_respect_conditions_bounds_grids_and_fixed_values(string kind)
    {
        var trials = Study(Samplers.Create(kind, 3), 40);
        Assert.Contains(trials, t => (string)t.Params["optimizer"] == "sgd");
        Assert.Contains(trials, t => (string)t.Params["optimizer"] != "sgd");
        foreach (var t in trials)
        {
            Assert.Equal((string)t.Params["optimizer"] == "sgd", t.Params.ContainsKey("momentum"));
            Assert.All(t.Params, kv => Assert.True(Space.Find(kv.Key)!.Distribution.Contains(kv.Value),
                $"{kv.Key}={kv.Value}"));
        }
        var fixedValues = new Dictionary<string, object> { ["optimizer"] = "sgd", ["batch"] = 24L };
        var s = Samplers.Create(kind, 3).Sample(Space, StudyDirection.Minimize, trials, 40, fixedValues);
        Assert.Equal(("sgd", 24L), ((string)s["optimizer"], (long)s["batch"]));
        Assert.True(s.ContainsKey("momentum"));
    }

    [Fact]
    public void Tpe_finds_lower_branin_values_than_random_search_with_the_same_budget()
    {
        // Deterministic (seeded), over six seeds so one lucky draw cannot decide it. Branin's minimum is 0.398.
        double tpe = 0, random = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            tpe += Study(new TpeSampler(seed), 60, Branin).Min(t => t.Value!.Value) / 6;
            random += Study(new RandomSampler(seed), 60, Branin).Min(t => t.Value!.Value) / 6;
        }
        Assert.True(tpe < 0.7 && tpe < random, $"TPE {tpe:0.###} vs random {random:0.###}");
    }

    [Fact]
    public void Gamma_and_weights_follow_optuna()
    {
        Assert.Equal([1, 1, 2, 10, 25, 25], new[] { 1, 10, 11, 100, 250, 1000 }.Select(TpeSampler.Gamma));
        Assert.Equal(Enumerable.Repeat(1.0, 24), ParzenEstimator.Weights(24));
        var w = ParzenEstimator.Weights(30);
        Assert.Equal(30, w.Length);
        Assert.Equal(1.0 / 30, w[0], 12);
        Assert.Equal(1.0, w[4], 12);
        Assert.True(w[0] < w[1] && w[1] < w[2]);
    }

    [Fact]
    public void Bandwidths_are_the_larger_gap_to_the_neighbours_as_in_optuna_5()
    {
        // Ends count as neighbours except for the outermost observations (consider_endpoints off).
        Assert.Equal([0.3, 0.4, 0.4], Rounded(ParzenEstimator.NeighbourBandwidths([0.2, 0.5, 0.9], 0, 1)));
        Assert.Equal([0.1, 0.1, 0.1], Rounded(ParzenEstimator.NeighbourBandwidths([0.6, 0.4, 0.5], 0, 1)));
        Assert.Equal([0.8], Rounded(ParzenEstimator.NeighbourBandwidths([0.2], 0, 1)));
    }

    [Fact]
    public void Narrow_kernels_are_clipped_to_the_range_over_kernels_plus_one_and_the_prior_spans_the_range()
    {
        var x = new SearchParameter("x", new FloatDistribution(0, 10));
        var pe = new ParzenEstimator([x], [[5.0], [5.1]]);
        // Optuna's magic clip: range / min(100, 1 + 3 kernels); the gaps (0.1) are narrower.
        Assert.Equal(2.5, pe.Sigma(0, 0), 12);
        Assert.Equal(2.5, pe.Sigma(1, 0), 12);
        Assert.Equal(10, pe.Sigma(2, 0), 12);
        var wide = new ParzenEstimator([x], [[1.0], [9.0]]);
        Assert.Equal(8, wide.Sigma(0, 0), 12);
    }

    [Fact]
    public void A_fitted_estimator_is_a_density_that_integrates_to_one()
    {
        // Each kernel is divided by its width (Optuna before 3.5 forgot to, which weighted narrow kernels down).
        var x = new SearchParameter("x", new FloatDistribution(0, 10));
        var pe = new ParzenEstimator([x], [[1.0], [1.3], [7.0]]);
        const int steps = 20_000;
        double integral = 0;
        for (int i = 0; i < steps; i++) integral += Math.Exp(pe.LogPdf([(i + 0.5) * 10.0 / steps])) * 10.0 / steps;
        Assert.Equal(1.0, integral, 4);
    }

    [Fact]
    public void Trials_draw_independent_numbers_however_close_their_numbers_are()
    {
        // The legacy seeded System.Random gave trial n a first draw of frac(a + n·b): successive trials' draws moved in
        // lockstep, so random trials lay on one line through the cube. Differences must now look uniform.
        var first = Enumerable.Range(0, 400).Select(n => Samplers.ForTrial(0, n).NextDouble()).ToArray();
        var steps = first.Skip(1).Zip(first, (b, a) => ((b - a) % 1 + 1) % 1).ToArray();
        double mean = steps.Average(), sd = Math.Sqrt(steps.Average(d => (d - mean) * (d - mean)));
        Assert.InRange(sd, 0.25, 0.33);
        Assert.Equal(Samplers.ForTrial(3, 9).NextDouble(), Samplers.ForTrial(3, 9).NextDouble());
        Assert.NotEqual(Samplers.ForTrial(3, 9).NextDouble(), Samplers.ForTrial(4, 9).NextDouble());
        var r = Samplers.ForTrial(1, 2);
        Assert.All(Enumerable.Range(0, 1000).Select(_ => r.Next(3)), v => Assert.InRange(v, 0, 2));
    }

    private static IEnumerable<double> Rounded(IEnumerable<double> values) => values.Select(v => Math.Round(v, 12));

    [Fact]
    public void Running_trials_count_as_bad_and_pruned_ones_rank_by_how_far_they_got()
    {
        Trial T(int n, TrialState state, double? value, params double[] steps) => new()
        {
            Id = n, Number = n, State = state, Value = value, Params = new Dictionary<string, object> { ["x1"] = 1.0 },
            Intermediate = new SortedDictionary<int, double>(steps.Select((v, i) => (i + 1, v)).ToDictionary(p
                => p.Item1, p => p.v)),
        };
        var trials = new List<Trial>
        {
            T(0, TrialState.Complete, 5), T(1, TrialState.Complete, 1), T(2, TrialState.Running, null),
            T(3, TrialState.Pruned, null, 9, 8, 7), T(4, TrialState.Pruned, null, 0.5),
        };
        var (below, above) = TpeSampler.Split(trials, 3, StudyDirection.Minimize);
        Assert.Equal([0, 1, 3], below.Select(t => t.Number));
        Assert.Equal([2, 4], above.Select(t => t.Number));
    }

    [Fact]
    public void Complete_trials_with_equal_values_rank_by_their_last_reported_value()
    {
        // Every trial of a CTC study on the blank plateau ends at sequence accuracy 0; the character accuracy it
        // reported last tells the nearer ones apart. A trial that reported nothing ranks last among its equals.
        Trial T(int n, double value, params double[] steps) => new()
        {
            Id = n, Number = n, State = TrialState.Complete, Value = value,
            Params = new Dictionary<string, object> { ["x1"] = 1.0 },
            Intermediate = new SortedDictionary<int, double>(steps.Select((v, i) => (i + 1, v)).ToDictionary(p
                => p.Item1, p => p.v)),
        };
        var trials = new List<Trial> { T(0, 0, 0.9, 0.01), T(1, 0), T(2, 0, 0.1, 0.2), T(3, 0, 0.05), T(4, 0.5, 0) };

        var (below, above) = TpeSampler.Split(trials, 3, StudyDirection.Maximize);
        Assert.Equal([2, 3, 4], below.Select(t => t.Number));
        Assert.Equal([0, 1], above.Select(t => t.Number));
        (below, _) = TpeSampler.Split(trials, 2, StudyDirection.Minimize);
        Assert.Equal([0, 3], below.Select(t => t.Number));
    }

    [Fact]
    public void Without_the_constant_liar_running_trials_do_not_move_a_suggestion()
    {
        // Twelve finished trials give a suggestion; three workers are already running exactly that point. With the
        // liar those count as above and the next worker is pushed elsewhere; without it, it gets the same point.
        var finished = Study(new TpeSampler(3), 12, Branin);
        var none = new Dictionary<string, object>();
        IReadOnlyDictionary<string, object> Next(TpeSampler sampler, List<Trial> trials) =>
            sampler.Sample(Branin, StudyDirection.Minimize, trials, 15, none);
        var alone = Next(new TpeSampler(9), finished);
        var running = Enumerable.Range(12, 3).Select(n => new Trial { Id = n, Number = n,
            State = TrialState.Running, Params = alone }).ToList();

        Assert.Equal(alone, Next(new TpeSampler(9) { ConstantLiar = false }, [.. finished, .. running]));
        Assert.NotEqual(alone, Next(new TpeSampler(9), [.. finished, .. running]));
    }

    [Fact]
    public void The_benchmark_samples_each_trial_while_the_previous_workers_minus_one_still_run()
    {
        var seen = new List<(int Running, int Complete)>();
        var recorder = new Recorder(trials => seen.Add((trials.Count(t => t.State == TrialState.Running),
            trials.Count(t => t.State == TrialState.Complete && t.Value is not null))));

        SamplerBenchmark.BestValue(BenchmarkFunction.Branin, recorder, 8, workers: 3);

        Assert.Equal([(0, 0), (1, 0), (2, 0), (2, 1), (2, 2), (2, 3), (2, 4), (2, 5)], seen);
        seen.Clear();
        SamplerBenchmark.BestValue(BenchmarkFunction.Branin, recorder, 3, workers: 1);
        Assert.Equal([(0, 0), (0, 1), (0, 2)], seen);
    }

    private sealed class Recorder(Action<IReadOnlyList<Trial>> see) : ISampler
    {
        private readonly RandomSampler _random = new(1);

        public IReadOnlyDictionary<string, object> Sample(SearchSpace space, StudyDirection direction,
            IReadOnlyList<Trial> trials, int number, IReadOnlyDictionary<string, object> fixedValues)
        {
            see(trials);
            return _random.Sample(space, direction, trials, number, fixedValues);
        }
    }
}

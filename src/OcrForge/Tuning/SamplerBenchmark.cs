namespace OcrForge.Tuning;

/// <summary>The best value one sampler reached on one function, per seed, with its quartiles over the seeds.</summary>
public sealed record SamplerQuality(string Function, string Sampler, int Trials, IReadOnlyList<int> Seeds,
    IReadOnlyList<double> Best, double Minimum, int Workers = 1)
{
    public double Median => SamplerBenchmark.Quantile(Best, 0.5);
    public double Q1 => SamplerBenchmark.Quantile(Best, 0.25);
    public double Q3 => SamplerBenchmark.Quantile(Best, 0.75);
}

/// <summary>
/// Search quality, cheap and many: each sampler minimises each <see cref="BenchmarkFunction"/> for a trial budget,
/// once per seed, and the best value found is kept. The study lives in memory; each trial is sampled from the
/// study's trials exactly as a worker would from its storage. With one worker no trial is running while another is
/// sampled. With W workers (trials of equal duration, started in turn) trial n is sampled while trials n − W + 1 …
/// n − 1 are still running, and trial n − W + 1 finishes just after: what W processes on one study see, made
/// deterministic, so that the constant liar has running trials to act on.
/// </summary>
public static class SamplerBenchmark
{
    /// <summary>The samplers it compares: <see cref="Samplers.Create"/>'s, and <c>tpe-no-liar</c> (TPE that ignores
    /// running trials) to measure what the constant liar buys.</summary>
    public static ISampler Create(string name, int seed) => name switch
    {
        "tpe-no-liar" => new TpeSampler(seed) { ConstantLiar = false },
        "tpe" or "random" => Samplers.Create(name, seed),
        _ => throw new Inference.OcrForgeException($"--sampler {name}: expected tpe, tpe-no-liar or random"),
    };

    /// <summary>The best value <paramref name="sampler"/> finds on <paramref name="function"/> in
    /// <paramref name="trials"/> trials run by <paramref name="workers"/> simulated workers.</summary>
    public static double BestValue(BenchmarkFunction function, ISampler sampler, int trials, int workers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var history = new List<Trial>(trials);
        var running = new Queue<(int Index, double Value)>();
        var none = new Dictionary<string, object>();
        double best = double.PositiveInfinity;
        for (int n = 0; n < trials; n++)
        {
            var values = sampler.Sample(function.Space, StudyDirection.Minimize, history, n, none);
            double value = function.Evaluate(values);
            best = Math.Min(best, value);
            history.Add(new Trial { Id = n, Number = n, State = TrialState.Running, Params = values });
            running.Enqueue((n, value));
            if (running.Count == workers) Finish(running.Dequeue());
        }
        return best;

        void Finish((int Index, double Value) done) =>
            history[done.Index] = history[done.Index] with { State = TrialState.Complete, Value = done.Value };
    }

    /// <param name="samplers">Names for <see cref="Samplers.Create"/>.</param>
    /// <param name="seeds">Seeds firstSeed, firstSeed + 1, …: one study per seed, function and sampler.</param>
    /// <param name="workers">Simulated concurrent workers (see the class).</param>
    public static IReadOnlyList<SamplerQuality> Run(IEnumerable<BenchmarkFunction> functions,
        IEnumerable<string> samplers, int seeds, int trials, int firstSeed = 0, IProgress<SamplerQuality>? progress
        = null, int workers = 1)
    {
        if (seeds < 1) throw new Inference.OcrForgeException($"--seeds {seeds}: expected at least 1");
        if (trials < 1) throw new Inference.OcrForgeException($"--trials {trials}: expected at least 1");
        if (workers < 1) throw new Inference.OcrForgeException($"--workers {workers}: expected at least 1");
        var names = samplers.ToList();
        foreach (var name in names) Create(name, 0);
        var seedList = Enumerable.Range(firstSeed, seeds).ToList();
        var results = new List<SamplerQuality>();
        foreach (var function in functions)
            foreach (var name in names)
            {
                var best = seedList.Select(s => BestValue(function, Create(name, s), trials, workers)).ToList();
                var quality = new SamplerQuality(function.Name, name, trials, seedList, best, function.Minimum,
                    workers);
                results.Add(quality);
                progress?.Report(quality);
            }
        return results;
    }

    /// <summary>The q-quantile with linear interpolation between order statistics (numpy's default), so the
    /// Optuna side of bench/tpe-quality.sh summarises its seeds the same way.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}

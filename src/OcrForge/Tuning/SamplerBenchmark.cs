namespace OcrForge.Tuning;

/// <summary>The best value one sampler reached on one function, per seed, with its quartiles over the seeds.</summary>
public sealed record SamplerQuality(string Function, string Sampler, int Trials, IReadOnlyList<int> Seeds,
    IReadOnlyList<double> Best, double Minimum)
{
    public double Median => SamplerBenchmark.Quantile(Best, 0.5);
    public double Q1 => SamplerBenchmark.Quantile(Best, 0.25);
    public double Q3 => SamplerBenchmark.Quantile(Best, 0.75);
}

/// <summary>
/// Search quality, cheap and many: each sampler minimises each <see cref="BenchmarkFunction"/> for a trial budget,
/// once per seed, and the best value found is kept. The study lives in memory and runs one trial at a time (a single
/// worker: no trial is ever running while another is sampled, so the constant liar has nothing to act on); each
/// trial is sampled from all the finished ones exactly as a worker would from its storage.
/// </summary>
public static class SamplerBenchmark
{
    /// <summary>The best value <paramref name="sampler"/> finds on <paramref name="function"/> in
    /// <paramref name="trials"/> trials.</summary>
    public static double BestValue(BenchmarkFunction function, ISampler sampler, int trials)
    {
        var history = new List<Trial>(trials);
        var none = new Dictionary<string, object>();
        double best = double.PositiveInfinity;
        for (int n = 0; n < trials; n++)
        {
            var values = sampler.Sample(function.Space, StudyDirection.Minimize, history, n, none);
            double value = function.Evaluate(values);
            best = Math.Min(best, value);
            history.Add(new Trial { Id = n, Number = n, State = TrialState.Complete, Params = values, Value = value });
        }
        return best;
    }

    /// <param name="samplers">Names for <see cref="Samplers.Create"/>.</param>
    /// <param name="seeds">Seeds firstSeed, firstSeed + 1, …: one study per seed, function and sampler.</param>
    public static IReadOnlyList<SamplerQuality> Run(IEnumerable<BenchmarkFunction> functions,
        IEnumerable<string> samplers, int seeds, int trials, int firstSeed = 0, IProgress<SamplerQuality>? progress
        = null)
    {
        if (seeds < 1) throw new Inference.OcrForgeException($"--seeds {seeds}: expected at least 1");
        if (trials < 1) throw new Inference.OcrForgeException($"--trials {trials}: expected at least 1");
        var names = samplers.ToList();
        foreach (var name in names) Samplers.Create(name, 0);
        var seedList = Enumerable.Range(firstSeed, seeds).ToList();
        var results = new List<SamplerQuality>();
        foreach (var function in functions)
            foreach (var name in names)
            {
                var best = seedList.Select(s => BestValue(function, Samplers.Create(name, s), trials)).ToList();
                var quality = new SamplerQuality(function.Name, name, trials, seedList, best, function.Minimum);
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

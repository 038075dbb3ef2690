using OcrForge.Training;

namespace OcrForge.Tuning;

/// <summary>
/// K-fold cross-validation for the training objectives: small sets give noisy single-split values (on a 100-image
/// validation split one image is one point), so a trial can instead train K times, each fold held out once, and
/// count the mean with its standard error.
/// </summary>
public static class CrossValidation
{
    public const int MaxFolds = 20;

    /// <summary>
    /// The held-out indices of each of <paramref name="k"/> folds over <paramref name="groups"/>.Count items: a
    /// seeded shuffle dealt round-robin, within each group (class) in turn so every fold gets its share of each
    /// class. Fold sizes differ by at most one per group.
    /// </summary>
    public static IReadOnlyList<int[]> Folds(IReadOnlyList<string> groups, int k, int seed)
    {
        if (k < 2 || k > MaxFolds) throw new Inference.OcrForgeException($"--cv {k}: expected 2 to {MaxFolds} folds (1 = off)");
        if (groups.Count < k) throw new Inference.OcrForgeException($"--cv {k}: {groups.Count} images are too few for {k} folds");
        var rng = new Random(seed);
        var folds = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        int next = 0;
        foreach (var group in Enumerable.Range(0, groups.Count).GroupBy(i => groups[i], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            rng.Shuffle(members);
            // Continuing the deal where the last group ended keeps the folds' sizes within one of each other.
            foreach (int i in members) folds[next++ % k].Add(i);
        }
        return [.. folds.Select(f => f.Order().ToArray())];
    }

    /// <summary>Mean and standard error of the mean (sample standard deviation / √n).</summary>
    public static (double Mean, double StandardError) Summarise(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : 0;
        return (mean, Math.Sqrt(variance / values.Count));
    }

    /// <summary>
    /// Reports, after epoch e of fold f, the mean validation accuracy at epoch e over folds 0…f (a fold that stopped
    /// early counts with its last value): the pruner sees the first fold's curve, then ever better estimates, and the
    /// stored curve ends as the mean over all folds.
    /// </summary>
    public sealed class FoldReporter(ITrialReporter reporter) : IProgress<TrainingProgress>
    {
        private readonly List<List<double>> _folds = [[]];

        public void NextFold() => _folds.Add([]);

        public void Report(TrainingProgress value)
        {
            if (value.Finished is not { } epoch) return;
            var current = _folds[^1];
            while (current.Count < epoch.Epoch) current.Add(epoch.ValidationAccuracy);
            current[epoch.Epoch - 1] = epoch.ValidationAccuracy;
            double mean = _folds.Average(f => f.Count == 0 ? 0 : f[Math.Min(epoch.Epoch, f.Count) - 1]);
            reporter.Report(epoch.Epoch, mean);
        }
    }
}

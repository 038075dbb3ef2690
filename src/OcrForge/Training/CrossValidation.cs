using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training.Classification;

namespace OcrForge.Training;

/// <summary>The cross-validated estimate of one configuration: the mean of the folds' kept-epoch validation
/// accuracies, its standard error, and each fold's value and kept epoch.</summary>
public sealed record CrossValidationResult(double Mean, double StandardError, IReadOnlyList<double> Folds,
    IReadOnlyList<int> BestEpochs, int Images);

/// <summary>
/// K-fold cross-validation of one training configuration, shared by the tuning objectives (<c>tune run --cv</c>) and
/// <see cref="Runs.CrossValidate"/> (<c>train --cv</c>), so both give the same value: small sets give noisy
/// single-split values (on a 100-image validation split one image is one point), so the configuration instead trains
/// K times, each fold of the training and validation images held out once, and counts the mean with its standard
/// error.
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
        if (k < 2 || k > MaxFolds) throw new OcrForgeException($"--cv {k}: expected 2 to {MaxFolds} folds (1 = off)");
        if (groups.Count < k) throw new OcrForgeException($"--cv {k}: {groups.Count} images are too few for {k} folds");
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
    /// A CTC configuration over <paramref name="k"/> folds of the training and validation images (text lines: not
    /// stratified; folds seeded by <see cref="TrainingOptions.Seed"/>), each fold standardised with its own training
    /// part.
    /// </summary>
    /// <param name="nextFold">Called after each fold (a tuning trial's reporter starts the next curve).</param>
    public static CrossValidationResult Ctc(CtcData data, CrnnConfig config, string preset,
        IReadOnlyList<KeyValuePair<string, string>> overrides, TrainingOptions options, int k,
        IProgress<TrainingProgress>? progress = null, Action? nextFold = null,
        CancellationToken cancellationToken = default)
    {
        List<Sample> all = [.. data.Train, .. data.Validation];
        return Run(all, _ => "", k, options.Seed, (train, held) =>
        {
            var fold = data with { Train = train, Validation = held, Spec = CtcTraining.Standardize(train, config) };
            var (model, result) = CtcTraining.Fit(fold, config, preset, overrides, options, progress,
                cancellationToken);
            model.Dispose();
            return result;
        }, nextFold);
    }

    /// <summary>A supervised classifier configuration over <paramref name="k"/> folds of the training and validation
    /// images (stratified by class; the test part stays aside).</summary>
    public static CrossValidationResult Classify(PreparedCharacters data, CnnConfig config, string preset,
        IReadOnlyList<KeyValuePair<string, string>> overrides, TrainingOptions options, ClassificationRecipe recipe,
        int k, IProgress<TrainingProgress>? progress = null, Action? nextFold = null,
        CancellationToken cancellationToken = default)
    {
        List<LabeledImage> all = [.. data.Split.Train, .. data.Split.Validation];
        return Run(all, i => i.Class.ToString(CultureInfo.InvariantCulture), k, options.Seed, (train, held) =>
        {
            var fold = data with { Split = data.Split with { Train = train, Validation = held } };
            var (model, result) = CharacterTraining.Fit(fold, config, preset, overrides, options, recipe, progress,
                cancellationToken);
            model.Dispose();
            return result;
        }, nextFold);
    }

    private static CrossValidationResult Run<T>(List<T> all, Func<T, string> group, int k, int seed,
        Func<List<T>, List<T>, TrainingResult> fit, Action? nextFold)
    {
        var folds = Folds([.. all.Select(group)], k, seed);
        var values = new List<double>();
        var epochs = new List<int>();
        foreach (var held in folds)
        {
            var heldOut = held.ToHashSet();
            var result = fit([.. all.Where((_, i) => !heldOut.Contains(i))], [.. held.Select(i => all[i])]);
            values.Add(result.Best.ValidationAccuracy);
            epochs.Add(result.BestEpoch);
            nextFold?.Invoke();
        }
        var (mean, standardError) = Summarise(values);
        return new CrossValidationResult(mean, standardError, values, epochs, all.Count);
    }
}

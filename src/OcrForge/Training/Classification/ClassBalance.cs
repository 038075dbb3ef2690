namespace OcrForge.Training.Classification;

/// <summary>
/// Counter-measures for skewed classes (Chars74K GoodImg has 28 to 478 images per class): loss weights inversely
/// proportional to class frequency, or a sampler that draws every class equally often.
/// </summary>
public static class ClassBalance
{
    public static int[] Counts(IReadOnlyList<int> classes, int classCount)
    {
        var counts = new int[classCount];
        foreach (var c in classes) counts[c]++;
        return counts;
    }

    /// <summary>
    /// w_c = N / (K · n_c) (scikit-learn's "balanced"): the weights average to 1 over the samples, so the loss scale
    /// and the learning rate keep their meaning. A class absent from the data gets weight 0.
    /// </summary>
    public static float[] InverseFrequencyWeights(IReadOnlyList<int> classes, int classCount)
    {
        var counts = Counts(classes, classCount);
        int present = counts.Count(n => n > 0);
        return counts.Select(n => n == 0 ? 0f : (float)classes.Count / (present * n)).ToArray();
    }
}

/// <summary>
/// Draws an epoch of sample indices with replacement so that every class is equally likely (then uniform within the
/// class).
/// Seeded: the same seed and epoch give the same indices.
/// </summary>
public sealed class BalancedSampler
{
    private readonly int[][] _byClass;

    public BalancedSampler(IReadOnlyList<int> classes)
    {
        _byClass = classes.Select((c, i) => (c, i)).GroupBy(x => x.c).OrderBy(g => g.Key)
            .Select(g => g.Select(x => x.i).ToArray()).ToArray();
        Count = classes.Count;
    }

    public int Count { get; }

    /// <summary>One sample index: a class uniformly, then a sample of it uniformly.</summary>
    public int Draw(Random rng)
    {
        var group = _byClass[rng.Next(_byClass.Length)];
        return group[rng.Next(group.Length)];
    }

    public int[] Epoch(Random rng, int draws) => Enumerable.Range(0, draws).Select(_ => Draw(rng)).ToArray();
}

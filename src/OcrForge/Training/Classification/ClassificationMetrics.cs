namespace OcrForge.Training.Classification;

/// <summary>Precision and recall of one class; NaN where undefined (never predicted, or absent from the
/// data).</summary>
public sealed record ClassScores(string Label, int Support, int Predicted, double Precision, double Recall);

/// <summary>
/// Accumulates classifier outputs into accuracy, top-k accuracy, per-class precision/recall and a confusion matrix
/// (rows = true class, columns = predicted class, in charset order). Feed it logits or probabilities: only their
/// ranking is used.
/// </summary>
public sealed class ClassificationMetrics
{
    private readonly long[,] _confusion;
    private int _top3Hits;

    public ClassificationMetrics(IReadOnlyList<string> labels)
    {
        Labels = labels;
        _confusion = new long[labels.Count, labels.Count];
    }

    public IReadOnlyList<string> Labels { get; }
    public int Samples { get; private set; }
    public int Correct { get; private set; }

    public double Accuracy => Samples == 0 ? double.NaN : (double)Correct / Samples;
    public double Top3Accuracy => Samples == 0 ? double.NaN : (double)_top3Hits / Samples;

    /// <summary>Adds one sample: its true class and the model's scores for every class.</summary>
    public void Add(int truth, ReadOnlySpan<float> scores)
    {
        if (scores.Length != Labels.Count)
            throw new ArgumentException($"expected {Labels.Count} scores, got {scores.Length}", nameof(scores));
        if ((uint)truth >= (uint)Labels.Count) throw new ArgumentOutOfRangeException(nameof(truth));
        int predicted = 0;
        for (int c = 1; c < scores.Length; c++)
            if (scores[c] > scores[predicted]) predicted = c;
        // The truth is in the top 3 when fewer than 3 classes score strictly higher.
        int higher = 0;
        for (int c = 0; c < scores.Length; c++)
            if (scores[c] > scores[truth]) higher++;
        _confusion[truth, predicted]++;
        Samples++;
        if (predicted == truth) Correct++;
        if (higher < 3) _top3Hits++;
    }

    /// <summary>Adds a batch of row-major scores [N, classes].</summary>
    public void AddBatch(ReadOnlySpan<int> truths, ReadOnlySpan<float> scores)
    {
        int k = Labels.Count;
        for (int n = 0; n < truths.Length; n++) Add(truths[n], scores.Slice(n * k, k));
    }

    /// <summary>Counts [true, predicted]; a copy.</summary>
    public long[,] ConfusionMatrix => (long[,])_confusion.Clone();

    public IReadOnlyList<ClassScores> PerClass()
    {
        int k = Labels.Count;
        var result = new ClassScores[k];
        for (int c = 0; c < k; c++)
        {
            long support = 0, predicted = 0;
            for (int j = 0; j < k; j++) { support += _confusion[c, j]; predicted += _confusion[j, c]; }
            long hit = _confusion[c, c];
            result[c] = new ClassScores(Labels[c], (int)support, (int)predicted,
                predicted == 0 ? double.NaN : (double)hit / predicted,
                support == 0 ? double.NaN : (double)hit / support);
        }
        return result;
    }

    /// <summary>The most frequent mistakes, as (true, predicted, count), largest first.</summary>
    public IReadOnlyList<(string Truth, string Predicted, long Count)> TopConfusions(int count)
    {
        var list = new List<(string, string, long)>();
        for (int t = 0; t < Labels.Count; t++)
            for (int p = 0; p < Labels.Count; p++)
                if (t != p && _confusion[t, p] > 0) list.Add((Labels[t], Labels[p], _confusion[t, p]));
        return list.OrderByDescending(x => x.Item3).ThenBy(x => x.Item1, StringComparer.Ordinal).Take(count).ToList();
    }
}

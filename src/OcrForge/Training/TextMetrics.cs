using OcrForge.Inference;

namespace OcrForge.Training;

/// <summary>
/// Accuracy of predicted text against the truth, accumulated over a set:
/// sequence accuracy = whole texts exactly right; character accuracy = reference symbols matched at the same
/// position (the captcha literature's per-character figure); CER = edit distance / reference length (insertions,
/// deletions and substitutions, so a shifted or extra symbol counts once rather than at every later position).
/// </summary>
public sealed class TextMetrics
{
    private int _samples, _exact, _symbols, _positionMatches, _edits;

    public void Add(string predicted, string truth)
    {
        var p = predicted.EnumerateSymbols().ToArray();
        var t = truth.EnumerateSymbols().ToArray();
        _samples++;
        if (p.AsSpan().SequenceEqual(t)) _exact++;
        _symbols += t.Length;
        for (int i = 0; i < Math.Min(p.Length, t.Length); i++) if (p[i] == t[i]) _positionMatches++;
        _edits += EditDistance(p, t);
    }

    public int Samples => _samples;
    public double SequenceAccuracy => _samples == 0 ? 0 : (double)_exact / _samples;
    public double CharacterAccuracy => _symbols == 0 ? 0 : (double)_positionMatches / _symbols;
    public double Cer => _symbols == 0 ? 0 : (double)_edits / _symbols;

    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["sequence_accuracy"] = SequenceAccuracy,
        ["character_accuracy"] = CharacterAccuracy,
        ["cer"] = Cer,
    };

    /// <summary>Levenshtein distance with unit costs, two rows of memory.</summary>
    public static int EditDistance<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int j = 0; j <= b.Count; j++) previous[j] = j;
        for (int i = 1; i <= a.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Count; j++)
            {
                int substitute = previous[j - 1] + (EqualityComparer<T>.Default.Equals(a[i - 1], b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}

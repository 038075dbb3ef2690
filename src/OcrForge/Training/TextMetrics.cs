using OcrForge.Inference;

namespace OcrForge.Training;

/// <summary>
/// Accuracy of predicted text against the truth, accumulated over a set:
/// sequence accuracy = whole texts exactly right; character accuracy = reference symbols matched at the same
/// position (the captcha literature's per-character figure); CER = edit distance / reference length (insertions,
/// deletions and substitutions, so a shifted or extra symbol counts once rather than at every later position);
/// WER = the same over words (whitespace-separated), for text lines. The symbol edits of each pair are also
/// counted by kind (<see cref="TopConfusions"/>), which shows what a model confuses: 'l'→'1', a dropped 'i'.
/// </summary>
public sealed class TextMetrics
{
    private int _samples, _exact, _symbols, _positionMatches, _edits, _words, _wordEdits;
    private readonly Dictionary<(string Expected, string Predicted), int> _confusions = [];

    public void Add(string predicted, string truth)
    {
        var p = predicted.EnumerateSymbols().ToArray();
        var t = truth.EnumerateSymbols().ToArray();
        _samples++;
        if (p.AsSpan().SequenceEqual(t)) _exact++;
        _symbols += t.Length;
        for (int i = 0; i < Math.Min(p.Length, t.Length); i++) if (p[i] == t[i]) _positionMatches++;
        _edits += EditDistance(p, t);
        var predictedWords = Words(predicted);
        var truthWords = Words(truth);
        _words += truthWords.Length;
        _wordEdits += EditDistance(predictedWords, truthWords);
        foreach (var edit in EditAlignment(t, p))
            if (edit.Expected != edit.Predicted) _confusions[edit] = _confusions.GetValueOrDefault(edit) + 1;
    }

    public int Samples => _samples;
    public double SequenceAccuracy => _samples == 0 ? 0 : (double)_exact / _samples;
    public double CharacterAccuracy => _symbols == 0 ? 0 : (double)_positionMatches / _symbols;
    public double Cer => _symbols == 0 ? 0 : (double)_edits / _symbols;
    public double Wer => _words == 0 ? 0 : (double)_wordEdits / _words;

    /// <summary>The <paramref name="count"/> most frequent symbol edits over the set, most frequent first (ties in
    /// ordinal order).</summary>
    public IReadOnlyList<Confusion> TopConfusions(int count) =>
        _confusions.OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key.Expected, StringComparer.Ordinal)
            .ThenBy(kv => kv.Key.Predicted, StringComparer.Ordinal)
            .Take(count)
            .Select(kv => new Confusion(kv.Key.Expected, kv.Key.Predicted, kv.Value))
            .ToList();

    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["sequence_accuracy"] = SequenceAccuracy,
        ["character_accuracy"] = CharacterAccuracy,
        ["cer"] = Cer,
    };

    /// <summary>
    /// One cheapest edit script turning <paramref name="expected"/> into <paramref name="predicted"/>, as aligned
    /// pairs: equal symbols are matches, "" as Predicted a deletion, "" as Expected an insertion. Among scripts of
    /// equal cost the one with substitutions latest, then deletions, is chosen, so the pairs are deterministic.
    /// </summary>
    public static IReadOnlyList<(string Expected, string Predicted)> EditAlignment(IReadOnlyList<string> expected,
        IReadOnlyList<string> predicted)
    {
        int n = expected.Count, m = predicted.Count;
        var cost = new int[n + 1, m + 1];
        for (int i = 0; i <= n; i++) cost[i, 0] = i;
        for (int j = 0; j <= m; j++) cost[0, j] = j;
        for (int i = 1; i <= n; i++)
            for (int j = 1; j <= m; j++)
                cost[i, j] = Math.Min(cost[i - 1, j - 1] + (expected[i - 1] == predicted[j - 1] ? 0 : 1),
                    Math.Min(cost[i - 1, j] + 1, cost[i, j - 1] + 1));
        var pairs = new List<(string, string)>(Math.Max(n, m));
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            if (i > 0 && j > 0 && cost[i, j] == cost[i - 1, j - 1] + (expected[i - 1] == predicted[j - 1] ? 0 : 1))
                pairs.Add((expected[--i], predicted[--j]));
            else if (i > 0 && cost[i, j] == cost[i - 1, j] + 1)
                pairs.Add((expected[--i], ""));
            else
                pairs.Add(("", predicted[--j]));
        }
        pairs.Reverse();
        return pairs;
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

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

/// <summary>
/// A symbol edit and how often it occurred: a substitution, a deletion (<see cref="Predicted"/> empty: the model
/// missed the symbol) or an insertion (<see cref="Expected"/> empty: the model read a symbol that is not there).
/// </summary>
public sealed record Confusion(
    [property: System.Text.Json.Serialization.JsonPropertyName("expected")] string Expected,
    [property: System.Text.Json.Serialization.JsonPropertyName("predicted")] string Predicted,
    [property: System.Text.Json.Serialization.JsonPropertyName("count")] int Count)
{
    /// <summary>'l'→'1' 12; ∅ stands for the missing side of a deletion or an insertion.</summary>
    public override string ToString() => $"{Quote(Expected)}→{Quote(Predicted)} {Count}";

    private static string Quote(string symbol) => symbol.Length == 0 ? "∅" : $"'{symbol}'";
}

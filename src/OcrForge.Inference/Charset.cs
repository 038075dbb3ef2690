namespace OcrForge.Inference;

/// <summary>
/// The symbols a model can emit. Class index 0 is reserved for the CTC blank (and unused by classifiers' heads only
/// when <see cref="HasBlank"/> is false), so symbol i of <see cref="Symbols"/> is class i + 1 for CTC models.
/// Keeping that offset in one place is what prevents the classic off-by-one between vocabulary and blank.
/// </summary>
public sealed class Charset
{
    public const int BlankIndex = 0;

    private readonly Dictionary<string, int> _index;

    public Charset(IEnumerable<string> symbols, bool hasBlank)
    {
        Symbols = symbols.ToArray();
        HasBlank = hasBlank;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Symbols.Count; i++)
        {
            if (Symbols[i].Length == 0) throw new ArgumentException("empty symbol in charset");
            if (!_index.TryAdd(Symbols[i], i))
                throw new ArgumentException($"duplicate symbol '{Symbols[i]}' in charset");
        }
    }

    /// <summary>Charset of single characters, sorted ordinally (as a Python <c>sorted(set(...))</c> would).</summary>
    public static Charset FromLabels(IEnumerable<string> labels, bool hasBlank) =>
        new(labels.SelectMany(l => l.EnumerateSymbols()).Distinct().OrderBy(s => s, StringComparer.Ordinal), hasBlank);

    public IReadOnlyList<string> Symbols { get; }
    public bool HasBlank { get; }

    /// <summary>Number of output classes of a model head: symbols plus the blank for CTC models.</summary>
    public int ClassCount => Symbols.Count + (HasBlank ? 1 : 0);

    public int ClassOf(string symbol) =>
        _index.TryGetValue(symbol, out int i) ? i + (HasBlank ? 1 : 0)
            : throw new KeyNotFoundException($"symbol '{symbol}' is not in the charset");

    public bool Contains(string symbol) => _index.ContainsKey(symbol);

    public string SymbolOf(int classIndex)
    {
        int i = classIndex - (HasBlank ? 1 : 0);
        if (HasBlank && classIndex == BlankIndex)
            throw new ArgumentOutOfRangeException(nameof(classIndex), "the blank has no symbol");
        if (i < 0 || i >= Symbols.Count) throw new ArgumentOutOfRangeException(nameof(classIndex));
        return Symbols[i];
    }

    /// <summary>Class indices of a text label, one per symbol. Throws naming the first symbol outside the
    /// charset.</summary>
    public int[] Encode(string text)
    {
        var result = new List<int>(text.Length);
        foreach (var s in text.EnumerateSymbols())
        {
            if (!_index.TryGetValue(s, out int i))
                throw new OcrForgeException(
                    $"label '{text}' has symbol '{s}' outside the charset \"{string.Concat(Symbols)}\"");
            result.Add(i + (HasBlank ? 1 : 0));
        }
        return result.ToArray();
    }

    public string Decode(IEnumerable<int> classes) => string.Concat(classes.Select(SymbolOf));

    public override string ToString() => string.Concat(Symbols);
}

public static class SymbolExtensions
{
    /// <summary>Text elements (user-perceived characters), so that a label with combining marks or emoji splits
    /// correctly.</summary>
    public static IEnumerable<string> EnumerateSymbols(this string text)
    {
        var e = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext()) yield return (string)e.Current;
    }
}

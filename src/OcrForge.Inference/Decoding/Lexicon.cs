using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OcrForge.Inference.Decoding;

/// <summary>
/// A word list as a trie over one model's class indices, for CTC decoding that requires or prefers known words
/// (<see cref="LexiconDecoder"/>). The trie is what keeps a 100k-word list cheap: a search only ever looks at the
/// children of the prefixes in its beam, never at the words themselves.
/// A word with a symbol the model cannot emit could never be read, so it is skipped and counted instead of failing
/// the whole list; the caller reports <see cref="Skipped"/> once.
/// With <see cref="IgnoreCase"/> (the default) letters match whatever their case: word lists spell most words in
/// lower case, while text capitalises them at a sentence's start and in titles, and upper-cases them in headings. The
/// trie then holds each word in its folded form (the lower-case symbol where the model has one) and
/// <see cref="Child"/> folds the class it is given, so "Paris", "PARIS" and "paris" are all the list's "paris".
/// </summary>
public sealed class Lexicon
{
    public const int Root = 0;

    // Flat trie: node n's children are positions _firstChild[n] .. _firstChild[n + 1] − 1 of _childClass/_childNode,
    // sorted by class (nodes are numbered in depth-first order of the sorted words, so that comes for free).
    private readonly int[] _firstChild;
    private readonly int[] _childClass;
    private readonly int[] _childNode;
    private readonly bool[] _isWord;
    // Model class → the class the trie stores for it (itself unless case is ignored), and back: every model class
    // that folds to a stored class.
    private readonly int[] _folded;
    private readonly int[][] _variants;

    private Lexicon(string source, Charset charset, bool ignoreCase, List<int[]> words, int skipped,
        string? firstSkipped)
    {
        Source = source;
        Charset = charset;
        IgnoreCase = ignoreCase;
        _folded = Enumerable.Range(0, charset.ClassCount)
            .Select(c => c == Charset.BlankIndex && charset.HasBlank ? c
                : charset.ClassOf(Fold(charset.SymbolOf(c), charset, ignoreCase)))
            .ToArray();
        _variants = Enumerable.Range(0, charset.ClassCount)
            .Select(k => Enumerable.Range(0, charset.ClassCount).Where(c => _folded[c] == k).ToArray()).ToArray();
        Skipped = skipped;
        FirstSkipped = firstSkipped;
        CollectionsMarshal.AsSpan(words).Sort(default(ClassOrder));

        // Insert the sorted words along the previous word's path: each new node is a child of a node on that path.
        var parent = new List<int> { -1 };
        var label = new List<int> { -1 };
        var isWord = new List<bool> { false };
        var path = new List<int> { Root };
        int[] previous = [];
        foreach (var word in words)
        {
            int shared = 0;
            while (shared < word.Length && shared < previous.Length && word[shared] == previous[shared]) shared++;
            if (shared == word.Length && word.Length == previous.Length) continue; // duplicate
            path.RemoveRange(shared + 1, path.Count - shared - 1);
            for (int i = shared; i < word.Length; i++)
            {
                parent.Add(path[^1]);
                label.Add(word[i]);
                isWord.Add(false);
                path.Add(parent.Count - 1);
            }
            isWord[path[^1]] = true;
            Count++;
            previous = word;
        }

        int nodes = parent.Count;
        _isWord = isWord.ToArray();
        _firstChild = new int[nodes + 1];
        for (int n = 1; n < nodes; n++) _firstChild[parent[n] + 1]++;
        for (int n = 0; n < nodes; n++) _firstChild[n + 1] += _firstChild[n];
        _childClass = new int[nodes - 1];
        _childNode = new int[nodes - 1];
        var fill = _firstChild[..nodes];
        for (int n = 1; n < nodes; n++)
        {
            int slot = fill[parent[n]]++;
            _childClass[slot] = label[n];
            _childNode[slot] = n;
        }
    }

    /// <summary>The file (or description) the words came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The model symbols the word classes refer to.</summary>
    public Charset Charset { get; }

    /// <summary>Whether a letter matches the list's word in either case.</summary>
    public bool IgnoreCase { get; }

    /// <summary>Distinct words kept.</summary>
    public int Count { get; }

    /// <summary>Entries dropped because a symbol is outside the model's charset (or the entry is not one
    /// word).</summary>
    public int Skipped { get; }

    /// <summary>The first skipped entry, to show the user an example.</summary>
    public string? FirstSkipped { get; }

    public int NodeCount => _isWord.Length;

    public bool IsWord(int node) => _isWord[node];

    /// <summary>The (folded) classes that continue the prefix at <paramref name="node"/>, ascending, and their
    /// nodes.</summary>
    public ReadOnlySpan<int> ChildClasses(int node) =>
        _childClass.AsSpan(_firstChild[node], _firstChild[node + 1] - _firstChild[node]);
    public ReadOnlySpan<int> ChildNodes(int node) =>
        _childNode.AsSpan(_firstChild[node], _firstChild[node + 1] - _firstChild[node]);

    /// <summary>The model classes that a stored (folded) class stands for: itself, and its other case when case is
    /// ignored.</summary>
    public ReadOnlySpan<int> Variants(int foldedClass) => _variants[foldedClass];

    /// <summary>The node reached from <paramref name="node"/> by the model class <paramref name="classIndex"/>, or
    /// −1 when no word continues that way.</summary>
    public int Child(int node, int classIndex)
    {
        int i = ChildClasses(node).BinarySearch(_folded[classIndex]);
        return i < 0 ? -1 : _childNode[_firstChild[node] + i];
    }

    /// <summary>Whether the class sequence is a word of the list.</summary>
    public bool Contains(ReadOnlySpan<int> classes)
    {
        int node = Root;
        foreach (int c in classes)
            if ((node = Child(node, c)) < 0) return false;
        return _isWord[node];
    }

    /// <summary>
    /// Words for a model with <paramref name="charset"/> (a CTC charset, with the blank). Entries are trimmed;
    /// empty ones are ignored; an entry with a space in it is skipped, because the space separates words. With
    /// <paramref name="ignoreCase"/> a word is kept when the model can write it in some case.
    /// </summary>
    public static Lexicon FromWords(IEnumerable<string> entries, Charset charset, string source = "word list",
        bool ignoreCase = true)
    {
        if (!charset.HasBlank)
            throw new ArgumentException("a lexicon is for CTC text models (a charset with the blank)",
                nameof(charset));
        var words = new List<int[]>();
        int skipped = 0;
        string? firstSkipped = null;
        // The stored class of each character below U+0300, found once: there, where combining marks have not begun,
        // every character is a symbol of its own, so most words need neither the grapheme enumerator nor a string per
        // symbol (a 100k-word list took half a second to read without this).
        var plain = new int[0x300];
        Array.Fill(plain, int.MinValue);
        foreach (var entry in entries)
        {
            var word = entry.Trim();
            if (word.Length == 0) continue;
            var classes = PlainClasses(word, plain, charset, ignoreCase) ?? Classes(word, charset, ignoreCase);
            if (classes is null)
            {
                skipped++;
                firstSkipped ??= word;
                continue;
            }
            words.Add(classes);
        }
        return new Lexicon(source, charset, ignoreCase, words, skipped, firstSkipped);
    }

    /// <summary>The stored classes of a word of characters below U+0300 (each its own symbol); null when the grapheme
    /// reading (<see cref="Classes"/>) must decide: a character from U+0300 on, a CR, or one the model cannot write on
    /// its own.</summary>
    private static int[]? PlainClasses(string word, int[] plain, Charset charset, bool ignoreCase)
    {
        var classes = new int[word.Length];
        for (int i = 0; i < word.Length; i++)
        {
            char ch = word[i];
            if (ch >= plain.Length || ch == '\r') return null; // "\r\n" is one symbol
            ref int stored = ref plain[ch];
            if (stored == int.MinValue) stored = StoredClass(ch.ToString(), charset, ignoreCase);
            if (stored < 0) return null;
            classes[i] = stored;
        }
        return classes;
    }

    /// <summary>A word's stored classes, symbol by symbol; null when the model cannot write one of them.</summary>
    private static int[]? Classes(string word, Charset charset, bool ignoreCase)
    {
        var classes = new List<int>();
        foreach (var symbol in word.EnumerateSymbols())
        {
            int stored = StoredClass(symbol, charset, ignoreCase);
            if (stored < 0) return null;
            classes.Add(stored);
        }
        return [.. classes];
    }

    /// <summary>The class the trie stores <paramref name="symbol"/> as (<see cref="Fold"/>), or −1 when the model
    /// cannot write it or it is white space.</summary>
    private static int StoredClass(string symbol, Charset charset, bool ignoreCase)
    {
        var folded = Fold(symbol, charset, ignoreCase);
        return charset.Contains(folded) && !string.IsNullOrWhiteSpace(folded) ? charset.ClassOf(folded) : -1;
    }

    /// <summary>The form the trie stores a symbol in: with <paramref name="ignoreCase"/>, its lower case when the
    /// model writes that, else its upper case when the model writes that (an upper-case-only charset).</summary>
    private static string Fold(string symbol, Charset charset, bool ignoreCase)
    {
        if (!ignoreCase) return symbol;
        string lower = symbol.ToLowerInvariant(), upper = symbol.ToUpperInvariant();
        return charset.Contains(lower) ? lower : charset.Contains(upper) ? upper : symbol;
    }

    /// <summary>
    /// Reads a word list, one word per line (UTF-8). A missing, unreadable or empty file, or one with no word the
    /// model can write, is a one-line error naming the file.
    /// </summary>
    public static Lexicon Load(string path, Charset charset, bool ignoreCase = true)
    {
        if (Directory.Exists(path)) throw new OcrForgeException($"{path}: is a folder, not a word list file");
        if (!File.Exists(path)) throw new OcrForgeException($"{path}: no such word list file");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OcrForgeException($"{path}: cannot read the word list ({e.Message})");
        }
        if (lines.All(string.IsNullOrWhiteSpace)) throw new OcrForgeException($"{path}: empty word list");
        var lexicon = FromWords(lines, charset, path, ignoreCase);
        if (lexicon.Count == 0)
            throw new OcrForgeException($"{path}: none of its {lexicon.Skipped} words can be written with the model's "
                + $"symbols \"{charset}\"");
        return lexicon;
    }

    /// <summary>Words in class order, a word before its continuations (as an ordinal sort of their symbols).</summary>
    private readonly struct ClassOrder : IComparer<int[]>
    {
        // Optimised from the first call: a list is sorted once per process, long before tiered compilation would
        // replace the first, slow code of a method called two million times.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Compare(int[]? a, int[]? b)
        {
            int n = Math.Min(a!.Length, b!.Length);
            for (int i = 0; i < n; i++)
                if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
            return a.Length.CompareTo(b.Length);
        }
    }
}

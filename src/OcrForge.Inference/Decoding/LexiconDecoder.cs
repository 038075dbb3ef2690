using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OcrForge.Inference.Decoding;

/// <summary>How a <see cref="Lexicon"/> shapes the decoded text.</summary>
public enum LexiconMode
{
    /// <summary>Only words of the list (separated by single spaces when the model can write a space).</summary>
    Only,

    /// <summary>Any text, but every complete word found in the list adds <see cref="LexiconOptions.Weight"/> to its log
    /// score. Words are the runs between spaces and punctuation (the apostrophe belongs to a word): "well-known,"
    /// can earn the bonus of "well" and of "known".</summary>
    Prior,
}

/// <summary>
/// Decoding with a word list. <paramref name="Weight"/> is a log-probability bonus per lexicon word in
/// <see cref="LexiconMode.Prior"/> mode: 4 lets a known word win over an unknown one the model finds up to e⁴ ≈ 55
/// times likelier, while an unknown string the model is sure of (a number, a price) still wins. The default was
/// chosen on a development set of synthetic words in held-out fonts (docs/RESULTS.md: 2 → 85.9 %, 3 → 86.9 %,
/// 4 → 87.7 %, 5 → 86.8 %, 6 → 85.0 %), not on the test set it is reported on.
/// </summary>
public sealed record LexiconOptions(Lexicon Lexicon, LexiconMode Mode = LexiconMode.Only,
    double Weight = LexiconOptions.DefaultWeight)
{
    public const double DefaultWeight = 4.0;

    public double Weight { get; init; } = double.IsFinite(Weight) && Weight >= 0 ? Weight
        : throw new ArgumentOutOfRangeException(nameof(Weight), Weight,
            "a lexicon weight is a log-probability bonus, finite and ≥ 0");
}

/// <summary>
/// CTC prefix beam search constrained or biased by a <see cref="Lexicon"/>; without one it is
/// <see cref="CtcDecoder.Beam"/>. Each prefix carries the probability of all alignments ending in a blank and of all
/// ending in its last symbol, so "book" needs a blank between the two o's and "bok" does not. A lexicon changes two
/// things: in <see cref="LexiconMode.Only"/> a prefix is extended only along the trie (and by a space after a complete
/// word), and prefixes are ranked by log probability plus the lexicon bonus of their complete words.
/// </summary>
public static class LexiconDecoder
{
    /// <summary>The beam a lexicon search uses when the caller asks for greedy decoding, which cannot follow a
    /// trie.</summary>
    public const int DefaultBeamWidth = 16;

    /// <summary>The symbol that separates words in a text line.</summary>
    public const string WordSeparator = " ";

    public static Prediction Decode(ReadOnlySpan<float> logProbs, int frames, int classes, Charset charset,
        LexiconOptions options, int beamWidth) =>
        PrefixBeamSearch(logProbs, frames, classes, charset, options, beamWidth);

    /// <summary>
    /// The prefix beam search itself, with a word list or (<paramref name="options"/> null) without one, which is
    /// <see cref="CtcDecoder.Beam"/>. Per frame, every prefix of the beam goes on by a blank, by repeating its last
    /// symbol, and by each of the frame's candidate symbols (<see cref="CtcDecoder.Candidates"/>) the lexicon allows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Prediction PrefixBeamSearch(ReadOnlySpan<float> logProbs, int frames, int classes,
        Charset charset, LexiconOptions? options, int beamWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        bool only = options?.Mode == LexiconMode.Only;
        var search = new Search(options, Separators(charset, only));

        var beams = new List<Beam> { new(0, 0.0, double.NegativeInfinity) };
        var next = new NextBeams();
        var candidates = new List<int>();
        var allowed = new bool[classes];
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            next.Clear();
            foreach (int c in candidates) allowed[c] = false;
            CtcDecoder.Candidates(row, candidates);
            foreach (int c in candidates) allowed[c] = true;
            foreach (var (prefix, pb, pnb) in beams)
            {
                double total = CtcDecoder.LogAdd(pb, pnb);
                // Blank: the prefix stays, and now ends in a blank.
                next.Add(prefix, total + row[Charset.BlankIndex], double.NegativeInfinity);
                // Repeating the last symbol merges with it: the prefix stays, whether or not the trie lets it grow.
                int last = search.Last(prefix);
                if (last >= 0) next.Add(prefix, double.NegativeInfinity, pnb + row[last]);
                // A new symbol; a second copy of the last one only after a blank.
                foreach (int c in search.Continuations(prefix, only, candidates, allowed))
                    next.Add(search.Extend(prefix, c), double.NegativeInfinity, (c == last ? pb : total) + row[c]);
            }
            beams = Prune(next, search, beamWidth, only);
        }

        // In "only" mode a line must end on a whole word; in prior mode any prefix is a text.
        var finished = beams.Where(b => !only || search.EndsOnWord(b.Prefix)).ToList();
        if (finished.Count == 0) return new Prediction("", 0); // no word of the list fits in this many frames
        var best = finished.MaxBy(b => CtcDecoder.LogAdd(b.Blank, b.NonBlank) + search.Bonus(b.Prefix)).Prefix;
        var symbols = search.Symbols(best);
        return new Prediction(charset.Decode(symbols), CtcDecoder.TextProbability(logProbs, frames, classes, symbols));
    }

    /// <summary>Per class, whether it ends a word: the space; in prior mode also any symbol with no letter or digit
    /// in it except the apostrophe, so that a word before a comma, after a bracket or in a hyphenated pair
    /// counts.</summary>
    private static bool[] Separators(Charset charset, bool only) =>
        Enumerable.Range(0, charset.ClassCount).Select(c =>
        {
            if (c == Charset.BlankIndex) return false;
            string symbol = charset.SymbolOf(c);
            return symbol == WordSeparator
                || (!only && !symbol.Any(char.IsLetterOrDigit) && symbol is not ("'" or "\u2019"));
        }).ToArray();

    /// <summary>A prefix of the beam: the probability of its alignments ending in a blank and in its last
    /// symbol.</summary>
    private readonly record struct Beam(int Prefix, double Blank, double NonBlank);

    /// <summary>The next frame's prefixes in the order they were first reached (which breaks ties between equal
    /// scores, as a stable sort would), each found by one hash lookup.</summary>
    private sealed class NextBeams
    {
        private readonly Dictionary<int, int> _index = [];
        public readonly List<Beam> Beams = [];

        public void Clear()
        {
            _index.Clear();
            Beams.Clear();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(int prefix, double blank, double nonBlank)
        {
            if (double.IsNegativeInfinity(blank) && double.IsNegativeInfinity(nonBlank)) return;
            ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, prefix, out bool exists);
            if (!exists)
            {
                slot = Beams.Count;
                Beams.Add(new Beam(prefix, blank, nonBlank));
                return;
            }
            ref var beam = ref CollectionsMarshal.AsSpan(Beams)[slot];
            beam = beam with
            {
                Blank = CtcDecoder.LogAdd(beam.Blank, blank), NonBlank = CtcDecoder.LogAdd(beam.NonBlank, nonBlank),
            };
        }
    }

    /// <summary>
    /// The best <paramref name="beamWidth"/> prefixes by score. In "only" mode the best prefixes that end on a
    /// whole word are kept too, and the best prefix of every length: a beam full of short, likely prefixes (a
    /// model that mostly sees blanks) must still grow some prefix into a whole word to answer with.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<Beam> Prune(NextBeams next, Search search, int beamWidth, bool only)
    {
        var all = next.Beams;
        var scores = new double[all.Count];
        var order = new int[all.Count];
        for (int i = 0; i < all.Count; i++)
        {
            scores[i] = CtcDecoder.LogAdd(all[i].Blank, all[i].NonBlank) + search.Bonus(all[i].Prefix);
            order[i] = i;
        }
        // Best first; equal scores in the order reached, so with no bonus this keeps exactly what a plain beam keeps.
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var kept = new List<Beam>(Math.Min(beamWidth, all.Count));
        for (int i = 0; i < Math.Min(beamWidth, all.Count); i++) kept.Add(all[order[i]]);
        if (!only) return kept;
        var lengths = kept.Select(b => search.Length(b.Prefix)).ToHashSet();
        int words = 0;
        for (int i = beamWidth; i < all.Count; i++)
        {
            var b = all[order[i]];
            bool word = words < beamWidth && search.EndsOnWord(b.Prefix);
            if (word) words++;
            if (lengths.Add(search.Length(b.Prefix)) | word) kept.Add(b);
        }
        return kept;
    }

    /// <summary>
    /// The prefixes of one search, interned as integers: prefix 0 is the empty text and every other one is its
    /// parent plus one class. Each knows where its current word stands in the trie (−1 once it has left the
    /// lexicon) and how many complete lexicon words precede it, so ranking and extending cost no string work.
    /// </summary>
    private sealed class Search(LexiconOptions? options, bool[] separators)
    {
        private readonly Lexicon? _lexicon = options?.Lexicon;
        private readonly List<(int Parent, int Last, int Node, int Words, int Length)> _prefixes =
            [(-1, -1, Lexicon.Root, 0, 0)];
        private readonly Dictionary<long, int> _children = [];
        private readonly List<int> _continuations = [];

        public int Last(int prefix) => _prefixes[prefix].Last;
        public int Length(int prefix) => _prefixes[prefix].Length;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Extend(int prefix, int c)
        {
            long key = (long)prefix << 32 | (uint)c;
            if (_children.TryGetValue(key, out int child)) return child;
            var (_, _, node, words, length) = _prefixes[prefix];
            _prefixes.Add(_lexicon is null ? (prefix, c, -1, 0, length + 1)
                : separators[c] ? (prefix, c, Lexicon.Root, words + (CompleteWord(node) ? 1 : 0), length + 1)
                : (prefix, c, node < 0 ? -1 : _lexicon.Child(node, c), words, length + 1));
            _children[key] = _prefixes.Count - 1;
            return _prefixes.Count - 1;
        }

        /// <summary>The classes a prefix may continue with among this frame's <paramref name="candidates"/>
        /// (<see cref="CtcDecoder.Candidates"/>; <paramref name="allowed"/> marks them): any of them, or in "only"
        /// mode the trie's (in either case when the lexicon ignores case), plus a space after a whole word.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public List<int> Continuations(int prefix, bool only, List<int> candidates, bool[] allowed)
        {
            if (!only) return candidates;
            _continuations.Clear();
            int node = _prefixes[prefix].Node;
            foreach (int folded in _lexicon!.ChildClasses(node))
                foreach (int c in _lexicon.Variants(folded)) if (allowed[c]) _continuations.Add(c);
            if (CompleteWord(node))
                for (int c = 0; c < separators.Length; c++) if (separators[c] && allowed[c]) _continuations.Add(c);
            return _continuations;
        }

        public bool EndsOnWord(int prefix) => CompleteWord(_prefixes[prefix].Node);

        /// <summary>The lexicon bonus the text would get if it ended here (its current word counts when
        /// complete).</summary>
        public double Bonus(int prefix)
        {
            if (options is null || options.Mode == LexiconMode.Only || options.Weight == 0) return 0;
            var (_, _, node, words, _) = _prefixes[prefix];
            return options.Weight * (words + (CompleteWord(node) ? 1 : 0));
        }

        public int[] Symbols(int prefix)
        {
            var symbols = new List<int>();
            for (int p = prefix; p > 0; p = _prefixes[p].Parent) symbols.Add(_prefixes[p].Last);
            symbols.Reverse();
            return symbols.ToArray();
        }

        private bool CompleteWord(int node) => node >= 0 && _lexicon!.IsWord(node);
    }
}

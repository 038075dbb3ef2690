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

    /// <summary>
    /// Outside "only" mode a prefix scoring more than this below its frame's best is dropped, and a symbol that cannot
    /// bring a prefix above that line is not tried at all, as pyctcdecode's <c>beam_prune_logp</c> does. A model sure
    /// of a word leaves one or two prefixes within e⁻⁸ of the best on most frames, so the search follows the few texts
    /// still in question instead of always <c>beamWidth</c> of them. "Only" mode keeps its full beam: there the
    /// likeliest prefixes are often no words at all, and the beam must hold unlikely ones long enough to become words.
    /// Chosen on the development words (docs/RESULTS.md): with the word list as a prior, e⁻⁸ and e⁻¹⁰ read 91.1 % as
    /// no pruning does, e⁻⁶ 91.0 %; e⁻⁸ decodes in 46 µs a word against 63 at e⁻¹⁰.
    /// </summary>
    public const double BeamPruneLogProb = -8;

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
        Charset charset, LexiconOptions? options, int beamWidth, double pruneLogProb = BeamPruneLogProb)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        bool only = options?.Mode == LexiconMode.Only;
        if (only) pruneLogProb = double.NegativeInfinity;
        var search = Search.Start(options, charset);
        // The most a symbol can add to a prefix's lexicon bonus: completing one more word.
        double maxGain = options is null || only ? 0 : options.Weight;
        var beams = search.Beams;
        var next = search.Next;
        beams.Clear();
        beams.Add(0, 0.0, double.NegativeInfinity, 0.0);
        var candidates = search.CandidateList;
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            next.Clear(search);
            CtcDecoder.Candidates(row, candidates);
            if (only) search.Allow(candidates);
            // This frame's best scores at least the best prefix's score plus a blank (a blank keeps the bonus): a
            // symbol that cannot reach the pruning line from there is not tried.
            double floor = beams.BestScore + row[Charset.BlankIndex] + pruneLogProb;
            for (int i = 0; i < beams.Count; i++)
            {
                int prefix = beams.Prefix[i];
                double pb = beams.Blank[i], pnb = beams.NonBlank[i];
                double total = CtcDecoder.LogAdd(pb, pnb);
                // Blank: the prefix stays, and now ends in a blank.
                next.Add(search, prefix, total + row[Charset.BlankIndex], double.NegativeInfinity);
                // Repeating the last symbol merges with it: the prefix stays, whether or not the trie lets it grow.
                int last = search.Last(prefix);
                if (last >= 0) next.Add(search, prefix, double.NegativeInfinity, pnb + row[last]);
                // A new symbol; a second copy of the last one only after a blank.
                double reach = beams.Score[i] - total + maxGain;
                foreach (int c in search.Continuations(prefix, only))
                {
                    double score = (c == last ? pb : total) + row[c];
                    if (score + reach < floor) continue;
                    next.Add(search, search.Extend(prefix, c), double.NegativeInfinity, score);
                }
            }
            Prune(next, beams, search, beamWidth, pruneLogProb);
        }

        // In "only" mode a line must end on a whole word; in prior mode any prefix is a text. The beams are in order,
        // best first, so the first that qualifies is the answer.
        for (int i = 0; i < beams.Count; i++)
        {
            if (only && !search.EndsOnWord(beams.Prefix[i])) continue;
            var symbols = search.Symbols(beams.Prefix[i]);
            return new Prediction(charset.Decode(symbols),
                CtcDecoder.TextProbability(logProbs, frames, classes, symbols));
        }
        return new Prediction("", 0); // no word of the list fits in this many frames
    }

    /// <summary>
    /// Keeps the best <paramref name="beamWidth"/> prefixes of <paramref name="next"/> by score (none more than
    /// <paramref name="pruneLogProb"/> below the best) in <paramref name="beams"/>, best first. In "only"
    /// mode the best prefixes that end on a whole word are kept too, and the best prefix of every length: a beam full
    /// of short, likely prefixes (a model that mostly sees blanks) must still grow some prefix into a whole word to
    /// answer with.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Prune(BeamSet next, BeamSet beams, Search search, int beamWidth, double pruneLogProb)
    {
        bool only = search.Only;
        int count = next.Count;
        var ranked = search.Ranking(count);
        double best = double.NegativeInfinity;
        for (int i = 0; i < count; i++)
        {
            double score = CtcDecoder.LogAdd(next.Blank[i], next.NonBlank[i]) + search.Bonus(next.Prefix[i]);
            next.Score[i] = score;
            best = Math.Max(best, score);
        }
        double floor = best + pruneLogProb;
        int kept = 0;
        for (int i = 0; i < count; i++)
            if (next.Score[i] >= floor) ranked[kept++] = new Ranked(next.Score[i], i);
        // Best first; equal scores in the order reached, so with no bonus this keeps exactly what a plain beam keeps.
        ranked.AsSpan(0, kept).Sort(default(BestFirst));

        beams.Clear();
        for (int r = 0; r < Math.Min(beamWidth, kept); r++) beams.CopyFrom(next, ranked[r].Index);
        if (!only) return;
        search.ClearLengths();
        for (int i = 0; i < beams.Count; i++) search.SeeLength(beams.Prefix[i]);
        int words = 0;
        for (int r = beamWidth; r < kept; r++)
        {
            int prefix = next.Prefix[ranked[r].Index];
            bool word = words < beamWidth && search.EndsOnWord(prefix);
            if (word) words++;
            if (search.SeeLength(prefix) | word) beams.CopyFrom(next, ranked[r].Index);
        }
    }

    private readonly record struct Ranked(double Score, int Index);

    private readonly struct BestFirst : IComparer<Ranked>
    {
        public int Compare(Ranked a, Ranked b) =>
            b.Score.CompareTo(a.Score) is var c && c != 0 ? c : a.Index.CompareTo(b.Index);
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

    /// <summary>
    /// Prefixes with their two probabilities (of the alignments ending in a blank and in the last symbol) and, once
    /// ranked, their score. As the next frame's set, each prefix is found by one array lookup
    /// (<see cref="Search"/> marks where it sits), in the order first reached, which breaks ties between equal
    /// scores as a stable sort would.
    /// </summary>
    private sealed class BeamSet
    {
        public int[] Prefix = new int[64];
        public double[] Blank = new double[64], NonBlank = new double[64], Score = new double[64];
        public int Count;

        public double BestScore => Count == 0 ? double.NegativeInfinity : Score[0];

        public void Clear() => Count = 0;

        /// <summary>Empties the set for the next frame: prefixes added before no longer count as present.</summary>
        public void Clear(Search search)
        {
            Count = 0;
            search.NextFrame();
        }

        public void Add(int prefix, double blank, double nonBlank, double score)
        {
            if (Count == Prefix.Length) Grow();
            Prefix[Count] = prefix;
            Blank[Count] = blank;
            NonBlank[Count] = nonBlank;
            Score[Count++] = score;
        }

        public void CopyFrom(BeamSet other, int i) =>
            Add(other.Prefix[i], other.Blank[i], other.NonBlank[i], other.Score[i]);

        /// <summary>Adds probability to a prefix of this frame's set, merging with what it already has.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(Search search, int prefix, double blank, double nonBlank)
        {
            if (double.IsNegativeInfinity(blank) && double.IsNegativeInfinity(nonBlank)) return;
            ref int slot = ref search.SlotOf(prefix, out bool exists);
            if (!exists)
            {
                slot = Count;
                Add(prefix, blank, nonBlank, 0);
                return;
            }
            Blank[slot] = CtcDecoder.LogAdd(Blank[slot], blank);
            NonBlank[slot] = CtcDecoder.LogAdd(NonBlank[slot], nonBlank);
        }

        private void Grow()
        {
            int size = Prefix.Length * 2;
            Array.Resize(ref Prefix, size);
            Array.Resize(ref Blank, size);
            Array.Resize(ref NonBlank, size);
            Array.Resize(ref Score, size);
        }
    }

    /// <summary>
    /// The prefixes of one search, interned as integers: prefix 0 is the empty text and every other one is its
    /// parent plus one class. Each knows where its current word stands in the trie (−1 once it has left the
    /// lexicon) and how many complete lexicon words precede it, so ranking and extending cost no string work.
    /// One instance per thread is reused from search to search, so that decoding a word allocates nothing but its
    /// answer.
    /// </summary>
    private sealed class Search
    {
        [ThreadStatic] private static Search? t_current;

        private LexiconOptions? _options;
        private Lexicon? _lexicon;
        private bool[] _separators = [];
        private (Charset Charset, bool Only)? _separatorsFor;
        private int _count;
        // Per prefix: its parent, last class, trie node, complete words before its current one, length, and its
        // first child and next sibling (children are few, so a list walk beats hashing).
        private int[] _parent = new int[256], _last = new int[256], _node = new int[256], _words = new int[256],
            _length = new int[256], _firstChild = new int[256], _nextSibling = new int[256];
        // Where a prefix sits in the next frame's set, valid when its stamp is the current frame's. Frames count on
        // from search to search, so a number reused for a new prefix never carries a stamp that still counts.
        private int[] _slot = new int[256], _stamp = new int[256];
        private int _frame;
        private int[] _lengthStamp = new int[64];
        private int _lengthsSeen;
        private bool[] _allowed = [];
        private readonly List<int> _continuations = [];
        private Ranked[] _ranked = new Ranked[64];

        public readonly BeamSet Beams = new(), Next = new();
        public bool Only => _options?.Mode == LexiconMode.Only;
        public readonly List<int> CandidateList = [];

        public static Search Start(LexiconOptions? options, Charset charset)
        {
            var search = t_current ??= new Search();
            search.Reset(options, charset);
            return search;
        }

        private void Reset(LexiconOptions? options, Charset charset)
        {
            _options = options;
            _lexicon = options?.Lexicon;
            if (_separatorsFor != (charset, Only))
            {
                _separators = Separators(charset, Only);
                _separatorsFor = (charset, Only);
            }
            if (_allowed.Length < charset.ClassCount) _allowed = new bool[charset.ClassCount];
            _count = 0;
            NewPrefix(-1, -1, Lexicon.Root, 0, 0);
        }

        public int Last(int prefix) => _last[prefix];

        /// <summary>Marks this frame's candidates for "only" mode's trie walk.</summary>
        public void Allow(List<int> candidates)
        {
            Array.Clear(_allowed);
            foreach (int c in candidates) _allowed[c] = true;
        }

        public void NextFrame()
        {
            if (++_frame == int.MaxValue)
            {
                Array.Clear(_stamp);
                _frame = 1;
            }
        }

        /// <summary>The slot of <paramref name="prefix"/> in the next frame's set, and whether it is there yet (if not,
        /// the caller fills the returned slot).</summary>
        public ref int SlotOf(int prefix, out bool exists)
        {
            exists = _stamp[prefix] == _frame;
            _stamp[prefix] = _frame;
            return ref _slot[prefix];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Extend(int prefix, int c)
        {
            for (int child = _firstChild[prefix]; child >= 0; child = _nextSibling[child])
                if (_last[child] == c) return child;
            int node = _node[prefix], words = _words[prefix], length = _length[prefix] + 1;
            int created = _lexicon is null ? NewPrefix(prefix, c, -1, 0, length)
                : _separators[c] ? NewPrefix(prefix, c, Lexicon.Root, words + (CompleteWord(node) ? 1 : 0), length)
                : NewPrefix(prefix, c, node < 0 ? -1 : _lexicon.Child(node, c), words, length);
            _nextSibling[created] = _firstChild[prefix];
            _firstChild[prefix] = created;
            return created;
        }

        private int NewPrefix(int parent, int last, int node, int words, int length)
        {
            if (_count == _parent.Length) Grow();
            int p = _count++;
            (_parent[p], _last[p], _node[p], _words[p], _length[p]) = (parent, last, node, words, length);
            (_firstChild[p], _nextSibling[p]) = (-1, -1);
            return p;
        }

        private void Grow()
        {
            int size = _parent.Length * 2;
            Array.Resize(ref _parent, size);
            Array.Resize(ref _last, size);
            Array.Resize(ref _node, size);
            Array.Resize(ref _words, size);
            Array.Resize(ref _length, size);
            Array.Resize(ref _firstChild, size);
            Array.Resize(ref _nextSibling, size);
            Array.Resize(ref _slot, size);
            Array.Resize(ref _stamp, size);
        }

        /// <summary>The classes a prefix may continue with among this frame's candidates
        /// (<see cref="CtcDecoder.Candidates"/>): any of them, or in "only" mode the trie's (in either case when the
        /// lexicon ignores case), plus a space after a whole word.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public List<int> Continuations(int prefix, bool only)
        {
            if (!only) return CandidateList;
            _continuations.Clear();
            int node = _node[prefix];
            foreach (int folded in _lexicon!.ChildClasses(node))
                foreach (int c in _lexicon.Variants(folded)) if (_allowed[c]) _continuations.Add(c);
            if (CompleteWord(node))
                for (int c = 0; c < _separators.Length; c++) if (_separators[c] && _allowed[c]) _continuations.Add(c);
            return _continuations;
        }

        public bool EndsOnWord(int prefix) => CompleteWord(_node[prefix]);

        /// <summary>The lexicon bonus the text would get if it ended here (its current word counts when
        /// complete).</summary>
        public double Bonus(int prefix)
        {
            if (_options is null || Only || _options.Weight == 0) return 0;
            return _options.Weight * (_words[prefix] + (CompleteWord(_node[prefix]) ? 1 : 0));
        }

        public Ranked[] Ranking(int count)
        {
            if (_ranked.Length < count) _ranked = new Ranked[Math.Max(count, 2 * _ranked.Length)];
            return _ranked;
        }

        public void ClearLengths() => _lengthsSeen++;

        /// <summary>Whether no prefix of this length was seen since <see cref="ClearLengths"/> (and now one
        /// is).</summary>
        public bool SeeLength(int prefix)
        {
            int length = _length[prefix];
            if (length >= _lengthStamp.Length)
                Array.Resize(ref _lengthStamp, Math.Max(length + 1, 2 * _lengthStamp.Length));
            if (_lengthStamp[length] == _lengthsSeen) return false;
            _lengthStamp[length] = _lengthsSeen;
            return true;
        }

        public int[] Symbols(int prefix)
        {
            var symbols = new int[_length[prefix]];
            for (int p = prefix, i = symbols.Length - 1; p > 0; p = _parent[p], i--) symbols[i] = _last[p];
            return symbols;
        }

        private bool CompleteWord(int node) => node >= 0 && _lexicon!.IsWord(node);
    }
}

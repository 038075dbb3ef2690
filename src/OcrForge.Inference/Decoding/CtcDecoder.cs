namespace OcrForge.Inference.Decoding;

/// <summary>A decoded text with the probability the model gives it.</summary>
public sealed record Prediction(string Text, double Confidence);

/// <summary>
/// Turns per-frame class log-probabilities [T, C] (blank at <see cref="Charset.BlankIndex"/>) into text.
/// CTC emits one class per time step; the text is the frame sequence with repeats merged and blanks removed,
/// so "a a - a" reads "aa" only because the blank separates the two runs.
/// </summary>
public static class CtcDecoder
{
    /// <summary>
    /// Best path: the most likely class per frame, then collapse. The confidence is the probability of the text
    /// (see <see cref="TextProbability"/>), not of the one path: a sure read spread over many frames would
    /// otherwise look unsure just because every blank/symbol boundary frame is split between the two.
    /// </summary>
    public static Prediction Greedy(ReadOnlySpan<float> logProbs, int frames, int classes, Charset charset)
    {
        var symbols = new List<int>();
        int previous = Charset.BlankIndex;
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best != previous && best != Charset.BlankIndex) symbols.Add(best);
            previous = best;
        }
        return new Prediction(charset.Decode(symbols), TextProbability(logProbs, frames, classes, symbols));
    }

    /// <summary>
    /// Prefix beam search: keeps the <paramref name="beamWidth"/> most likely prefixes, each with the total
    /// probability of all alignments ending in a blank and ending in its last symbol. The confidence is the best
    /// text's exact probability (<see cref="TextProbability"/>; the beam's own sum may miss pruned alignments).
    /// </summary>
    public static Prediction Beam(ReadOnlySpan<float> logProbs, int frames, int classes, Charset charset, int beamWidth)
    {
        if (beamWidth <= 1) return Greedy(logProbs, frames, classes, charset);

        var beams = new Dictionary<Prefix, (double Blank, double NonBlank)>
        {
            [Prefix.Empty] = (0.0, double.NegativeInfinity),
        };
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            var next = new Dictionary<Prefix, (double Blank, double NonBlank)>();
            void Add(Prefix p, double blank, double nonBlank)
            {
                var (b, nb) = next.TryGetValue(p, out var v) ? v : (double.NegativeInfinity, double.NegativeInfinity);
                next[p] = (LogAdd(b, blank), LogAdd(nb, nonBlank));
            }
            foreach (var (prefix, (pb, pnb)) in beams)
            {
                double total = LogAdd(pb, pnb);
                // Blank: the prefix stays, and now ends in a blank.
                Add(prefix, total + row[Charset.BlankIndex], double.NegativeInfinity);
                for (int c = 0; c < classes; c++)
                {
                    if (c == Charset.BlankIndex) continue;
                    double p = row[c];
                    if (c == prefix.Last)
                    {
                        // Repeating the last symbol either merges with it (no new symbol)...
                        Add(prefix, double.NegativeInfinity, pnb + p);
                        // ...or, only after a blank, starts a new copy of it.
                        Add(prefix.Append(c), double.NegativeInfinity, pb + p);
                    }
                    else
                    {
                        Add(prefix.Append(c), double.NegativeInfinity, total + p);
                    }
                }
            }
            beams = next.OrderByDescending(kv => LogAdd(kv.Value.Blank, kv.Value.NonBlank))
                        .Take(beamWidth)
                        .ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        var bestPrefix = beams.MaxBy(kv => LogAdd(kv.Value.Blank, kv.Value.NonBlank)).Key;
        return new Prediction(charset.Decode(bestPrefix.Classes),
            TextProbability(logProbs, frames, classes, bestPrefix.Classes));
    }

    /// <summary>
    /// P(text | image): the probability summed over every frame alignment that collapses to
    /// <paramref name="symbols"/> — the CTC forward algorithm (Graves et al. 2006) over the text with a blank
    /// between and around its symbols, i.e. exp(−CTC loss).
    /// </summary>
    public static double TextProbability(ReadOnlySpan<float> logProbs, int frames, int classes,
        IReadOnlyList<int> symbols)
    {
        if (frames == 0) return symbols.Count == 0 ? 1 : 0;
        // Extended label: blank, s1, blank, s2, …, blank (length 2L+1).
        int length = 2 * symbols.Count + 1;
        int Label(int i) => i % 2 == 0 ? Charset.BlankIndex : symbols[i / 2];
        var alpha = new double[length];
        var next = new double[length];
        Array.Fill(alpha, double.NegativeInfinity);
        alpha[0] = logProbs[Charset.BlankIndex];
        if (length > 1) alpha[1] = logProbs[Label(1)];
        for (int t = 1; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            for (int i = 0; i < length; i++)
            {
                // Stay on i, advance from i−1, or skip the blank between two different symbols.
                double a = LogAdd(alpha[i], i > 0 ? alpha[i - 1] : double.NegativeInfinity);
                if (i > 1 && Label(i) != Charset.BlankIndex && Label(i) != Label(i - 2)) a = LogAdd(a, alpha[i - 2]);
                next[i] = a + row[Label(i)];
            }
            (alpha, next) = (next, alpha);
        }
        double end = length > 1 ? LogAdd(alpha[length - 1], alpha[length - 2]) : alpha[0];
        return Math.Exp(end);
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>An immutable symbol sequence with value equality, used as a dictionary key.</summary>
    private sealed class Prefix : IEquatable<Prefix>
    {
        public static readonly Prefix Empty = new([]);
        private readonly int _hash;
        private Prefix(int[] classes)
        {
            Classes = classes;
            var h = new HashCode();
            foreach (var c in classes) h.Add(c);
            _hash = h.ToHashCode();
        }
        public int[] Classes { get; }
        public int Last => Classes.Length == 0 ? -1 : Classes[^1];
        public Prefix Append(int c) => new([.. Classes, c]);
        public bool Equals(Prefix? other) => other is not null && Classes.AsSpan().SequenceEqual(other.Classes);
        public override bool Equals(object? obj) => Equals(obj as Prefix);
        public override int GetHashCode() => _hash;
    }
}

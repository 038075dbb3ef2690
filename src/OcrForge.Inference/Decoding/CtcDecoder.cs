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
    /// Best path: the most likely class per frame, then collapse. The confidence is the probability of that one
    /// path (product of the per-frame maxima), a lower bound on the probability of its text.
    /// </summary>
    public static Prediction Greedy(ReadOnlySpan<float> logProbs, int frames, int classes, Charset charset)
    {
        var symbols = new List<int>();
        double logP = 0;
        int previous = Charset.BlankIndex;
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            logP += row[best];
            if (best != previous && best != Charset.BlankIndex) symbols.Add(best);
            previous = best;
        }
        return new Prediction(charset.Decode(symbols), Math.Exp(logP));
    }

    /// <summary>
    /// Prefix beam search: keeps the <paramref name="beamWidth"/> most likely prefixes, each with the total
    /// probability of all alignments ending in a blank and ending in its last symbol. The confidence is the
    /// probability of the text summed over its alignments, so it is never below the greedy path's.
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
        var (bestPrefix, (bb, bnb)) = beams.MaxBy(kv => LogAdd(kv.Value.Blank, kv.Value.NonBlank));
        return new Prediction(charset.Decode(bestPrefix.Classes), Math.Exp(LogAdd(bb, bnb)));
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

using System.Runtime.CompilerServices;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    /// text's exact probability (<see cref="TextProbability"/>; the beam's own sum may miss pruned alignments). A frame
    /// extends prefixes only by its <see cref="Candidates"/>. The search is <see cref="LexiconDecoder"/>'s, without a
    /// word list.
    /// </summary>
    public static Prediction Beam(ReadOnlySpan<float> logProbs, int frames, int classes, Charset charset, int beamWidth)
        => beamWidth <= 1 ? Greedy(logProbs, frames, classes, charset)
            : LexiconDecoder.PrefixBeamSearch(logProbs, frames, classes, charset, options: null, beamWidth);

    /// <summary>
    /// A beam search extends prefixes only by the symbols a frame gives at least this log probability (e⁻¹² ≈ 6·10⁻⁶),
    /// as pyctcdecode's <c>token_min_logp</c> does: a symbol that unlikely on a frame almost never starts the best
    /// prefix, and trying every symbol of an 80-class charset on every frame made a word-list search cost
    /// milliseconds per word.
    /// Chosen on the development set of synthetic words (docs/RESULTS.md): word accuracy with the word list as a prior
    /// 90.5 % with and without it, in "only" mode 55.3 % against 55.4 % (e⁻⁸ lost 0.3 points there).
    /// </summary>
    public const double TokenMinLogProb = -12;

    /// <summary>The symbols (never the blank) a beam search tries on one frame: those at or above
    /// <see cref="TokenMinLogProb"/>, and always the likeliest, so that every frame can extend a prefix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Candidates(ReadOnlySpan<float> row, List<int> candidates)
    {
        candidates.Clear();
        int best = -1;
        for (int c = 0; c < row.Length; c++)
        {
            if (c == Charset.BlankIndex) continue;
            if (best < 0 || row[c] > row[best]) best = c;
            if (row[c] >= TokenMinLogProb) candidates.Add(c);
        }
        if (best >= 0 && row[best] < TokenMinLogProb) candidates.Add(best);
    }

    /// <summary>
    /// P(text | image): the probability summed over every frame alignment that collapses to
    /// <paramref name="symbols"/> — the CTC forward algorithm (Graves et al. 2006) over the text with a blank
    /// between and around its symbols, i.e. exp(−CTC loss).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double TextProbability(ReadOnlySpan<float> logProbs, int frames, int classes,
        IReadOnlyList<int> symbols)
    {
        if (frames == 0) return symbols.Count == 0 ? 1 : 0;
        // Extended label: blank, s1, blank, s2, …, blank (length 2L+1). The recursion runs on probabilities, not
        // logs, rescaled to sum 1 after every frame with the scales' logs summed (Graves 2006, section 4.1): the
        // same number as in log space without a logarithm and two exponentials per cell.
        int length = 2 * symbols.Count + 1;
        Span<int> label = length <= 256 ? stackalloc int[length] : new int[length];
        for (int i = 0; i < length; i++) label[i] = i % 2 == 0 ? Charset.BlankIndex : symbols[i / 2];
        Span<double> alpha = length <= 256 ? stackalloc double[length] : new double[length];
        Span<double> next = length <= 256 ? stackalloc double[length] : new double[length];
        alpha.Clear();
        alpha[0] = Math.Exp(logProbs[Charset.BlankIndex]);
        if (length > 1) alpha[1] = Math.Exp(logProbs[label[1]]);
        double logScale = 0;
        for (int t = 1; t < frames; t++)
        {
            double sum = 0;
            foreach (double a in alpha) sum += a;
            if (sum == 0) return 0;
            logScale += Math.Log(sum);
            var row = logProbs.Slice(t * classes, classes);
            double blank = Math.Exp(row[Charset.BlankIndex]) / sum;
            for (int i = 0; i < length; i++)
            {
                // Stay on i, advance from i−1, or skip the blank between two different symbols.
                double a = alpha[i] + (i > 0 ? alpha[i - 1] : 0);
                if (i > 1 && label[i] != Charset.BlankIndex && label[i] != label[i - 2]) a += alpha[i - 2];
                double v = a * (label[i] == Charset.BlankIndex ? blank : Math.Exp(row[label[i]]) / sum);
                // Flushed to 0 far below the frame's total (1): subnormal doubles take a hundred times longer to
                // multiply, and such a state no longer changes the text's probability.
                next[i] = v < 1e-200 ? 0 : v;
            }
            next.CopyTo(alpha);
        }
        double end = length > 1 ? alpha[length - 1] + alpha[length - 2] : alpha[0];
        return end == 0 ? 0 : Math.Exp(logScale + Math.Log(end));
    }

    /// <summary>log(eᵃ + eᵇ), exact when either side is −∞.</summary>
    internal static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return a > b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
    }
}

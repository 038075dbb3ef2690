using OcrForge.Inference;
using OcrForge.Inference.Decoding;
using OcrForge.Training;
using static TorchSharp.torch;

namespace OcrForge.Tests.Decoding;

public class CtcDecoderTests
{
    private static readonly Charset Abc = new(["a", "b", "c"], hasBlank: true);

    /// <summary>Log-probabilities [T, C] that put almost all mass on one class per frame.</summary>
    private static float[] Frames(params int[] classes)
    {
        int c = Abc.ClassCount;
        var lp = new float[classes.Length * c];
        for (int t = 0; t < classes.Length; t++)
            for (int k = 0; k < c; k++)
                lp[t * c + k] = (float)Math.Log(k == classes[t] ? 0.97 : 0.01);
        return lp;
    }

    [Fact]
    public void Greedy_merges_repeats_and_drops_blanks_but_keeps_repeats_separated_by_a_blank()
    {
        // a a - a b b - -  →  "aab"
        var p = CtcDecoder.Greedy(Frames(1, 1, 0, 1, 2, 2, 0, 0), 8, Abc.ClassCount, Abc);
        Assert.Equal("aab", p.Text);
        // The confidence is the text's probability over all its alignments: above the one path's 0.97^8.
        Assert.Equal(BruteForceTextProbability(Frames(1, 1, 0, 1, 2, 2, 0, 0), 8, [1, 1, 2]), p.Confidence, 9);
        Assert.True(p.Confidence > Math.Pow(0.97, 8));
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 2 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 3, 1, 3 })]
    public void Text_probability_is_the_sum_over_every_alignment_of_the_text(int[] symbols)
    {
        // Random frames, 5 of them over blank + 3 symbols: 4^5 = 1,024 paths, few enough to enumerate.
        var rng = new Random(symbols.Length + 11);
        var lp = new float[5 * 4];
        for (int t = 0; t < 5; t++)
        {
            var raw = Enumerable.Range(0, 4).Select(_ => rng.NextDouble() + 0.05).ToArray();
            for (int c = 0; c < 4; c++) lp[t * 4 + c] = (float)Math.Log(raw[c] / raw.Sum());
        }

        Assert.Equal(BruteForceTextProbability(lp, 5, symbols), CtcDecoder.TextProbability(lp, 5, 4, symbols), 6);
    }

    [Fact]
    public void Text_probability_of_a_long_line_matches_the_log_space_recursion()
    {
        // The recursion runs on rescaled probabilities; over hundreds of frames the unscaled ones would fall below
        // the smallest double. Reference: the forward algorithm in log space, in double.
        var rng = new Random(5);
        int frames = 600, classes = 4;
        var lp = new float[frames * classes];
        for (int t = 0; t < frames; t++)
        {
            var raw = Enumerable.Range(0, classes).Select(_ => rng.NextDouble() + 0.05).ToArray();
            for (int c = 0; c < classes; c++) lp[t * classes + c] = (float)Math.Log(raw[c] / raw.Sum());
        }
        foreach (var (n, length) in new[] { (60, 8), (300, 40), (600, 40), (600, 250) })
        {
            var symbols = Enumerable.Range(0, length).Select(i => 1 + i % 3).ToArray();
            double reference = LogSpaceTextLogProbability(lp, n, classes, symbols);
            double p = CtcDecoder.TextProbability(lp, n, classes, symbols);
            if (reference > -700) Assert.Equal(reference, Math.Log(p), 6);
            else Assert.Equal(0, p); // e^reference is below the smallest double
        }
    }

    [Fact]
    public void Log_softmax_matches_a_float64_reference_for_confident_and_flat_frames()
    {
        // The decoders' log-softmax sums in float and skips terms below e^-30 of the best: against the same
        // function in double over every term, on frames from flat (spread 1) to very confident (spread 200).
        var rng = new Random(3);
        foreach (double spread in new[] { 1.0, 10.0, 60.0, 200.0 })
        {
            var scores = Enumerable.Range(0, 80).Select(_ => (float)((rng.NextDouble() - 0.5) * spread)).ToArray();
            var result = new float[scores.Length];
            OcrForge.Inference.Batch.LogSoftmax(scores, result);
            double max = scores.Max(s => (double)s);
            double logSum = max + Math.Log(scores.Sum(s => Math.Exp(s - max)));
            for (int c = 0; c < scores.Length; c++)
                Assert.Equal(scores[c] - logSum, result[c], 1e-4 * Math.Max(1, Math.Abs(scores[c] - logSum)));
        }
    }

    [Fact]
    public void A_beam_search_tries_on_a_frame_only_symbols_above_the_threshold_and_always_the_likeliest()
    {
        var candidates = new List<int>();
        float Lp(double p) => (float)Math.Log(p);
        CtcDecoder.Candidates([Lp(0.99), -5f, (float)CtcDecoder.TokenMinLogProb - 1, -30f], candidates);
        Assert.Equal([1], candidates);
        CtcDecoder.Candidates([0f, -40f, -14f, (float)CtcDecoder.TokenMinLogProb], candidates);
        Assert.Equal([3], candidates);
        CtcDecoder.Candidates([0f, -40f, -14f, -13f], candidates);
        Assert.Equal([3], candidates); // nothing clears the threshold: the likeliest symbol alone
    }

    /// <summary>log P(text): the CTC forward recursion in log space, in double.</summary>
    private static double LogSpaceTextLogProbability(float[] lp, int frames, int classes, int[] symbols)
    {
        static double LogAdd(double a, double b) => double.IsNegativeInfinity(a) ? b : double.IsNegativeInfinity(b) ? a
            : Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
        int length = 2 * symbols.Length + 1;
        int Label(int i) => i % 2 == 0 ? 0 : symbols[i / 2];
        var alpha = Enumerable.Repeat(double.NegativeInfinity, length).ToArray();
        alpha[0] = lp[0];
        if (length > 1) alpha[1] = lp[Label(1)];
        for (int t = 1; t < frames; t++)
        {
            var next = new double[length];
            for (int i = 0; i < length; i++)
            {
                double a = LogAdd(alpha[i], i > 0 ? alpha[i - 1] : double.NegativeInfinity);
                if (i > 1 && Label(i) != 0 && Label(i) != Label(i - 2)) a = LogAdd(a, alpha[i - 2]);
                next[i] = a + lp[t * classes + Label(i)];
            }
            alpha = next;
        }
        return length > 1 ? LogAdd(alpha[length - 1], alpha[length - 2]) : alpha[0];
    }

    /// <summary>Sums the probability of every class path of length <paramref name="frames"/> that collapses to <paramref name="symbols"/>.</summary>
    private static double BruteForceTextProbability(float[] lp, int frames, int[] symbols)
    {
        int classes = lp.Length / frames;
        double total = 0;
        var path = new int[frames];
        for (int code = 0; code < (int)Math.Pow(classes, frames); code++)
        {
            for (int t = 0, rest = code; t < frames; t++, rest /= classes) path[t] = rest % classes;
            var collapsed = path.Where((c, t) => c != 0 && (t == 0 || path[t - 1] != c)).ToArray();
            if (collapsed.SequenceEqual(symbols)) total += Math.Exp(path.Select((c, t) => (double)lp[t * classes + c]).Sum());
        }
        return total;
    }

    [Fact]
    public void All_blank_frames_read_as_empty_text()
    {
        Assert.Equal("", CtcDecoder.Greedy(Frames(0, 0, 0), 3, Abc.ClassCount, Abc).Text);
    }

    [Fact]
    public void Symbol_i_is_class_i_plus_one_on_both_the_training_and_the_decoding_side()
    {
        // The classic off-by-one: the encoder used for CTC targets and the decoder must agree on where the blank is.
        Assert.Equal(new[] { 1, 2, 3 }, Abc.Encode("abc"));
        Assert.Equal("c", CtcDecoder.Greedy(Frames(Abc.ClassOf("c")), 1, Abc.ClassCount, Abc).Text);
        Assert.Throws<ArgumentOutOfRangeException>(() => Abc.SymbolOf(Charset.BlankIndex));

        // And the CTC loss of the alignment the decoder reads as "cab" is near zero for the encoded target "cab".
        using var scope = NewDisposeScope();
        var frames = Frames(3, 0, 1, 2);
        var logits = tensor(frames, [1, 4, Abc.ClassCount]);
        Assert.Equal("cab", CtcDecoder.Greedy(frames, 4, Abc.ClassCount, Abc).Text);
        float right = CtcLoss.Compute(logits, [Abc.Encode("cab")]).item<float>();
        float shifted = CtcLoss.Compute(logits, [Abc.Encode("cab").Select(c => c % 3 + 1).ToArray()]).item<float>();
        Assert.True(right < 0.2f, $"loss {right}");
        Assert.True(shifted > 5f, $"loss {shifted}");
    }

    [Fact]
    public void Beam_search_finds_the_text_that_greedy_misses_and_is_never_less_confident()
    {
        // Two frames, each blank 0.6 / a 0.4: the best single path is "--" (0.36), but "a" has three paths
        // (a-, -a, aa) worth 0.24 + 0.24 + 0.16 = 0.64.
        var lp = new[] { Math.Log(0.6), Math.Log(0.4), Math.Log(1e-9), Math.Log(1e-9), Math.Log(0.6), Math.Log(0.4), Math.Log(1e-9), Math.Log(1e-9) }
            .Select(v => (float)v).ToArray();
        var greedy = CtcDecoder.Greedy(lp, 2, 4, Abc);
        var beam = CtcDecoder.Beam(lp, 2, 4, Abc, beamWidth: 4);
        Assert.Equal("", greedy.Text);
        Assert.Equal("a", beam.Text);
        Assert.Equal(0.64, beam.Confidence, 4);
        Assert.True(beam.Confidence >= greedy.Confidence);
    }

    [Fact]
    public void Beam_agrees_with_greedy_on_confident_frames_and_separates_repeats()
    {
        var frames = Frames(1, 1, 0, 1, 2, 2, 0, 0);
        var beam = CtcDecoder.Beam(frames, 8, Abc.ClassCount, Abc, beamWidth: 8);
        Assert.Equal("aab", beam.Text);
        Assert.True(beam.Confidence >= CtcDecoder.Greedy(frames, 8, Abc.ClassCount, Abc).Confidence);
    }

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "abd", 1)]
    [InlineData("abc", "ab", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, TextMetrics.EditDistance(a.ToCharArray(), b.ToCharArray()));
    }

    [Fact]
    public void Text_metrics_separate_sequence_character_and_edit_errors()
    {
        var m = new TextMetrics();
        m.Add("abcde", "abcde"); // right
        m.Add("abcd", "abcde");  // one deletion: 4/5 positions right
        m.Add("xbcde", "abcde"); // one substitution
        Assert.Equal(1 / 3.0, m.SequenceAccuracy, 9);
        Assert.Equal(13 / 15.0, m.CharacterAccuracy, 9);
        Assert.Equal(2 / 15.0, m.Cer, 9);
    }
}

using System.Diagnostics;
using OcrForge.Inference;
using OcrForge.Inference.Decoding;
using Xunit.Abstractions;

namespace OcrForge.Tests.Decoding;

public class LexiconDecoderTests(ITestOutputHelper output)
{
    private static readonly Charset Ab = new(["a", "b"], hasBlank: true);
    private static readonly Charset AbSpace = new([" ", "a", "b"], hasBlank: true);

    /// <summary>Random log-probabilities [T, C], every class between 5 % and 100 % of the largest, so that many texts compete.</summary>
    private static float[] RandomFrames(int frames, int classes, int seed)
    {
        var rng = new Random(seed);
        var lp = new float[frames * classes];
        for (int t = 0; t < frames; t++)
        {
            var raw = Enumerable.Range(0, classes).Select(_ => rng.NextDouble() + 0.05).ToArray();
            for (int c = 0; c < classes; c++) lp[t * classes + c] = (float)Math.Log(raw[c] / raw.Sum());
        }
        return lp;
    }

    /// <summary>Frames as probability rows (blank first), one row per frame.</summary>
    private static float[] Rows(params double[][] rows) => rows.SelectMany(r => r.Select(p => (float)Math.Log(p))).ToArray();

    /// <summary>
    /// P(text) of every text, by enumerating every class path of the frames and collapsing it (repeats merged,
    /// blanks dropped): the definition of CTC, with no dynamic programming to get wrong.
    /// </summary>
    private static Dictionary<string, double> BruteForceTexts(float[] lp, int frames, Charset charset)
    {
        int classes = charset.ClassCount;
        var texts = new Dictionary<string, double>();
        var path = new int[frames];
        for (int code = 0; code < (int)Math.Pow(classes, frames); code++)
        {
            for (int t = 0, rest = code; t < frames; t++, rest /= classes) path[t] = rest % classes;
            var text = charset.Decode(path.Where((c, t) => c != Charset.BlankIndex && (t == 0 || path[t - 1] != c)));
            texts[text] = texts.GetValueOrDefault(text) + Math.Exp(path.Select((c, t) => (double)lp[t * classes + c]).Sum());
        }
        return texts;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Only_mode_returns_the_lexicon_word_with_the_highest_exact_CTC_probability(int seed)
    {
        // Six frames over blank + {a, b}: 3^6 = 729 paths. A beam wider than the trie prunes nothing, so the search
        // must be exact; the words include repeats ("aa", "abb") that need a blank between their copies.
        string[] words = ["a", "b", "aa", "ab", "ba", "abb", "bab", "aab", "bba"];
        var lp = RandomFrames(6, Ab.ClassCount, seed);
        var exact = BruteForceTexts(lp, 6, Ab);
        var expected = words.MaxBy(w => exact.GetValueOrDefault(w))!;

        var p = LexiconDecoder.Decode(lp, 6, Ab.ClassCount, Ab, new LexiconOptions(Lexicon.FromWords(words, Ab)), beamWidth: 100);

        Assert.Equal(expected, p.Text);
        Assert.Equal(exact[expected], p.Confidence, 9);
        // And the lexicon changed the answer at least sometimes: the overall best text is often not a word.
        output.WriteLine($"seed {seed}: best word {expected} ({exact[expected]:0.####}), best text '{exact.MaxBy(kv => kv.Value).Key}'");
    }

    [Fact]
    public void Repeated_letters_need_a_blank_between_them()
    {
        var bok = new Charset(["b", "k", "o"], hasBlank: true);
        var lexicon = new LexiconOptions(Lexicon.FromWords(["bok", "book"], bok));
        double[] B = [0.02, 0.94, 0.02, 0.02], K = [0.02, 0.02, 0.94, 0.02], O = [0.02, 0.02, 0.02, 0.94], Blank = [0.94, 0.02, 0.02, 0.02];

        // b o - o k: the blank splits the o's, so this is "book"...
        var split = LexiconDecoder.Decode(Rows(B, O, Blank, O, K), 5, 4, bok, lexicon, beamWidth: 8);
        // ...and b o o k, with no blank, is one long o: "bok".
        var merged = LexiconDecoder.Decode(Rows(B, O, O, K), 4, 4, bok, lexicon, beamWidth: 8);

        Assert.Equal("book", split.Text);
        Assert.Equal("bok", merged.Text);
        Assert.Equal(CtcDecoder.TextProbability(Rows(B, O, O, K), 4, 4, bok.Encode("bok")), merged.Confidence, 12);

        // A word's last letter held over several frames stays one letter even though the trie has nothing after it.
        var held = LexiconDecoder.Decode(Rows(B, O, O, O), 4, 4, bok, new LexiconOptions(Lexicon.FromWords(["bo", "kb"], bok)), beamWidth: 1);
        Assert.Equal("bo", held.Text);
        Assert.True(held.Confidence > 0.8, $"{held.Confidence}");
    }

    [Fact]
    public void Only_mode_answers_a_word_of_the_list_even_when_the_frames_read_something_else()
    {
        var lp = Rows([0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1]); // reads "aa"
        var p = LexiconDecoder.Decode(lp, 3, 3, Ab, new LexiconOptions(Lexicon.FromWords(["b", "ab"], Ab)), beamWidth: 2);
        Assert.Equal("ab", p.Text);
        Assert.Equal(CtcDecoder.TextProbability(lp, 3, 3, Ab.Encode("ab")), p.Confidence, 12);
        Assert.Equal("aa", CtcDecoder.Beam(lp, 3, 3, Ab, 2).Text);
    }

    [Fact]
    public void Only_mode_finds_a_long_word_even_when_blanks_dominate_every_frame()
    {
        // Blank at 0.9 everywhere: the likeliest prefixes are the empty one and single letters, so a beam of 2
        // ranked by probability alone would never hold "abab"'s beginnings long enough to finish it.
        var lp = Rows([.. Enumerable.Repeat(new[] { 0.9, 0.06, 0.04 }, 8)]);
        var p = LexiconDecoder.Decode(lp, 8, 3, Ab, new LexiconOptions(Lexicon.FromWords(["abab"], Ab)), beamWidth: 2);
        Assert.Equal("abab", p.Text);
        Assert.Equal(CtcDecoder.TextProbability(lp, 8, 3, Ab.Encode("abab")), p.Confidence, 15);
    }

    [Fact]
    public void Only_mode_with_no_word_that_fits_the_frames_reads_nothing()
    {
        // "aa" needs three frames (a, blank, a); two cannot hold it.
        var p = LexiconDecoder.Decode(RandomFrames(2, 3, 1), 2, 3, Ab, new LexiconOptions(Lexicon.FromWords(["aa"], Ab)), beamWidth: 4);
        Assert.Equal(new Prediction("", 0), p);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Prior_mode_with_weight_zero_is_the_plain_beam_search(int seed)
    {
        var abcd = new Charset(["a", "b", "c", "d"], hasBlank: true);
        var lp = RandomFrames(8, abcd.ClassCount, seed);
        var options = new LexiconOptions(Lexicon.FromWords(["ab", "cd", "dd"], abcd), LexiconMode.Prior, Weight: 0);
        foreach (int beam in new[] { 2, 3, 8 })
            Assert.Equal(CtcDecoder.Beam(lp, 8, abcd.ClassCount, abcd, beam), LexiconDecoder.Decode(lp, 8, abcd.ClassCount, abcd, options, beam));
    }

    [Theory]
    [InlineData(21, 1.5)]
    [InlineData(22, 1.5)]
    [InlineData(23, 0.7)]
    [InlineData(24, 3.0)]
    public void Prior_mode_on_lines_maximises_log_probability_plus_the_weight_of_every_known_word(int seed, double weight)
    {
        // Five frames over blank + {space, a, b}: 4^5 = 1,024 paths. Objective, by brute force:
        // log P(text) + weight × (words of the text, split at spaces, that are in the list).
        string[] words = ["ab", "b", "ba"];
        var lp = RandomFrames(5, AbSpace.ClassCount, seed);
        var exact = BruteForceTexts(lp, 5, AbSpace);
        double Score(string text) => Math.Log(exact[text]) + weight * text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(words.Contains);
        var expected = exact.Keys.MaxBy(Score)!;

        var p = LexiconDecoder.Decode(lp, 5, AbSpace.ClassCount, AbSpace,
            new LexiconOptions(Lexicon.FromWords(words, AbSpace), LexiconMode.Prior, weight), beamWidth: 1000);

        Assert.Equal(expected, p.Text);
        Assert.Equal(exact[expected], p.Confidence, 9);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void Only_mode_on_lines_reads_list_words_separated_by_single_spaces(int seed)
    {
        string[] words = ["ab", "b", "ba"];
        var lp = RandomFrames(5, AbSpace.ClassCount, seed);
        var exact = BruteForceTexts(lp, 5, AbSpace);
        // A line of the list: no leading, trailing or double space, every word known.
        var expected = exact.Keys.Where(t => t.Length > 0 && t.Split(' ').All(words.Contains)).MaxBy(t => exact[t])!;

        var p = LexiconDecoder.Decode(lp, 5, AbSpace.ClassCount, AbSpace, new LexiconOptions(Lexicon.FromWords(words, AbSpace)), beamWidth: 1000);

        Assert.Equal(expected, p.Text);
        Assert.Equal(exact[expected], p.Confidence, 9);
    }

    [Fact]
    public void Prior_mode_corrects_a_doubtful_letter_in_a_known_word_but_keeps_an_unknown_number()
    {
        var charset = new Charset([" ", "1", "2", "e", "h", "l", "o"], hasBlank: true);
        double[] Sure(string s) => [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == charset.ClassOf(s) ? 0.94 : 0.01)];
        double[] blank = [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == Charset.BlankIndex ? 0.94 : 0.01)];
        // The third letter is '1' at 0.6 against 'l' at 0.33: the model alone reads "he1lo 12".
        double[] doubtful = [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == charset.ClassOf("1") ? 0.6 : c == charset.ClassOf("l") ? 0.33 : 0.01)];
        var lp = Rows(Sure("h"), Sure("e"), doubtful, blank, Sure("l"), Sure("o"), Sure(" "), Sure("1"), Sure("2"));
        var lexicon = Lexicon.FromWords(["hello", "world"], charset);

        var plain = CtcDecoder.Beam(lp, 9, charset.ClassCount, charset, 16);
        var prior = LexiconDecoder.Decode(lp, 9, charset.ClassCount, charset, new LexiconOptions(lexicon, LexiconMode.Prior, 2.0), 16);
        var weak = LexiconDecoder.Decode(lp, 9, charset.ClassCount, charset, new LexiconOptions(lexicon, LexiconMode.Prior, 0.3), 16);

        Assert.Equal("he1lo 12", plain.Text);
        Assert.Equal("hello 12", prior.Text);
        Assert.Equal("he1lo 12", weak.Text); // ln(0.6 / 0.33) ≈ 0.6 > 0.3
    }

    [Fact]
    public void A_word_of_the_list_matches_in_any_case_unless_the_case_must_match()
    {
        // The model reads "Paris" at the start of a line, "PARIS" in a heading; the list spells it "paris".
        var charset = new Charset(["A", "I", "P", "R", "S", "a", "i", "p", "r", "s"], hasBlank: true);
        double[] Sure(string s) => [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == charset.ClassOf(s) ? 0.91 : 0.01)];
        // In the title-case line the last letter is doubtful: 'S' at 0.5 against 's' at 0.41.
        double[] lastS = [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == charset.ClassOf("S") ? 0.5 : c == charset.ClassOf("s") ? 0.41 : 0.01)];
        var folded = Lexicon.FromWords(["paris", "Paris", "PARIS", "rip"], charset);
        var exact = Lexicon.FromWords(["paris"], charset, ignoreCase: false);

        Assert.True(folded.IgnoreCase);
        Assert.Equal(2, folded.Count); // paris, rip: the three spellings are one word
        Assert.True(folded.Contains(charset.Encode("PaRiS")));
        Assert.False(exact.Contains(charset.Encode("Paris")));

        var upper = Rows(Sure("P"), Sure("A"), Sure("R"), Sure("I"), Sure("S"));
        var title = Rows(Sure("P"), Sure("a"), Sure("r"), Sure("i"), lastS);
        // Only mode keeps the case the model reads; it only needs the letters to spell a word of the list.
        Assert.Equal("PARIS", LexiconDecoder.Decode(upper, 5, charset.ClassCount, charset, new LexiconOptions(folded), 16).Text);
        Assert.Equal("PariS", LexiconDecoder.Decode(title, 5, charset.ClassCount, charset, new LexiconOptions(folded), 16).Text);
        // With the case to match, only the list's spelling is a word.
        Assert.Equal("paris", LexiconDecoder.Decode(upper, 5, charset.ClassCount, charset, new LexiconOptions(exact), 16).Text);
    }

    [Fact]
    public void Prior_mode_counts_known_words_between_punctuation()
    {
        // "well-knawn," with 'a' doubtful against 'o': the bonus for "known" must reach past the hyphen and stop at
        // the comma; with only spaces ending words, "well-known," would be one unknown word and get nothing.
        var charset = new Charset([",", "-", "a", "e", "k", "l", "n", "o", "w"], hasBlank: true);
        double[] Sure(string s) => [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == charset.ClassOf(s) ? 0.92 : 0.01)];
        double[] doubtful = [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == charset.ClassOf("a") ? 0.55 : c == charset.ClassOf("o") ? 0.38 : 0.01)];
        double[] blank = [.. Enumerable.Range(0, charset.ClassCount).Select(c => c == Charset.BlankIndex ? 0.92 : 0.01)];
        var lp = Rows(Sure("w"), Sure("e"), Sure("l"), blank, Sure("l"), Sure("-"), Sure("k"), Sure("n"), doubtful, Sure("w"), Sure("n"), Sure(","));
        var lexicon = Lexicon.FromWords(["well", "known"], charset);

        Assert.Equal("well-knawn,", CtcDecoder.Beam(lp, 12, charset.ClassCount, charset, 16).Text);
        Assert.Equal("well-known,", LexiconDecoder.Decode(lp, 12, charset.ClassCount, charset, new LexiconOptions(lexicon, LexiconMode.Prior, 2.0), 16).Text);
    }

    [Fact]
    public void Trie_holds_each_distinct_word_once_and_skips_words_the_model_cannot_write()
    {
        var lexicon = Lexicon.FromWords(["ab", " ab ", "abb", "", "b", "abc", "a b", "ba"], Ab);
        Assert.Equal(4, lexicon.Count); // ab, abb, b, ba
        Assert.Equal(2, lexicon.Skipped); // "abc" (no c), "a b" (two words)
        Assert.Equal("abc", lexicon.FirstSkipped);
        Assert.Equal(6, lexicon.NodeCount); // root, a, ab, abb, b, ba: shared prefixes are shared nodes
        Assert.True(lexicon.Contains(Ab.Encode("abb")));
        Assert.False(lexicon.Contains(Ab.Encode("a"))); // a node, not a word
        Assert.False(lexicon.Contains(Ab.Encode("bb")));
        Assert.Equal(Ab.Encode("ab"), lexicon.ChildClasses(Lexicon.Root).ToArray());
        Assert.Equal(-1, lexicon.Child(lexicon.Child(Lexicon.Root, Ab.ClassOf("b")), Ab.ClassOf("b")));
    }

    [Fact]
    public void Words_are_read_symbol_by_symbol_whatever_their_characters()
    {
        // Plain characters take a fast path; a combining mark, a letter beyond U+0300 or white space inside a word
        // must come out as the grapheme-by-grapheme reading says.
        var charset = new Charset(["a", "b", "e", "\u00e9", "\u0436"], hasBlank: true); // a b e é ж
        var lexicon = Lexicon.FromWords(["b\u00e9", "BE", "\u0436a", "be\u0301", "a\tb", "ab c", "abz"], charset);

        Assert.Equal(3, lexicon.Count); // bé (precomposed), be (from BE), жa
        Assert.Equal(4, lexicon.Skipped); // bé with a combining accent, a tab, a space, a z
        Assert.Equal("be\u0301", lexicon.FirstSkipped);
        Assert.True(lexicon.Contains(charset.Encode("b\u00e9")));
        Assert.True(lexicon.Contains(charset.Encode("be")));
        Assert.True(lexicon.Contains(charset.Encode("\u0436a")));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_weight_that_is_not_a_finite_bonus_is_refused(double weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LexiconOptions(Lexicon.FromWords(["a"], Ab), LexiconMode.Prior, weight));
    }

    [Fact]
    public void Loading_a_missing_empty_or_unusable_word_list_is_a_one_line_error_naming_the_file()
    {
        using var dir = new TempDir();
        var missing = dir.File("missing.txt");
        var empty = dir.File("empty.txt");
        var foreign = dir.File("foreign.txt");
        File.WriteAllText(empty, "\n  \n");
        File.WriteAllText(foreign, "xyz\ncab\n");

        Assert.Equal($"{missing}: no such word list file", Assert.Throws<OcrForgeException>(() => Lexicon.Load(missing, Ab)).Message);
        Assert.Equal($"{empty}: empty word list", Assert.Throws<OcrForgeException>(() => Lexicon.Load(empty, Ab)).Message);
        Assert.Equal($"{foreign}: none of its 2 words can be written with the model's symbols \"ab\"", Assert.Throws<OcrForgeException>(() => Lexicon.Load(foreign, Ab)).Message);
        Assert.Equal($"{dir.Path}: is a folder, not a word list file", Assert.Throws<OcrForgeException>(() => Lexicon.Load(dir.Path, Ab)).Message);
    }

    [Fact]
    public void A_hundred_thousand_word_lexicon_finds_noisy_words_quickly()
    {
        // Made-up words (seeded), 3–12 lowercase letters, as many as /usr/share/dict/american-english has.
        var charset = new Charset(Enumerable.Range('a', 26).Select(c => ((char)c).ToString()), hasBlank: true);
        var rng = new Random(7);
        var words = new HashSet<string>();
        while (words.Count < 100_000)
            words.Add(string.Concat(Enumerable.Range(0, rng.Next(3, 13)).Select(_ => (char)('a' + rng.Next(26)))));
        var clock = Stopwatch.StartNew();
        var lexicon = Lexicon.FromWords(words, charset);
        double loadMs = clock.Elapsed.TotalMilliseconds;
        Assert.Equal(100_000, lexicon.Count);

        // Frames that spell a word of the list with one letter misread (the true one second at 0.3), 3 frames a
        // letter. The right answer is the word, unless the misread spelling is a word of the list too.
        var list = words.ToArray();
        int classes = charset.ClassCount, right = 0, samples = 100;
        var options = new LexiconOptions(lexicon);
        clock.Restart();
        for (int n = 0; n < samples; n++)
        {
            var word = list[rng.Next(list.Length)];
            int wrong = rng.Next(word.Length);
            var misread = word.ToCharArray();
            misread[wrong] = (char)('a' + (word[wrong] - 'a' + 1) % 26);
            var expected = words.Contains(new string(misread)) ? new string(misread) : word;
            var rows = new List<double[]>();
            for (int i = 0; i < word.Length; i++)
            {
                var row = Enumerable.Repeat(0.01, classes).ToArray();
                row[Charset.BlankIndex] = 0.1;
                row[charset.ClassOf(misread[i].ToString())] = i == wrong ? 0.5 : 0.8;
                if (i == wrong) row[charset.ClassOf(word[i].ToString())] = 0.3;
                rows.Add(row);
                rows.Add(row);
                rows.Add([.. Enumerable.Range(0, classes).Select(c => c == Charset.BlankIndex ? 0.9 : 0.1 / (classes - 1))]);
            }
            var lp = Rows([.. rows]);
            if (LexiconDecoder.Decode(lp, rows.Count, classes, charset, options, LexiconDecoder.DefaultBeamWidth).Text == expected) right++;
        }
        double perWordMs = clock.Elapsed.TotalMilliseconds / samples;
        output.WriteLine($"100k-word trie: {lexicon.NodeCount} nodes, built in {loadMs:0} ms; decoding {perWordMs:0.00} ms/word (beam {LexiconDecoder.DefaultBeamWidth}), {right}/{samples} right");

        Assert.True(right >= samples * 0.98, $"{right}/{samples}");
    }
    /// <summary>Frames as a trained model gives them: each letter of <paramref name="text"/> on two frames, mostly sure
    /// (0.55–0.95) with a random rival, a blank frame between letters, and the rest of every row spread thin.</summary>
    private static float[] ModelLikeFrames(string text, Charset charset, Random rng)
    {
        var rows = new List<double[]>();
        double[] Row(int sure, double p)
        {
            var row = Enumerable.Range(0, charset.ClassCount).Select(_ => rng.NextDouble() * 1e-4 + 1e-6).ToArray();
            int rival = rng.Next(charset.ClassCount);
            row[rival] += (1 - p) * 0.8;
            row[sure] += p;
            double sum = row.Sum();
            return [.. row.Select(v => v / sum)];
        }
        foreach (var symbol in text.EnumerateSymbols())
        {
            int c = charset.ClassOf(symbol);
            rows.Add(Row(c, 0.55 + 0.4 * rng.NextDouble()));
            rows.Add(Row(c, 0.55 + 0.4 * rng.NextDouble()));
            rows.Add(Row(Charset.BlankIndex, 0.7 + 0.3 * rng.NextDouble()));
        }
        return Rows([.. rows]);
    }

    [Fact]
    public void Pruning_far_below_the_best_prefix_keeps_the_answer_of_the_unpruned_search()
    {
        // The pruning drops prefixes more than e⁻⁸ below the frame's best and never tries symbols that could not climb
        // back over that line. On frames like a trained model's it must not change what the search reads, with the
        // word list as a prior (whose bonus a pruned prefix might have earned later) or without one.
        var charset = new Charset([.. "abcdehilnorst'-,".Select(c => c.ToString())], hasBlank: true);
        string[] words = ["cat", "rat", "hat", "bird", "store", "listen", "silent", "enlist", "tinsel", "one's"];
        var lexicon = Lexicon.FromWords(words, charset);
        var rng = new Random(5);
        int changedByList = 0;
        for (int n = 0; n < 300; n++)
        {
            // A word of the list, or a made-up one, sometimes with punctuation.
            string text = rng.Next(3) switch
            {
                0 => words[rng.Next(words.Length)],
                1 => string.Concat(Enumerable.Range(0, rng.Next(2, 8)).Select(_ => "abcdehilnorst"[rng.Next(13)])),
                _ => words[rng.Next(words.Length)] + "-" + words[rng.Next(words.Length)] + ",",
            };
            var lp = ModelLikeFrames(text, charset, rng);
            int frames = lp.Length / charset.ClassCount;
            foreach (var options in new LexiconOptions?[] { null, new(lexicon, LexiconMode.Prior) })
            {
                var pruned = LexiconDecoder.PrefixBeamSearch(lp, frames, charset.ClassCount, charset, options, 16);
                var full = LexiconDecoder.PrefixBeamSearch(lp, frames, charset.ClassCount, charset, options, 16,
                    pruneLogProb: double.NegativeInfinity);
                Assert.Equal(full, pruned);
            }
            if (CtcDecoder.Beam(lp, frames, charset.ClassCount, charset, 16).Text
                != LexiconDecoder.Decode(lp, frames, charset.ClassCount, charset, new(lexicon, LexiconMode.Prior), 16).Text)
                changedByList++;
        }
        // The frames leave the list something to decide.
        output.WriteLine($"the word list changed {changedByList} of 300 readings");
        Assert.True(changedByList > 0);
    }

    [Fact]
    public void A_search_reused_for_other_words_or_run_on_many_threads_reads_what_a_fresh_one_does()
    {
        // Each thread keeps one search's memory for the next word: nothing of a word may leak into the next one.
        var charset = new Charset([.. "abcdehilnorst ".Select(c => c.ToString())], hasBlank: true);
        var lexicon = Lexicon.FromWords(["cat", "rat", "bird", "store", "listen", "silent"], charset);
        var rng = new Random(9);
        var inputs = Enumerable.Range(0, 64).Select(i => ModelLikeFrames(i % 2 == 0 ? "store cat" : "lis", charset, rng))
            .ToArray();
        LexiconOptions?[] modes = [null, new(lexicon), new(lexicon, LexiconMode.Prior)];
        Prediction Read(float[] lp, LexiconOptions? options) => LexiconDecoder.PrefixBeamSearch(lp,
            lp.Length / charset.ClassCount, charset.ClassCount, charset, options, 8);

        var first = modes.Select(m => inputs.Select(lp => Read(lp, m)).ToArray()).ToArray();
        var again = modes.Select(m => inputs.Reverse().Select(lp => Read(lp, m)).Reverse().ToArray()).ToArray();
        var parallel = modes.Select(m =>
        {
            var results = new Prediction[inputs.Length];
            Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                i => results[i] = Read(inputs[i], m));
            return results;
        }).ToArray();

        for (int m = 0; m < modes.Length; m++)
        {
            Assert.Equal(first[m], again[m]);
            Assert.Equal(first[m], parallel[m]);
        }
        Assert.Contains(first[1], p => p.Text == "store cat");
    }
}

using System.Text.Json;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Decoding;

namespace OcrForge.Tests.Training;

/// <summary>`eval` and `predict` with --lexicon on the tiny CTC model (labels of up to four of "abcd").</summary>
[Collection(nameof(ConsoleCollection))]
public class LexiconCommandsTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CtcCommandsTests.Run(args);

    [Fact]
    public void Eval_with_a_lexicon_reports_it_and_the_text_metrics_and_warns_once_about_unusable_words()
    {
        using var dir = new TempDir();
        var words = dir.File("words.txt");
        File.WriteAllLines(words, [.. tiny.Samples.Select(s => s.Label), "xyz", "a b"]);

        var (exit, stdout, stderr) = Run("eval", "--model", tiny.ModelPath, "--data", tiny.Images.Path, "--lexicon", words, "--json", "--threads", "1");

        Assert.Equal(0, exit);
        Assert.Equal($"warning: {words}: 2 entries skipped (not one word of the model's symbols, e.g. 'xyz'), {tiny.Samples.Select(s => s.Label).Distinct().Count()} words kept",
            stderr.TrimEnd());
        using var json = JsonDocument.Parse(stdout);
        var r = json.RootElement;
        Assert.Equal(words, r.GetProperty("lexicon").GetString());
        Assert.Equal("only", r.GetProperty("lexicon_mode").GetString());
        Assert.Equal(2, r.GetProperty("lexicon_skipped").GetInt32());
        Assert.Equal(16, r.GetProperty("beam").GetInt32());
        Assert.False(r.TryGetProperty("lexicon_weight", out _));
        Assert.InRange(r.GetProperty("wer").GetDouble(), 0, 1);
        Assert.InRange(r.GetProperty("cer").GetDouble(), 0, 1);
        // Every truth is in the list, so a lexicon can only help a model that already reads its training set.
        Assert.True(r.GetProperty("sequence_accuracy").GetDouble() >= 0.9);
        Assert.Equal(JsonValueKind.Array, r.GetProperty("top_confusions").ValueKind);
    }

    [Fact]
    public void Predict_in_only_mode_reads_nothing_but_words_of_the_list()
    {
        using var dir = new TempDir();
        var words = dir.File("words.txt");
        File.WriteAllLines(words, ["abcd", "dd"]);
        var files = Directory.GetFiles(tiny.Images.Path).Order().Take(6).ToArray();

        var (exit, stdout, _) = Run(["predict", "--model", tiny.ModelPath, .. files, "--lexicon", words, "--threads", "1"]);

        Assert.Equal(0, exit);
        var texts = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(row => row.Split('\t')[1]).ToList();
        Assert.Equal(6, texts.Count);
        Assert.All(texts, t => Assert.Contains(t, new[] { "abcd", "dd" }));
        // The images do not all say one of the two words, so the list did change some readings.
        Assert.Contains(files, f => DatasetReader.FilenameLabel(f) is not ("abcd" or "dd"));
    }

    [Fact]
    public void Prior_mode_with_weight_zero_reads_like_the_plain_beam_search()
    {
        using var dir = new TempDir();
        var words = dir.File("words.txt");
        File.WriteAllLines(words, ["abcd", "dd"]);
        var files = Directory.GetFiles(tiny.Images.Path).Order().Take(6).ToArray();

        var (exit, prior, _) = Run(["predict", "--model", tiny.ModelPath, .. files, "--lexicon", words, "--lexicon-mode", "prior", "--lexicon-weight", "0", "--threads", "1"]);
        var (plainExit, plain, _) = Run(["predict", "--model", tiny.ModelPath, .. files, "--beam", "16", "--threads", "1"]);

        Assert.Equal(0, exit);
        Assert.Equal(0, plainExit);
        Assert.Equal(plain, prior);
    }

    [Fact]
    public void Bad_lexicon_options_are_one_line_errors_with_exit_code_2()
    {
        using var dir = new TempDir();
        var image = Directory.GetFiles(tiny.Images.Path)[0];
        var missing = dir.File("missing.txt");
        var words = dir.File("words.txt");
        File.WriteAllLines(words, ["abcd"]);

        (int, string) Error(params string[] args)
        {
            var (exit, stdout, stderr) = Run(["predict", "--model", tiny.ModelPath, image, .. args]);
            Assert.Equal("", stdout);
            return (exit, stderr.TrimEnd());
        }

        Assert.Equal((2, $"error: {missing}: no such word list file"), Error("--lexicon", missing));
        Assert.Equal((2, "error: --lexicon-mode: needs --lexicon FILE"), Error("--lexicon-mode", "prior"));
        Assert.Equal((2, "error: --lexicon-match-case: needs --lexicon FILE"), Error("--lexicon-match-case"));
        Assert.Equal((2, "error: --lexicon-weight: applies to --lexicon-mode prior only"), Error("--lexicon", words, "--lexicon-weight", "3"));
        Assert.Equal((2, "error: --lexicon-weight -1: expected a number ≥ 0"), Error("--lexicon", words, "--lexicon-mode", "prior", "--lexicon-weight", "-1"));
    }

    [Fact]
    public void A_word_list_read_for_other_symbols_is_refused_by_the_recognizer()
    {
        using var recognizer = TextRecognizer.Load(tiny.ModelPath);
        var other = Lexicon.FromWords(["ab"], new Charset(["a", "b"], hasBlank: true), "ab.txt");
        var e = Assert.Throws<OcrForgeException>(() => new TextRecognizer(recognizer.Engine) { Lexicon = new LexiconOptions(other) });
        Assert.Equal("ab.txt: word list was read for the symbols \"ab\", not this model's \"abcd\"", e.Message);
    }
}

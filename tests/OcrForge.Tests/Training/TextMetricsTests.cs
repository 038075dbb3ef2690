using OcrForge.Training;

namespace OcrForge.Tests.Training;

public class TextMetricsTests
{
    private static string[] Symbols(string s) => s.Select(c => c.ToString()).ToArray();

    [Theory]
    [InlineData("", "", "")]
    [InlineData("", "ab", "∅>a ∅>b")]
    [InlineData("ab", "", "a>∅ b>∅")]
    [InlineData("hello", "he1lo", "h>h e>e l>1 l>l o>o")]
    [InlineData("kitten", "sitting", "k>s i>i t>t t>t e>i n>n ∅>g")]
    [InlineData("abc", "ac", "a>a b>∅ c>c")]
    public void Edit_alignment_pairs_every_symbol_with_its_reading(string expected, string predicted, string pairs)
    {
        var alignment = TextMetrics.EditAlignment(Symbols(expected), Symbols(predicted));
        string Show(string s) => s.Length == 0 ? "∅" : s;
        Assert.Equal(pairs, string.Join(" ", alignment.Select(p => $"{Show(p.Expected)}>{Show(p.Predicted)}")));
        // Its edits are exactly the edit distance.
        Assert.Equal(TextMetrics.EditDistance(Symbols(expected), Symbols(predicted)), alignment.Count(p => p.Expected != p.Predicted));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "a b", 2)]
    [InlineData("the cat sat", "the cat sat", 0)]
    [InlineData("the cat sat", "the bat sat", 1)]
    [InlineData("the cat sat", "thecat sat", 2)]
    [InlineData("the cat", "the cat sat down", 2)]
    public void Word_edit_distance_counts_whole_words(string truth, string predicted, int edits)
    {
        var m = new TextMetrics();
        m.Add(predicted, truth);
        int words = truth.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.Equal(words == 0 ? 0 : (double)edits / words, m.Wer, 12);
    }

    [Fact]
    public void Cer_and_wer_are_summed_over_the_set_not_averaged_per_sample()
    {
        var m = new TextMetrics();
        m.Add("the cat sat", "the cat sat"); // 11 symbols, 3 words, no error
        m.Add("a dig", "a dog");             // 5 symbols, 2 words: one substitution each
        m.Add("", "xy");                     // 2 symbols, 1 word: both deleted, the word too
        m.Add("z", "");                      // nothing expected: one insertion, no reference symbol or word
        Assert.Equal(0.25, m.SequenceAccuracy, 12);
        Assert.Equal((0 + 1 + 2 + 1) / 18.0, m.Cer, 12);
        Assert.Equal((0 + 1 + 1 + 1) / 6.0, m.Wer, 12);
    }

    [Fact]
    public void Top_confusions_count_substitutions_deletions_and_insertions_most_frequent_first()
    {
        var m = new TextMetrics();
        m.Add("he1lo", "hello");  // l→1
        m.Add("1ast", "last");    // l→1
        m.Add("wor1d", "world");  // l→1
        m.Add("0x", "Ox");        // O→0
        m.Add("cat", "cart");     // r deleted
        m.Add("boat", "bat");     // o inserted
        m.Add("bolt", "bat");     // o inserted, a→l (the latest substitution among equally cheap scripts)
        var top = m.TopConfusions(3);
        Assert.Equal([new Confusion("l", "1", 3), new Confusion("", "o", 2), new Confusion("O", "0", 1)], top);
        var all = m.TopConfusions(100);
        Assert.Equal(["'l'→'1' 3", "∅→'o' 2", "'O'→'0' 1", "'a'→'l' 1", "'r'→∅ 1"], all.Select(c => c.ToString()));
    }
}

using System.Text.Json;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Tests.Cli;

namespace OcrForge.Tests.Data;

public class TextSynthesisTests
{
    private static TextSynthSummary Synth(string dir, TextSynthOptions options) => TextSynthesis.Write(dir, options);

    private static List<(string Path, string Label)> ReadBack(string dir)
    {
        var dataset = DatasetReader.Read(dir);
        Assert.Equal(DatasetFormat.Csv, dataset.Format);
        Assert.Empty(dataset.Problems);
        return [.. dataset.Files.Select(f => (f.Path, f.Label))];
    }

    [Fact]
    public void The_same_seed_writes_byte_identical_images_and_manifest_and_another_seed_different_ones()
    {
        using var dir = new TempDir();
        var options = new TextSynthOptions { Kind = TextKind.Lines, Count = 8, Seed = 5 };

        Synth(dir.File("a"), options);
        Synth(dir.File("b"), options);
        Synth(dir.File("c"), options with { Seed = 6 });

        Assert.Equal(File.ReadAllBytes(dir.File("a/labels.csv")), File.ReadAllBytes(dir.File("b/labels.csv")));
        for (int i = 0; i < 8; i++)
            Assert.Equal(File.ReadAllBytes(dir.File($"a/images/{i:D6}.png")), File.ReadAllBytes(dir.File($"b/images/{i:D6}.png")));
        Assert.NotEqual(File.ReadAllText(dir.File("a/labels.csv")), File.ReadAllText(dir.File("c/labels.csv")));
    }

    [Fact]
    public void Labels_with_commas_and_quotes_read_back_exactly_through_the_csv_dataset_reader()
    {
        using var dir = new TempDir();
        // One word holding both a comma and a quote, and a charset that lets nothing else be drawn (numbers need digits).
        File.WriteAllText(dir.File("words.txt"), "# a comment line\ntom,\"jr\n");

        var summary = Synth(dir.File("out"), new TextSynthOptions { Count = 30, Seed = 3, WordsFile = dir.File("words.txt"), Charset = "tomjrTOMJR,\"().!?:" });

        Assert.Equal(1, summary.Words);
        var read = ReadBack(dir.File("out"));
        Assert.Equal(30, read.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => Path.GetFullPath(dir.File($"out/images/{i:D6}.png"))), read.Select(r => r.Path));
        // Lower case is the commonest case, so the list word itself must come back unchanged at least once.
        Assert.Contains("tom,\"jr", read.Select(r => r.Label));
        Assert.All(read, r => Assert.Equal("tom,\"jr", r.Label.ToLowerInvariant().Trim('"', '(', ')', '.', ',', '!', '?', ':')));
        // The manifest is RFC 4180: every data line is the path, a comma and the quoted label with doubled quotes.
        var lines = File.ReadAllLines(dir.File("out/labels.csv"));
        Assert.Equal("path,label", lines[0]);
        Assert.All(read.Select((r, i) => (r, i)), p =>
            Assert.Equal($"images/{p.i:D6}.png,\"{p.r.Label.Replace("\"", "\"\"")}\"", lines[p.i + 1]));
        Assert.Empty(Directory.EnumerateFiles(dir.File("out"), ".*"));
    }

    [Theory]
    [InlineData("say, \"hi\"", "\"say, \"\"hi\"\"\"")]
    [InlineData("plain", "plain")]
    [InlineData(" edge", "\" edge\"")]
    public void Csv_fields_are_quoted_only_when_needed_and_parse_back(string label, string field)
    {
        Assert.Equal(field, TextSynthesis.CsvField(label));
        Assert.Equal(new[] { "a.png", label }, DatasetReader.ParseCsvLine("a.png," + TextSynthesis.CsvField(label)));
    }

    [Fact]
    public void Words_use_the_default_charset_in_every_case_with_numbers_prices_and_punctuation_and_lines_add_single_spaces()
    {
        using var dir = new TempDir();

        Synth(dir.File("w"), new TextSynthOptions { Count = 200, Seed = 11 });
        Synth(dir.File("l"), new TextSynthOptions { Kind = TextKind.Lines, Count = 20, Seed = 11 });

        var words = ReadBack(dir.File("w")).Select(r => r.Label).ToList();
        Assert.All(words, w => Assert.True(w.Length > 0 && w.All(TextSynthesis.DefaultCharset.Contains), w));
        Assert.Contains(words, w => w.Length > 1 && w.All(char.IsAsciiLetterLower));
        Assert.Contains(words, w => w.Length > 1 && char.IsAsciiLetterUpper(w[0]) && w[1..].All(char.IsAsciiLetterLower));
        Assert.Contains(words, w => w.Length > 1 && w.All(char.IsAsciiLetterUpper));
        Assert.Contains(words, w => System.Text.RegularExpressions.Regex.IsMatch(w, @"^\$?\d{1,3}(,\d{3})*\.\d\d$"));
        Assert.Contains(words, w => System.Text.RegularExpressions.Regex.IsMatch(w, @"^\d{1,3}(,\d{3})+$"));
        Assert.Contains(words, w => w.Contains('\''));
        Assert.Contains(words, w => w.EndsWith('.') || w.EndsWith(','));
        Assert.True(words.Distinct().Count() > 150, $"{words.Distinct().Count()} distinct words of 200");

        var lines = ReadBack(dir.File("l")).Select(r => r.Label).ToList();
        Assert.All(lines, l =>
        {
            Assert.True(l.All(c => c == ' ' || TextSynthesis.DefaultCharset.Contains(c)), l);
            Assert.InRange(l.Split(' ').Length, 2, 6);
            Assert.DoesNotContain("  ", l);
            Assert.Equal(l.Trim(), l);
        });
    }

    [Fact]
    public void Images_have_the_fixed_height_and_a_width_that_follows_the_text_up_to_the_cap()
    {
        using var dir = new TempDir();

        var train = Synth(dir.File("t"), new TextSynthOptions { Count = 40, Seed = 2 });
        var narrow = Synth(dir.File("n"), new TextSynthOptions { Kind = TextKind.Lines, Count = 10, Seed = 2, Height = 20, MaxWidth = 90 });
        var heldout = Synth(dir.File("h"), new TextSynthOptions { Count = 10, Seed = 2, FontSet = FontSet.Heldout });

        var images = ReadBack(dir.File("t")).Select(r => (r.Label, Image: ImageDecoder.DecodeFile(r.Path))).ToList();
        Assert.All(images, i => Assert.Equal(32, i.Image.Height));
        Assert.Equal((images.Min(i => i.Image.Width), images.Max(i => i.Image.Width)), (train.WidthMin, train.WidthMax));
        // Longer text, wider image: the longest labels' images are wider than the shortest ones'.
        var byLength = images.OrderBy(i => i.Label.Length).ToList();
        Assert.True(byLength.TakeLast(5).Average(i => i.Image.Width) > 1.5 * byLength.Take(5).Average(i => i.Image.Width));
        Assert.All(ReadBack(dir.File("n")).Select(r => ImageDecoder.DecodeFile(r.Path)), i => Assert.True(i.Height == 20 && i.Width <= 90, $"{i.Width}x{i.Height}"));
        Assert.Equal(90, narrow.MaxWidth);
        Assert.All(ReadBack(dir.File("h")).Select(r => ImageDecoder.DecodeFile(r.Path)), i => Assert.Equal(48, i.Height));
        Assert.Equal(48, heldout.Height);
    }

    [Fact]
    public void The_train_and_heldout_font_sets_share_no_font_file_or_family()
    {
        var train = FontCatalog.Resolve(FontSet.Train);
        var heldout = FontCatalog.Resolve(FontSet.Heldout);

        Assert.True(train.Count >= 40 && heldout.Count >= 30, $"{train.Count} training and {heldout.Count} held-out faces");
        Assert.Empty(train.Select(f => f.Path).Intersect(heldout.Select(f => f.Path)));
        Assert.Empty(train.Select(f => f.Family).Intersect(heldout.Select(f => f.Family), StringComparer.OrdinalIgnoreCase));
        // Serif, sans and mono, each with bold and italic faces, on both sides.
        foreach (var set in new[] { train, heldout })
        {
            Assert.Contains(set, f => f.Typeface.IsFixedPitch);
            Assert.Contains(set, f => f.Typeface.FontWeight >= 600);
            Assert.Contains(set, f => f.Typeface.FontSlant != SkiaSharp.SKFontStyleSlant.Upright);
        }
    }

    [Fact]
    public void Fonts_are_chosen_by_family_or_file_and_an_unknown_one_is_a_one_line_error()
    {
        using var dir = new TempDir();
        var file = InstalledFonts.Files.First(f => Path.GetFileName(f) == "DejaVuSerif.ttf");

        var byFile = Synth(dir.File("f"), new TextSynthOptions { Count = 2, Fonts = [file] });
        var byFamily = FontCatalog.Resolve(["liberation mono"]);

        Assert.Equal(["DejaVuSerif.ttf"], byFile.Fonts);
        Assert.Equal(4, byFamily.Count);
        Assert.All(byFamily, f => Assert.Equal("Liberation Mono", f.Family));
        var unknown = Assert.Throws<OcrForgeException>(() => FontCatalog.Resolve(["Comic Sans Nowhere"]));
        Assert.StartsWith("--fonts \"Comic Sans Nowhere\": no such font file or installed family (", unknown.Message);
        Assert.DoesNotContain('\n', unknown.Message);
        Assert.Equal("--fonts /nowhere/x.ttf: no such font file", Assert.Throws<OcrForgeException>(() => FontCatalog.Resolve(["/nowhere/x.ttf"])).Message);
    }

    [Fact]
    public void The_cli_writes_words_prints_a_json_summary_and_refuses_bad_fonts_and_captcha_options()
    {
        using var dir = new TempDir();

        var (code, stdout, _) = CliProcess.Run("data", "synth", "--kind", "words", "--count", "5", "--out", dir.File("w"), "--seed", "1", "--json");
        var (badCode, badOut, badErr) = CliProcess.Run("data", "synth", "--kind", "words", "--count", "5", "--out", dir.File("x"), "--fonts", "DejaVu Sans,No Such Font");
        var (sizeCode, _, sizeErr) = CliProcess.Run("data", "synth", "--kind", "lines", "--count", "5", "--out", dir.File("y"), "--size", "100x32");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(5, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(32, json.RootElement.GetProperty("height").GetInt32());
        Assert.Equal("train", json.RootElement.GetProperty("font_set").GetString());
        Assert.Equal(5, ReadBack(dir.File("w")).Count);
        Assert.NotEqual(0, badCode);
        Assert.Equal("", badOut);
        Assert.StartsWith("error: --fonts \"No Such Font\": no such font file or installed family", badErr.Trim());
        Assert.Single(badErr.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("x/labels.csv")));
        Assert.NotEqual(0, sizeCode);
        Assert.Equal("error: --size: applies to --kind captcha and chars only", sizeErr.Trim());
    }

    [Fact]
    public void A_missing_word_list_or_one_without_usable_words_is_a_one_line_error_naming_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("accents.txt"), "café\nnaïve\n");

        var missing = Assert.Throws<OcrForgeException>(() => Synth(dir.File("a"), new TextSynthOptions { Count = 1, WordsFile = dir.File("none.txt") }));
        var unusable = Assert.Throws<OcrForgeException>(() => Synth(dir.File("b"), new TextSynthOptions { Count = 1, WordsFile = dir.File("accents.txt") }));

        Assert.Equal($"{dir.File("none.txt")}: no such word list", missing.Message);
        Assert.Equal($"{dir.File("accents.txt")}: no word is made only of the charset's symbols", unusable.Message);
    }
}

/// <summary>Captchas and characters must not change when more fonts are installed (the demo's numbers were measured on them).</summary>
public class CaptchaFontPinningTests
{
    [Fact]
    public void Captchas_and_characters_draw_from_the_38_dejavu_and_liberation_faces_only()
    {
        var names = InstalledFonts.Legacy.Select(f => f.FamilyName).Distinct().ToList();

        Assert.Equal(38, InstalledFonts.Legacy.Count);
        Assert.All(names, n => Assert.True(n.StartsWith("DejaVu", StringComparison.Ordinal) || n.StartsWith("Liberation", StringComparison.Ordinal), n));
        // The word fonts are installed on this machine too, and are more than the legacy faces.
        Assert.True(InstalledFonts.Files.Count > 38, $"{InstalledFonts.Files.Count} font files installed");
    }

    [Fact]
    public void Extra_font_files_anywhere_in_the_listing_leave_the_legacy_selection_and_its_order_unchanged()
    {
        var today = InstalledFonts.LegacyFileNames.Select(n => $"/usr/share/fonts/truetype/{(n.StartsWith('D') ? "dejavu" : "liberation")}/{n}")
            .Order(StringComparer.Ordinal).ToList();
        var more = today.Concat([
            "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf", "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
            "/usr/share/fonts/truetype/dejavu-extra/AAA.ttf", "/usr/share/fonts/truetype/zzz/Z.ttf",
            "/usr/local/share/fonts/DejaVuSans.ttf", // a second copy of a legacy file: the first in path order wins
        ]).Order(StringComparer.Ordinal).ToList();

        var pinned = InstalledFonts.LegacySelection(today);
        var withMore = InstalledFonts.LegacySelection(more);

        Assert.Equal(38, pinned.Count);
        Assert.Equal(today, pinned);
        Assert.Equal(pinned.Select(Path.GetFileName), withMore.Select(Path.GetFileName));
        Assert.Equal(pinned.Where(f => Path.GetFileName(f) != "DejaVuSans.ttf"), withMore.Where(f => Path.GetFileName(f) != "DejaVuSans.ttf"));
    }
}

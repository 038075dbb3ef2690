using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Tests.Data;

public class SyntheticDataTests
{
    [Fact]
    public void Captchas_read_back_through_the_filename_loader_with_the_labels_they_were_drawn_with()
    {
        using var dir = new TempDir();

        var paths = SyntheticData.WriteCaptchas(dir.Path, count: 40, seed: 1);

        var dataset = DatasetReader.Read(dir.Path);
        Assert.Equal(DatasetFormat.Filename, dataset.Format);
        Assert.Equal(paths.Order(StringComparer.Ordinal), dataset.Files.Select(f => f.Path));
        Assert.All(dataset.Labels, l => Assert.Matches("^[2345678bcdefgmnpwxy]{5}$", l));
        var decoded = DatasetDecoder.Decode(dataset);
        Assert.Empty(decoded.Problems);
        Assert.All(decoded.Samples, s => Assert.Equal((200, 50), (s.Image.Width, s.Image.Height)));
        // Dark glyphs on a light background: the darkest pixels are ink, the median is paper.
        Assert.All(decoded.Samples, s =>
        {
            var sorted = s.Image.Pixels.Order().ToArray();
            Assert.InRange((int)sorted[sorted.Length / 100], 0, 110);
            Assert.InRange((int)sorted[sorted.Length / 2], 170, 255);
        });
    }

    [Fact]
    public void Repeated_labels_get_a_double_underscore_number_that_the_loader_strips()
    {
        using var dir = new TempDir();

        var paths = SyntheticData.WriteCaptchas(dir.Path, count: 12, seed: 2, length: 1, charset: "ab", width: 40, height: 20);

        Assert.Equal(12, paths.Distinct().Count());
        Assert.Contains(Path.Combine(dir.Path, "a__1.png"), paths);
        var labels = DatasetReader.Read(dir.Path).Labels.ToList();
        Assert.Equal(12, labels.Count);
        Assert.All(labels, l => Assert.Contains(l, new[] { "a", "b" }));
    }

    [Fact]
    public void The_same_seed_writes_byte_identical_files_and_another_seed_different_ones()
    {
        using var dir = new TempDir();

        var a = SyntheticData.WriteCaptchas(Path.Combine(dir.Path, "a"), 6, seed: 9);
        var b = SyntheticData.WriteCaptchas(Path.Combine(dir.Path, "b"), 6, seed: 9);
        var c = SyntheticData.WriteCaptchas(Path.Combine(dir.Path, "c"), 6, seed: 10);

        Assert.Equal(a.Select(Path.GetFileName), b.Select(Path.GetFileName));
        for (int i = 0; i < a.Count; i++) Assert.Equal(File.ReadAllBytes(a[i]), File.ReadAllBytes(b[i]));
        Assert.NotEqual(a.Select(Path.GetFileName), c.Select(Path.GetFileName));
    }

    [Fact]
    public void In_memory_captchas_are_the_written_ones_pixel_for_pixel()
    {
        using var dir = new TempDir();

        var written = SyntheticData.WriteCaptchas(dir.Path, 5, seed: 21, width: 100, height: 30);
        var inMemory = SyntheticData.Captchas(5, seed: 21, width: 100, height: 30);

        Assert.Equal(written.Select(Path.GetFileName), inMemory.Select(s => s.Path));
        for (int i = 0; i < written.Count; i++)
        {
            Assert.Equal(DatasetReader.FilenameLabel(written[i]), inMemory[i].Label);
            Assert.Equal(OcrForge.Inference.Imaging.ImageDecoder.DecodeFile(written[i]).Pixels, inMemory[i].Image.Pixels);
        }
    }

    [Fact]
    public void Characters_are_balanced_one_folder_per_class_and_read_back_through_the_folders_loader()
    {
        using var dir = new TempDir();

        var paths = SyntheticData.WriteCharacters(dir.Path, count: 30, seed: 4, charset: "0Aa", width: 28, height: 28);

        var dataset = DatasetReader.Read(dir.Path);
        Assert.Equal(DatasetFormat.Folders, dataset.Format);
        Assert.Equal(30, paths.Count);
        Assert.Equal(new Dictionary<string, int> { ["0"] = 10, ["A"] = 10, ["a"] = 10 },
            dataset.Labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count()));
        var decoded = DatasetDecoder.Decode(dataset);
        Assert.All(decoded.Samples, s => Assert.Equal((28, 28), (s.Image.Width, s.Image.Height)));
        // Many fonts, sizes and rotations: no two images of a class are the same.
        Assert.All(decoded.Samples.GroupBy(s => s.Label), g =>
            Assert.Equal(g.Count(), g.Select(s => Convert.ToBase64String(s.Image.Pixels)).Distinct().Count()));
    }

    [Fact]
    public void Every_installed_font_is_loaded_not_only_the_first()
    {
        Assert.True(InstalledFonts.All.Count > 1, $"found {InstalledFonts.All.Count} fonts");
        Assert.True(InstalledFonts.All.Select(f => (f.FamilyName, f.FontWeight, f.FontSlant)).Distinct().Count() > 1);
    }

    [Theory]
    [InlineData("a/b", "--charset: '/' (U+002F) cannot be part of a file name label")]
    [InlineData("a_b", "--charset: '_' (U+005F) cannot be part of a file name label")]
    [InlineData("aba", "--charset: 'a' appears twice")]
    [InlineData("", "--charset: empty")]
    public void Charsets_that_cannot_make_file_names_are_refused(string charset, string message)
    {
        using var dir = new TempDir();

        var e = Assert.Throws<OcrForgeException>(() => SyntheticData.WriteCaptchas(dir.Path, 3, 0, charset: charset));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Sizes_and_counts_out_of_range_are_refused_naming_the_option()
    {
        using var dir = new TempDir();

        Assert.StartsWith("--size 5x5:", Assert.Throws<OcrForgeException>(() => SyntheticData.WriteCaptchas(dir.Path, 3, 0, width: 5, height: 5)).Message);
        Assert.StartsWith("--count 0:", Assert.Throws<OcrForgeException>(() => SyntheticData.WriteCharacters(dir.Path, 0, 0)).Message);
        Assert.StartsWith("--length 0:", Assert.Throws<OcrForgeException>(() => SyntheticData.WriteCaptchas(dir.Path, 3, 0, length: 0)).Message);
    }
}

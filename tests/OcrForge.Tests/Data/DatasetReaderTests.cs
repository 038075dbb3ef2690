using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Tests.Data;

public class DatasetReaderTests
{
    [Fact]
    public void Filename_layout_labels_each_image_by_its_stem_and_strips_the_duplicate_suffix()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("2b827.png"));
        DataFiles.Png(dir.File("2b827__1.png"));
        DataFiles.Png(dir.File("x__y.png"));
        File.WriteAllText(dir.File("notes.txt"), "not an image");

        var dataset = DatasetReader.Read(dir.Path);

        Assert.Equal(DatasetFormat.Filename, dataset.Format);
        Assert.Equal(["2b827", "2b827", "x__y"], dataset.Labels);
        Assert.Empty(dataset.Problems);
    }

    [Theory]
    [InlineData("abc.png", "abc")]
    [InlineData("abc__12.png", "abc")]
    [InlineData("abc__.png", "abc__")]
    [InlineData("__3.png", "__3")]
    [InlineData("a__b__2.jpg", "a__b")]
    public void FilenameLabel_removes_only_a_trailing_double_underscore_number(string file, string label) =>
        Assert.Equal(label, DatasetReader.FilenameLabel(file));

    [Fact]
    public void Chars74K_layout_maps_sample_numbers_to_characters_and_skips_foreign_folders()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "Sample001", "img001-001.png"));
        DataFiles.Png(Path.Combine(dir.Path, "Sample011", "img011-001.png"));
        DataFiles.Png(Path.Combine(dir.Path, "Sample062", "img062-001.png"));
        DataFiles.Png(Path.Combine(dir.Path, "Sample063", "img063-001.png"));

        var dataset = DatasetReader.Read(dir.Path, DatasetFormat.Chars74K);

        Assert.Equal(["0", "A", "z"], dataset.Labels);
        var problem = Assert.Single(dataset.Problems);
        Assert.EndsWith("Sample063", problem.Path);
    }

    [Fact]
    public void Chars74K_label_mapping_covers_all_62_samples()
    {
        var labels = Enumerable.Range(1, 62).Select(DatasetReader.Chars74KLabel).ToList();

        Assert.Equal("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", string.Concat(labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetReader.Chars74KLabel(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetReader.Chars74KLabel(63));
    }

    [Fact]
    public void Folders_layout_takes_the_folder_name_as_label_and_reports_empty_classes()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "cat", "1.png"));
        DataFiles.Png(Path.Combine(dir.Path, "cat", "2.jpg"));
        DataFiles.Png(Path.Combine(dir.Path, "dog", "1.bmp"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));

        var dataset = DatasetReader.Read(dir.Path);

        Assert.Equal(DatasetFormat.Folders, dataset.Format);
        Assert.Equal(["cat", "cat", "dog"], dataset.Labels);
        Assert.Equal("class folder has no images", Assert.Single(dataset.Problems).Reason);
    }

    [Fact]
    public void Csv_manifest_resolves_paths_relative_to_itself_handles_quotes_and_reports_bad_rows()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "img", "a.png"));
        DataFiles.Png(Path.Combine(dir.Path, "img", "b c.png"));
        File.WriteAllLines(dir.File("labels.csv"),
        [
            "path,label",
            "img/a.png,hello",
            "\"img/b c.png\",\"x,\"\"y\"\"\"",
            "img/missing.png,lost",
            "only-one-field",
            "img/a.png,",
        ]);

        var dataset = DatasetReader.Read(dir.Path);

        Assert.Equal(DatasetFormat.Csv, dataset.Format);
        Assert.Equal(["hello", "x,\"y\""], dataset.Labels);
        Assert.Equal(Path.Combine(dir.Path, "img", "b c.png"), dataset.Files[1].Path);
        Assert.Equal(3, dataset.Problems.Count);
        Assert.Equal(dir.File("labels.csv") + ":4", dataset.Problems[0].Path);
        Assert.Equal("img/missing.png: no such file", dataset.Problems[0].Reason);
        Assert.Equal("expected two fields: path,label", dataset.Problems[1].Reason);
        Assert.Equal("empty label", dataset.Problems[2].Reason);
    }

    [Fact]
    public void Csv_manifest_takes_any_header_and_windows_separators()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "img", "a.png"));
        File.WriteAllText(dir.File("m.csv"), "filename,text\r\nimg\\a.png,hi\r\n");

        var dataset = DatasetReader.Read(dir.File("m.csv"));

        Assert.Equal([(Path.Combine(dir.Path, "img", "a.png"), "hi")], dataset.Files.Select(f => (f.Path, f.Label)));
        Assert.Empty(dataset.Problems);
    }

    [Fact]
    public void A_manifest_with_no_usable_row_names_its_first_problem()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("m.csv"), "path;label\na.png;x\n");

        var e = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(dir.File("m.csv")));

        Assert.Equal($"{dir.File("m.csv")}: no labelled images found (format csv; first problem: {dir.File("m.csv")}:1: expected two fields: path,label)", e.Message);
    }

    [Fact]
    public void Csv_manifest_can_be_passed_as_the_file_itself()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("a.png"));
        File.WriteAllText(dir.File("m.csv"), "a.png,7\n");

        var dataset = DatasetReader.Read(dir.File("m.csv"));

        Assert.Equal(DatasetFormat.Csv, dataset.Format);
        Assert.Equal(["7"], dataset.Labels);
    }

    [Fact]
    public void Hidden_files_and_folders_are_not_data()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "cat", "1.png"));
        DataFiles.Png(Path.Combine(dir.Path, "cat", ".ipynb_checkpoints", "1-checkpoint.png"));
        DataFiles.Png(Path.Combine(dir.Path, ".ipynb_checkpoints", "x.png"));
        DataFiles.RandomBytes(Path.Combine(dir.Path, "cat", "._1.png"));

        var dataset = DatasetReader.Read(dir.Path);

        Assert.Equal(DatasetFormat.Folders, dataset.Format);
        Assert.Equal([Path.Combine(dir.Path, "cat", "1.png")], dataset.Files.Select(f => f.Path));
        Assert.Empty(dataset.Problems);
    }

    [Fact]
    public void Auto_detection_refuses_images_beside_class_folders_and_names_both_formats()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("abc.png"));
        DataFiles.Png(Path.Combine(dir.Path, "a", "1.png"));

        var e = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(dir.Path));

        Assert.Equal($"{dir.Path}: ambiguous layout (images and sub-folders side by side); pass --format filename or --format folders", e.Message);
        Assert.Equal(["abc"], DatasetReader.Read(dir.Path, DatasetFormat.Filename).Labels);
        Assert.Equal(["a"], DatasetReader.Read(dir.Path, DatasetFormat.Folders).Labels);
    }

    [Fact]
    public void Auto_detection_refuses_images_beside_a_manifest()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("abc.png"));
        File.WriteAllText(dir.File("labels.csv"), "abc.png,xyz\n");

        var e = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(dir.Path));

        Assert.Equal($"{dir.Path}: ambiguous layout (images beside labels.csv); pass --format csv or --format filename", e.Message);
        Assert.Equal(["xyz"], DatasetReader.Read(dir.Path, DatasetFormat.Csv).Labels);
    }

    [Fact]
    public void Auto_detection_refuses_several_manifests()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.csv"), "");
        File.WriteAllText(dir.File("b.csv"), "");

        var e = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(dir.Path));

        Assert.Contains("several .csv manifests", e.Message);
    }

    [Fact]
    public void Auto_detection_points_to_Chars74K_sample_folders_further_down()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "Img", "GoodImg", "Bmp", "Sample001", "1.png"));

        var e = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(dir.Path));

        Assert.Equal($"{dir.Path}: Chars74K sample folders are deeper, in {Path.Combine(dir.Path, "Img", "GoodImg", "Bmp")}; pass that folder", e.Message);
    }

    [Fact]
    public void Missing_empty_and_image_free_folders_are_one_line_errors_naming_the_folder()
    {
        using var dir = new TempDir();
        var missing = dir.File("nope");
        var empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        var text = Directory.CreateDirectory(dir.File("text")).FullName;
        File.WriteAllText(Path.Combine(text, "readme.txt"), "hi");

        Assert.Equal($"{missing}: no such folder or file", Assert.Throws<OcrForgeException>(() => DatasetReader.Read(missing)).Message);
        Assert.Equal($"{empty}: empty folder", Assert.Throws<OcrForgeException>(() => DatasetReader.Read(empty)).Message);
        var noImages = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(text)).Message;
        Assert.StartsWith($"{text}: no images in this folder (1 other files, e.g. readme.txt", noImages);
        Assert.DoesNotContain('\n', noImages);
    }

    [Fact]
    public void A_forced_format_that_finds_nothing_says_so()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("abc.png"));

        var e = Assert.Throws<OcrForgeException>(() => DatasetReader.Read(dir.Path, DatasetFormat.Chars74K));

        Assert.Equal($"{dir.Path}: no labelled images found (format chars74k)", e.Message);
    }

    [Fact]
    public void RestrictTo_moves_labels_with_foreign_symbols_to_problems_and_fails_when_none_fit()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("ab.png"));
        DataFiles.Png(dir.File("aZ.png"));
        var dataset = DatasetReader.Read(dir.Path);

        var restricted = dataset.RestrictTo("ab");

        Assert.Equal(["ab"], restricted.Labels);
        var problem = Assert.Single(restricted.Problems);
        Assert.Equal(dir.File("aZ.png"), problem.Path);
        Assert.Equal("label \"aZ\" has 'Z', which is not in the charset \"ab\"", problem.Reason);
        var e = Assert.Throws<OcrForgeException>(() => dataset.RestrictTo("xyz"));
        Assert.StartsWith($"{dir.Path}: no label fits the charset \"xyz\"", e.Message);
    }

    [Fact]
    public void Shared_captchas_are_832_images_with_19_symbols_and_the_natural_scene_set_has_36_classes()
    {
        var captchas = DatasetReader.Read(TestData.Captchas);
        var natural = DatasetReader.Read(TestData.Chars74KNatural);

        Assert.Equal(DatasetFormat.Filename, captchas.Format);
        Assert.Equal(832, captchas.Files.Count);
        Assert.Equal("2345678bcdefgmnpwxy", string.Concat(captchas.Labels.SelectMany(l => l).Distinct().Order()));
        Assert.Equal(DatasetFormat.Chars74K, natural.Format);
        Assert.Equal(36, natural.Labels.Distinct().Count());
    }

    [Fact]
    public void Restricting_an_empty_dataset_to_a_charset_is_one_line_naming_it()
    {
        var empty = new Dataset("empty.csv", DatasetFormat.Csv, [], []);
        var error = Assert.Throws<OcrForgeException>(() => empty.RestrictTo("abc"));
        Assert.Equal("empty.csv: no labelled images", error.Message);
    }
}

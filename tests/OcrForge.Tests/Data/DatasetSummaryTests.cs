using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Reports;

namespace OcrForge.Tests.Data;

public class DatasetSummaryTests
{
    [Fact]
    public void Text_labels_count_symbols_lengths_and_sizes()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("abc.png"), 20, 10);
        DataFiles.Png(dir.File("abd.png"), 20, 10);
        DataFiles.Png(dir.File("zz.png"), 30, 10);
        DataFiles.Empty(dir.File("broken.png"));
        var dataset = DatasetReader.Read(dir.Path);

        var summary = DatasetSummary.Compute(dataset, DatasetDecoder.Decode(dataset), TimeSpan.FromSeconds(2));

        Assert.False(summary.IsClassification);
        Assert.Equal((4, 3, 1), (summary.Files, summary.Decoded, summary.Problems.Count));
        Assert.Equal("abcdz", summary.Charset);
        Assert.Equal(5, summary.Classes);
        Assert.Equal(3, summary.DistinctLabels);
        Assert.Equal(new Dictionary<int, int> { [2] = 1, [3] = 2 }, summary.LabelLengths);
        Assert.Equal(["20x10", "30x10"], summary.ImageSizes.Keys);
        Assert.Equal(2.0, summary.ImagesPerSecond);
    }

    [Fact]
    public void Folder_layouts_count_classes()
    {
        using var dir = new TempDir();
        DataFiles.Png(Path.Combine(dir.Path, "cat", "1.png"));
        DataFiles.Png(Path.Combine(dir.Path, "cat", "2.png"));
        DataFiles.Png(Path.Combine(dir.Path, "dog", "1.png"));
        var dataset = DatasetReader.Read(dir.Path);

        var summary = DatasetSummary.Compute(dataset, DatasetDecoder.Decode(dataset), TimeSpan.FromSeconds(1));

        Assert.True(summary.IsClassification);
        Assert.Equal(2, summary.Classes);
        var pixels = DatasetDecoder.Decode(dataset).Samples.SelectMany(s => s.Image.Pixels).Select(p => p / 255.0).ToList();
        double mean = pixels.Average();
        Assert.Equal(mean, summary.PixelMean, 9);
        Assert.Equal(Math.Sqrt(pixels.Average(p => (p - mean) * (p - mean))), summary.PixelStd, 9);
        Assert.Equal(new Dictionary<string, int> { ["cat"] = 2, ["dog"] = 1 }, summary.LabelCounts);
    }

    [Fact]
    public void The_sample_grid_is_a_png_with_four_columns_of_wide_cells_for_wide_images()
    {
        using var dir = new TempDir();
        var samples = Enumerable.Range(0, 20).Select(i => new Sample(DataFiles.Pattern(200, 50, i), $"s{i}", $"{i}.png")).ToList();

        var picked = SampleGrid.Pick(samples);
        SampleGrid.Write(picked, dir.File("grid.png"), title: "test");

        Assert.Equal(16, picked.Count);
        Assert.Equal(["s0", "s1", "s2", "s3", "s5"], picked.Take(5).Select(s => s.Label));
        var grid = ImageDecoder.DecodeFile(dir.File("grid.png"));
        Assert.True(grid.Width > 2 * grid.Height, $"grid is {grid.Width}x{grid.Height}");
        Assert.Contains(grid.Pixels, p => p < 50);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}

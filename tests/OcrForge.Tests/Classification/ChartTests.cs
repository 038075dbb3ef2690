using OcrForge.Inference.Imaging;
using OcrForge.Reports;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Classification;

public class ChartTests
{
    [Fact]
    public void Confusion_matrix_and_gan_grid_are_written_as_decodable_pngs()
    {
        using var dir = new TempDir();
        var metrics = new ClassificationMetrics(["a", "b", "c"]);
        metrics.Add(0, [2f, 1f, 0f]);
        metrics.Add(1, [2f, 1f, 0f]);
        ConfusionMatrixChart.Save(dir.File("confusion.png"), metrics, "test");
        var images = TinyCharacters.Make(perClass: 3).Select(s => s.Image).ToList();
        GanSampleGrid.Save(dir.File("grid.png"), images, "epoch 1");

        var confusion = ImageDecoder.DecodeFile(dir.File("confusion.png"));
        var grid = ImageDecoder.DecodeFile(dir.File("grid.png"));
        Assert.True(confusion.Width >= 600);
        // 12 images → a 4×4 grid of 3× scaled 32 px tiles with 2 px gaps, under a 24 px title band.
        Assert.Equal(4 * (96 + 2) + 2, grid.Width);
        Assert.Equal(24 + 3 * (96 + 2) + 2, grid.Height);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}

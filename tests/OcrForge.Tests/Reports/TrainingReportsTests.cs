using OcrForge.Inference.Imaging;
using OcrForge.Reports;
using OcrForge.Tests.Classification;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Reports;

public class TrainingReportsTests
{
    private static EpochRecord Epoch(int epoch, double validationLoss) =>
        new(epoch, 2.0 / epoch, 0.3 * epoch, validationLoss, 0.25 * epoch, new Dictionary<string, double>(), 1e-3, 1,
            100);

    [Fact]
    public void A_run_folder_gets_curves_confusion_and_gan_samples_under_their_names_as_decodable_pngs()
    {
        using var dir = new TempDir();
        var metrics = new ClassificationMetrics(["a", "b"]);
        metrics.Add(0, [2f, 1f]);
        metrics.Add(1, [2f, 1f]);
        var images = TinyCharacters.Make(perClass: 1).Select(s => s.Image).ToList();

        var curves = TrainingReports.WriteCurves(dir.Path, [Epoch(1, 1.5), Epoch(2, 0.9), Epoch(3, 1.1)], "tiny");
        var confusion = TrainingReports.WriteConfusion(dir.Path, metrics, "tiny-preset");
        var samples = TrainingReports.WriteGanSamples(dir.Path, 7, images);

        Assert.Equal(dir.File("curves.png"), curves);
        Assert.Equal(TrainingReports.CurvesPath(dir.Path), curves);
        Assert.Equal(dir.File("confusion.png"), confusion);
        Assert.Equal(dir.File("gan-epoch-007.png"), samples);
        // The sizes the charts are drawn at: curves 900×500, a confusion matrix at least 600 wide.
        var png = ImageDecoder.DecodeFile(curves!);
        Assert.Equal((900, 500), (png.Width, png.Height));
        Assert.True(ImageDecoder.DecodeFile(confusion).Width >= 600);
        Assert.True(ImageDecoder.DecodeFile(samples).Width > images[0].Width);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void No_epoch_yet_writes_no_curves()
    {
        using var dir = new TempDir();

        Assert.Null(TrainingReports.WriteCurves(dir.Path, [], "tiny"));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

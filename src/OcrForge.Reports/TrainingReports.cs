using OcrForge.Inference.Imaging;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Reports;

/// <summary>
/// The pictures a training run leaves in its run folder, beside its <c>log.csv</c>: <c>curves.png</c> (rewritten
/// after every epoch, so a long run can be watched), <c>confusion.png</c> of a classifier's held-out test images, and
/// <c>gan-epoch-NNN.png</c>, the generator's samples of an SGAN run. Front ends call these with what the run gives
/// them; the names and titles are decided here, once.
/// </summary>
public static class TrainingReports
{
    public const string CurvesFile = "curves.png";
    public const string ConfusionFile = "confusion.png";

    public static string CurvesPath(string runDirectory) => Path.Combine(runDirectory, CurvesFile);

    /// <summary>
    /// Writes <c>curves.png</c> of the epochs so far, marking the epoch of lowest validation loss (the one the run
    /// keeps); returns its path, or null when there is no epoch yet (nothing is written).
    /// </summary>
    public static string? WriteCurves(string runDirectory, IReadOnlyList<EpochRecord> history, string title)
    {
        if (history.Count == 0) return null;
        var path = CurvesPath(runDirectory);
        TrainingCurves.Save(path, history, history.MinBy(h => h.ValidationLoss)!.Epoch, title);
        return path;
    }

    /// <summary>Writes <c>confusion.png</c> of the test metrics of a classifier trained from
    /// <paramref name="preset"/>; returns its path.</summary>
    public static string WriteConfusion(string runDirectory, ClassificationMetrics test, string preset)
    {
        var path = Path.Combine(runDirectory, ConfusionFile);
        ConfusionMatrixChart.Save(path, test, $"{preset}, {test.Samples} held-out images");
        return path;
    }

    /// <summary>Writes <c>gan-epoch-NNN.png</c>, the generator's samples after an SGAN epoch; returns its
    /// path.</summary>
    public static string WriteGanSamples(string runDirectory, int epoch, IReadOnlyList<GrayImage> images)
    {
        var path = Path.Combine(runDirectory, $"gan-epoch-{epoch:D3}.png");
        GanSampleGrid.Save(path, images, $"SGAN samples, epoch {epoch}");
        return path;
    }
}

using OcrForge.IO;
using OcrForge.Training;
using ScottPlot;

namespace OcrForge.Reports;

/// <summary>
/// <c>curves.png</c>: training and validation loss (left axis, log scale as CTC losses span decades) and
/// training/validation accuracy (right axis, 0–1) per epoch, with the best epoch marked.
/// </summary>
public static class TrainingCurves
{
    public static void Save(string path, IReadOnlyList<EpochRecord> history, int bestEpoch, string title)
    {
        if (history.Count == 0) return;
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss (log10)");
        plot.Axes.Right.Label.Text = "accuracy";

        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        AddLine(plot, epochs, history.Select(h => Log(h.TrainLoss)), "train loss", Colors.Blue, right: false);
        AddLine(plot, epochs, history.Select(h => Log(h.ValidationLoss)), "validation loss", Colors.Orange,
            right: false);
        if (history.Any(h => !double.IsNaN(h.TrainAccuracy)))
            AddLine(plot, epochs, history.Select(h => h.TrainAccuracy), "train accuracy", Colors.Green, right: true);
        AddLine(plot, epochs, history.Select(h => h.ValidationAccuracy), "validation accuracy", Colors.Red,
            right: true);
        plot.Axes.SetLimitsY(0, 1.02, plot.Axes.Right);
        if (bestEpoch > 0)
        {
            var line = plot.Add.VerticalLine(bestEpoch);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"best epoch {bestEpoch}";
        }
        plot.ShowLegend(Alignment.MiddleRight);
        var png = plot.GetImageBytes(900, 500, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }

    private static double Log(double loss) => Math.Log10(Math.Max(loss, 1e-4));

    private static void AddLine(Plot plot, double[] xs, IEnumerable<double> ys, string label, Color color, bool right)
    {
        var scatter = plot.Add.Scatter(xs, ys.ToArray(), color);
        scatter.LegendText = label;
        scatter.MarkerSize = 0;
        if (right) scatter.Axes.YAxis = plot.Axes.Right;
    }
}

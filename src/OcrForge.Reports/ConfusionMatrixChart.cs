using OcrForge.IO;
using OcrForge.Training.Classification;
using ScottPlot;

namespace OcrForge.Reports;

/// <summary>
/// The confusion matrix as a PNG heatmap: true class down the left, predicted class along the bottom, cells shaded
/// by the fraction of the true class (so rare classes are as readable as common ones) and labelled with raw counts.
/// </summary>
public static class ConfusionMatrixChart
{
    public static void Save(string path, ClassificationMetrics metrics, string title)
    {
        var counts = metrics.ConfusionMatrix;
        int k = metrics.Labels.Count;
        var fractions = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            long support = 0;
            for (int p = 0; p < k; p++) support += counts[t, p];
            for (int p = 0; p < k; p++) fractions[t, p] = support == 0 ? double.NaN : (double)counts[t, p] / support;
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(fractions);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // With centred cell alignment the extent names the centres of the corner cells: cell centres land on whole
        // numbers. Row 0 of the array is drawn at the top, so true class t sits at y = k − 1 − t.
        heatmap.CellAlignment = Alignment.MiddleCenter;
        heatmap.Extent = new CoordinateRect(0, k - 1, 0, k - 1);
        plot.Add.ColorBar(heatmap).Label = "fraction of the true class";

        float fontSize = Math.Clamp(360f / k, 6f, 14f);
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
                if (counts[t, p] > 0)
                {
                    var text = plot.Add.Text(
                        counts[t, p].ToString(System.Globalization.CultureInfo.InvariantCulture), p, k - 1 - t);
                    text.LabelFontSize = fontSize;
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontColor = fractions[t, p] > 0.5 ? Colors.Black : Colors.White;
                }

        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions, metrics.Labels.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions, Enumerable.Range(0, k).Select(y => metrics.Labels[k - 1 - y]).ToArray());
        plot.Axes.Bottom.Label.Text = "predicted";
        plot.Axes.Left.Label.Text = "true";
        plot.Title($"{title}: accuracy {metrics.Accuracy:P2}");
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);

        int side = Math.Max(600, 28 * k + 200);
        var png = plot.GetImageBytes(side + 120, side, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }
}

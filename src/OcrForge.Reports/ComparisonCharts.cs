using System.Globalization;
using OcrForge.Evaluation;
using OcrForge.IO;
using ScottPlot;

namespace OcrForge.Reports;

/// <summary>
/// The bar charts of a model comparison, one PNG per question: accuracy.png (every accuracy metric, %),
/// size.png (file and gzip size, kB), latency.png (batch-1 p50 and p99, ms), throughput.png (batch-64 images/s).
/// Models stand along the x axis in the order given, the baseline first; every bar is labelled with its value.
/// </summary>
public static class ComparisonCharts
{
    public const string Accuracy = "accuracy.png", Size = "size.png", Latency = "latency.png",
        Throughput = "throughput.png";
    private const int Width = 900, Height = 500;

    public static IReadOnlyList<string> Save(ComparisonResult result, string directory)
    {
        var models = result.Models;
        string speedOn = $"{result.Threads} threads, {result.Machine.Cpu}";
        var accuracies = models[0].Metrics.Keys.Where(k => k != "cer").ToList();
        var charts = new (string File, string Title, string Unit, string Format, Series[] Series)[]
        {
            (Accuracy, $"accuracy on {result.Samples} images", "%", "0.0", accuracies
                .Select(k => new Series(ComparisonReport.MetricHeader(k), Percent(models, k))).ToArray()),
            (Size, "model size", "kB", "N0",
            [
                new("file", models.Select(m => m.FileBytes / 1024.0).ToArray()),
                new("gzip", models.Select(m => m.GzipBytes / 1024.0).ToArray()),
            ]),
            (Latency, $"latency, batch 1 ({speedOn})", "ms", "0.00",
            [
                new("p50", models.Select(m => m.LatencyP50Ms).ToArray()),
                new("p99", models.Select(m => m.LatencyP99Ms).ToArray()),
            ]),
            (Throughput, $"throughput, batch {ModelComparison.ThroughputBatch} ({speedOn})", "images/s", "N0",
            [
                new("images/s", models.Select(m => m.ImagesPerSecond).ToArray()),
            ]),
        };
        var names = models.Select(m => Path.GetFileName(m.Model)).ToArray();
        return charts.Select(c =>
        {
            var path = Path.Combine(directory, c.File);
            var png = Render(c.Title, c.Unit, c.Format, names, c.Series);
            AtomicFile.Write(path, s => s.Write(png));
            return path;
        }).ToList();
    }

    private static double[] Percent(IReadOnlyList<ComparedModel> models, string metric) =>
        models.Select(m => m.Metrics[metric] * 100).ToArray();

    private sealed record Series(string Name, double[] Values);

    /// <summary>Grouped bars: one group per model, one bar per series in it, a gap between groups.</summary>
    private static byte[] Render(string title, string unit, string format, string[] models, Series[] series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int groupWidth = series.Length + 1;
        var bars = new List<Bar>();
        for (int s = 0; s < series.Length; s++)
        {
            var color = palette.GetColor(s);
            for (int m = 0; m < models.Length; m++)
            {
                double value = series[s].Values[m];
                bars.Add(new Bar
                {
                    Position = m * groupWidth + s,
                    Value = value,
                    FillColor = color,
                    Label = value.ToString(format, CultureInfo.InvariantCulture),
                });
            }
            if (series.Length > 1)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = color });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 13;

        // Tick under the middle of each group.
        double[] centres = models.Select((_, m) => m * groupWidth + (series.Length - 1) / 2.0).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(centres, models);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.Label.Text = unit;
        plot.Title(title);
        // Bars start at zero; headroom above the tallest keeps its label inside the frame.
        double top = series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max();
        // Percentages on their whole 0–100 scale (plus room for the labels), so small differences look small.
        double limit = unit == "%" ? 106 : top > 0 ? top * 1.15 : 1;
        plot.Axes.SetLimits(-1, models.Length * groupWidth - 1, 0, limit);
        // Outside the data area, so no legend hides a bar label.
        if (series.Length > 1) plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}

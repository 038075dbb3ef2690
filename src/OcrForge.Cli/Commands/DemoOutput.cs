using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Inference.Decoding;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>The demo's two tables: a few test captchas read, and the four models side by side.</summary>
public static class DemoOutput
{
    /// <summary>
    /// The first <paramref name="count"/> images of a folder of LABEL.png files, with what the model read. A file
    /// that does not decode is passed over: the evaluation step before has named it among the skipped files.
    /// </summary>
    public static Table Predictions(TextRecognizer recognizer, string folder, int count)
    {
        var table = new Table().AddColumns("image", "truth", "read", "confidence", "");
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            if (table.Rows.Count == count) break;
            var truth = DatasetReader.FilenameLabel(file);
            Prediction p;
            try
            {
                p = recognizer.Predict(file);
            }
            catch (OcrForgeException)
            {
                continue;
            }
            table.AddRow(Markup.Escape(Path.GetFileName(file)), Markup.Escape(truth), Markup.Escape(p.Text),
                $"{p.Confidence:0.###}", p.Text == truth ? "[green]✓[/]" : "[red]✗[/]");
        }
        return table;
    }

    /// <summary>The demo's short table fits any console; the full one is in the report.</summary>
    public static Table Comparison(ComparisonResult compared)
    {
        var table = new Table().AddColumns("model", "size", "gzip", "seq. acc.", "p50 b=1", "img/s b=64");
        foreach (var m in compared.Models)
            table.AddRow(Markup.Escape(Path.GetFileName(m.Model)), $"{m.FileBytes / 1024.0:0} kB",
                $"{m.GzipBytes / 1024.0:0} kB", $"{m.Accuracy:P1}", $"{m.LatencyP50Ms:0.00} ms",
                $"{m.ImagesPerSecond:0}");
        return table;
    }
}

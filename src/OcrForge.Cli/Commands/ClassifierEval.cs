using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OcrForge.Data;
using OcrForge.Inference.Engines;
using OcrForge.Reports;
using OcrForge.Training.Classification;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>The character-classifier path of <c>ocrforge eval</c>.</summary>
public static class ClassifierEval
{
    /// <summary>The classifier-only options of <c>eval</c>.</summary>
    public sealed record Options(Option<string> Split, Option<string?> ConfusionPng);

    public static Options AddOptions(Command eval)
    {
        var split = new Option<string>("--split")
        {
            Description = "Classifiers: all, or train/validation/test = that part of the split this model was trained "
                + "with, on the same folder (default all: eval measures what it is given; quantize defaults to train, "
                + "since it calibrates on training images).",
            DefaultValueFactory = _ => "all",
        };
        var confusion = new Option<string?>("--confusion-png")
        {
            Description = "Classifiers: write the confusion matrix as a PNG.",
        };
        eval.Options.Add(split);
        eval.Options.Add(confusion);
        return new Options(split, confusion);
    }

    /// <summary>
    /// Evaluates a classifier on a labelled folder. With <paramref name="split"/> = "test" (or "validation") and a
    /// model trained by OcrForge on that same folder, only the images held out from its training are used: the split
    /// is recomputed from the seed and fractions stored in the model file.
    /// </summary>
    public static int Run(IOcrEngine engine, string modelPath, string data, DatasetFormat format, string split,
        bool json, string? confusionPng)
    {
        var charset = engine.Info.Charset;
        var (_, images, problems) = CharacterData.Load(data, format, spec: null, charset);
        images = RecordedSplit.Select(images, charset, split, engine.Info.Training, modelPath);
        var result = ClassifierEvaluation.Evaluate(engine, images);
        var m = result.Metrics;
        if (confusionPng is not null)
            ConfusionMatrixChart.Save(confusionPng, m, $"{Path.GetFileName(modelPath)} on {m.Samples} images");
        Cli.WarnSkipped(problems);
        if (json)
        {
            JsonOutput.Write(Document(engine.Name, modelPath, data, split, problems.Count, result));
            return Cli.Ok;
        }
        var table = new Table().AddColumns("class", "support", "precision", "recall");
        foreach (var c in m.PerClass().Where(c => c.Support > 0))
            table.AddRow(Markup.Escape(c.Label), c.Support.ToString(CultureInfo.InvariantCulture), Pct(c.Precision),
                Pct(c.Recall));
        AnsiConsole.Write(table);
        var speed = $"{result.ImagesPerSecond:F0} images/s ({engine.Name})";
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{m.Samples} images ({split}): accuracy {m.Accuracy:P2}, top-3 {m.Top3Accuracy:P2}[/], {speed}");
        var confusions = string.Join(", ", m.TopConfusions(8).Select(c => $"{c.Truth}→{c.Predicted} ×{c.Count}"));
        if (confusions.Length > 0) AnsiConsole.MarkupLineInterpolated($"most confused: {confusions}");
        return Cli.Ok;
    }

    private static JsonObject Document(string engine, string modelPath, string data, string split, int skipped,
        ClassifierEvaluationResult result)
    {
        var m = result.Metrics;
        var perClass = new JsonObject();
        foreach (var c in m.PerClass().Where(c => c.Support > 0 || c.Predicted > 0))
            perClass[c.Label] = new JsonObject
            {
                ["support"] = c.Support,
                ["precision"] = double.IsNaN(c.Precision) ? null : Math.Round(c.Precision, 4),
                ["recall"] = double.IsNaN(c.Recall) ? null : Math.Round(c.Recall, 4),
            };
        return new JsonObject
        {
            ["model"] = modelPath,
            ["engine"] = engine,
            ["data"] = data,
            ["split"] = split,
            ["samples"] = m.Samples,
            ["skipped"] = skipped,
            ["accuracy"] = Math.Round(m.Accuracy, 6),
            ["top3_accuracy"] = Math.Round(m.Top3Accuracy, 6),
            ["images_per_second"] = Math.Round(result.ImagesPerSecond, 1),
            ["per_class"] = perClass,
            ["top_confusions"] = new JsonArray(m.TopConfusions(10).Select(c => (JsonNode)new JsonObject
            {
                ["expected"] = c.Truth,
                ["predicted"] = c.Predicted,
                ["count"] = c.Count,
            }).ToArray()),
        };
    }

    private static string Pct(double v) => double.IsNaN(v) ? "–" : v.ToString("P1", CultureInfo.InvariantCulture);
}

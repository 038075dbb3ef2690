using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Reports;
using OcrForge.Training.Classification;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>The character-classifier paths of `ocrforge eval` and `ocrforge predict`.</summary>
public static class ClassificationCommands
{
    /// <summary>The classifier-only options of `eval`.</summary>
    public sealed record EvalOptions(Option<string> Split, Option<string?> ConfusionPng, Option<bool> Json);

    public static EvalOptions AddEvalOptions(Command eval)
    {
        var split = new Option<string>("--split") { Description = "Classifiers: all, or train/validation/test = that part of the split this model was trained with, on the same folder.", DefaultValueFactory = _ => "all" };
        var confusion = new Option<string?>("--confusion-png") { Description = "Classifiers: write the confusion matrix as a PNG." };
        eval.Options.Add(split);
        eval.Options.Add(confusion);
        return new EvalOptions(split, confusion, (Option<bool>)eval.Options.First(o => o.Name == "--json"));
    }

    public static Option<int> AddPredictOptions(Command predict)
    {
        var top = new Option<int>("--top") { Description = "Classifiers: print the N most probable classes.", DefaultValueFactory = _ => 1 };
        predict.Options.Add(top);
        return top;
    }

    public static int Eval(IOcrEngine engine, string modelPath, string data, DatasetFormat format, EvalOptions options, ParseResult parse) =>
        Eval(engine, modelPath, data, format, parse.GetValue(options.Split)!, parse.GetValue(options.Json), parse.GetValue(options.ConfusionPng));

    /// <summary>
    /// Evaluates a classifier on a labelled folder. With <paramref name="split"/> = "test" (or "validation") and a
    /// model trained by OcrForge on that same folder, only the images held out from its training are used: the split
    /// is recomputed from the seed and fractions stored in the model file.
    /// </summary>
    public static int Eval(IOcrEngine engine, string modelPath, string data, DatasetFormat format, string split, bool json, string? confusionPng)
    {
        var charset = engine.Info.Charset;
        var (_, images, problems) = CharacterData.Load(data, format, spec: null, charset);
        images = RecordedSplit.Select(images, charset, split, engine.Info.Training, modelPath);
        var result = ClassifierEvaluation.Evaluate(engine, images);
        var m = result.Metrics;
        if (confusionPng is not null) ConfusionMatrixChart.Save(confusionPng, m, $"{Path.GetFileName(modelPath)} on {m.Samples} images");

        if (json)
        {
            var perClass = new JsonObject();
            foreach (var c in m.PerClass().Where(c => c.Support > 0 || c.Predicted > 0))
                perClass[c.Label] = new JsonObject
                {
                    ["support"] = c.Support,
                    ["precision"] = double.IsNaN(c.Precision) ? null : Math.Round(c.Precision, 4),
                    ["recall"] = double.IsNaN(c.Recall) ? null : Math.Round(c.Recall, 4),
                };
            var doc = new JsonObject
            {
                ["model"] = modelPath,
                ["engine"] = engine.Name,
                ["data"] = data,
                ["split"] = split,
                ["samples"] = m.Samples,
                ["skipped"] = problems.Count,
                ["accuracy"] = Math.Round(m.Accuracy, 6),
                ["top3_accuracy"] = Math.Round(m.Top3Accuracy, 6),
                ["images_per_second"] = Math.Round(result.ImagesPerSecond, 1),
                ["per_class"] = perClass,
                ["top_confusions"] = new JsonArray(m.TopConfusions(10).Select(c => (JsonNode)new JsonObject
                {
                    ["true"] = c.Truth,
                    ["predicted"] = c.Predicted,
                    ["count"] = c.Count,
                }).ToArray()),
            };
            Console.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Cli.Ok;
        }

        Cli.WarnSkipped(problems);
        var table = new Table().AddColumns("class", "support", "precision", "recall");
        foreach (var c in m.PerClass().Where(c => c.Support > 0))
            table.AddRow(Markup.Escape(c.Label), c.Support.ToString(CultureInfo.InvariantCulture), Pct(c.Precision), Pct(c.Recall));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[bold]{m.Samples} images ({split}): accuracy {m.Accuracy:P2}, top-3 {m.Top3Accuracy:P2}[/], {result.ImagesPerSecond:F0} images/s ({engine.Name})");
        var confusions = string.Join(", ", m.TopConfusions(8).Select(c => $"{c.Truth}→{c.Predicted} ×{c.Count}"));
        if (confusions.Length > 0) AnsiConsole.MarkupLineInterpolated($"most confused: {confusions}");
        return Cli.Ok;
    }

    /// <summary>Prints the most probable class of each image and its probability (the top <paramref name="top"/> on request).</summary>
    public static int Predict(IOcrEngine engine, IReadOnlyList<string> imagePaths, int top, bool json)
    {
        // Not disposed here: the engine belongs to the caller.
        var classifier = new CharacterClassifier(engine);
        var results = new JsonArray();
        foreach (var path in imagePaths)
        {
            var scores = classifier.Predict(ImageDecoder.DecodeFile(path), Math.Max(1, top));
            if (json)
            {
                results.Add(new JsonObject
                {
                    ["image"] = path,
                    ["class"] = scores[0].Label,
                    ["probability"] = Math.Round(scores[0].Probability, 6),
                    ["top"] = new JsonArray(scores.Select(s => (JsonNode)new JsonObject { ["class"] = s.Label, ["probability"] = Math.Round(s.Probability, 6) }).ToArray()),
                });
            }
            else
            {
                var rest = top > 1 ? "   (" + string.Join(", ", scores.Skip(1).Select(s => $"{s.Label} {s.Probability:P1}")) + ")" : "";
                Console.WriteLine($"{path}\t{scores[0].Label}\t{scores[0].Probability.ToString("P1", CultureInfo.InvariantCulture)}{rest}");
            }
        }
        if (json) Console.WriteLine(results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Cli.Ok;
    }

    private static string Pct(double v) => double.IsNaN(v) ? "–" : v.ToString("P1", CultureInfo.InvariantCulture);
}

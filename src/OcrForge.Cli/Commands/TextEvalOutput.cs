using System.Globalization;
using OcrForge.Evaluation;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>eval</c> prints for a text recogniser: the <c>--json</c> document, or a table.</summary>
public static class TextEvalOutput
{
    /// <summary>
    /// The report's fields in print order; <see cref="LexiconCliOptions.Describe"/> adds the lexicon's.
    /// </summary>
    public static Dictionary<string, object> Report(TextEvaluationResult r, string modelPath, string engine,
        int beam) =>
        new()
        {
            ["model"] = modelPath,
            ["engine"] = engine,
            ["data"] = r.Data,
            ["beam"] = beam,
            ["samples"] = r.Metrics.Samples,
            ["skipped"] = r.Problems.Count,
            ["sequence_accuracy"] = r.Metrics.SequenceAccuracy,
            ["character_accuracy"] = r.Metrics.CharacterAccuracy,
            ["cer"] = r.Metrics.Cer,
            ["wer"] = r.Metrics.Wer,
            ["images_per_second"] = r.ImagesPerSecond,
            ["mistakes"] = r.Mistakes,
            ["top_confusions"] = r.TopConfusions,
        };

    public static void Print(Dictionary<string, object> report, TextEvaluationResult r)
    {
        var table = new Table().AddColumns("metric", "value");
        foreach (var (key, value) in report.Where(kv => kv.Key is not ("mistakes" or "top_confusions")))
            table.AddRow(key, Markup.Escape(value switch
            {
                double d when key.Contains("accuracy") => d.ToString("P2", CultureInfo.InvariantCulture),
                double d => d.ToString("0.####", CultureInfo.InvariantCulture),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
            }));
        AnsiConsole.Write(table);
        if (r.Mistakes.Count > 0)
        {
            AnsiConsole.MarkupLine("first mistakes (expected → predicted, confidence):");
            foreach (var m in r.Mistakes)
                AnsiConsole.MarkupLineInterpolated(
                    $"  {Path.GetFileName(m.Path)}: {m.Expected} → {m.Predicted} ({m.Confidence:0.###})");
        }
        if (r.TopConfusions.Count > 0)
        {
            var errors = string.Join(", ", r.TopConfusions);
            AnsiConsole.WriteLine($"most frequent symbol errors (expected→predicted count, ∅ = nothing): {errors}");
        }
    }
}

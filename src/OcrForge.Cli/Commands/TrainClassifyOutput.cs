using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>train classify</c> prints: its JSON document (docs/cli-json.md) or the summary lines with the
/// held-out test and the most frequent confusions.</summary>
public static class TrainClassifyOutput
{
    public static void Print(RunResult outcome, RunSpecification spec, string outPath, bool json,
        CrossValidationResult? estimate)
    {
        var r = outcome.Training;
        var t = outcome.Test!;
        long parameters = outcome.Model.Module.ParameterCount();
        string runDirectory = spec.Training.RunDirectory;
        if (json)
        {
            TrainingJson.Write("classification", outcome, spec, outPath, estimate, "test", new
            {
                images = t.Samples, accuracy = t.Accuracy, top3_accuracy = t.Top3Accuracy,
                top_confusions = t.TopConfusions(5)
                    .Select(c => new { expected = c.Truth, predicted = c.Predicted, count = c.Count }).ToList(),
            });
            return;
        }
        if (r.ResumedFromEpoch > 0) AnsiConsole.MarkupLineInterpolated($"resumed after epoch {r.ResumedFromEpoch}");
        AnsiConsole.MarkupLine("[green]saved[/] " + Markup.Escape(
            $"{outPath}: best epoch {r.BestEpoch} of {r.History.Count}, {outcome.TrainCount} labelled / " +
            $"{outcome.UnlabeledCount} unlabelled / {outcome.ValidationCount} validation images, " +
            $"{parameters:N0} parameters, {r.Elapsed.TotalSeconds:0}s"));
        AnsiConsole.MarkupLine("[bold]" + Markup.Escape(
            $"held-out test: accuracy {t.Accuracy:P2}, top-3 {t.Top3Accuracy:P2} on {t.Samples} images") + "[/]" +
            Markup.Escape($"; logs and {Reports.TrainingReports.ConfusionFile} in {runDirectory}"));
        var confusions = string.Join(", ", t.TopConfusions(5).Select(c => $"{c.Truth}→{c.Predicted} ×{c.Count}"));
        if (confusions.Length > 0) AnsiConsole.MarkupLineInterpolated($"most confused: {confusions}");
    }
}

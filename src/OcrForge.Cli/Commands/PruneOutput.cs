using OcrForge.Compression.Pruning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>prune</c> prints without --json: the channels or sparsity per layer, the two models side by
/// side, and one summary line.</summary>
public static class PruneOutput
{
    public static void Print(PruneOutcome outcome, string source, string target)
    {
        if (outcome.Channels.Count > 0)
        {
            var channels = new Table().AddColumns("convolution", "channels before", "after");
            foreach (var c in outcome.Channels) channels.AddRow(c.Layer, $"{c.Before}", $"{c.After}");
            AnsiConsole.Write(channels);
        }
        else
        {
            var layers = new Table().AddColumns("layer", "weights", "zeros", "sparsity");
            foreach (var l in outcome.Layers)
                layers.AddRow(Markup.Escape(l.Name), $"{l.Total:N0}", $"{l.Zeros:N0}", $"{l.Sparsity:P1}");
            AnsiConsole.Write(layers);
        }
        var compare = new Table().AddColumns("model", outcome.MetricName, "parameters", "file", "gzip");
        var rows = new[]
        {
            (source, outcome.Before, outcome.ParametersBefore), (target, outcome.After, outcome.ParametersAfter),
        };
        foreach (var (path, metric, count) in rows)
            compare.AddRow(Markup.Escape(Path.GetFileName(path)), $"{metric:P2}", $"{count:N0}",
                Kb(new FileInfo(path).Length), Kb(Pruning.CompressedSize(path)));
        AnsiConsole.Write(compare);
        var what = outcome.Channels.Count > 0
            ? $"{outcome.ParametersAfter:N0} parameters instead of {outcome.ParametersBefore:N0}"
            : $"{MagnitudePruner.Overall(outcome.Layers):P1} of the pruned weights are zero";
        AnsiConsole.MarkupLine("[green]saved[/] " + Markup.Escape(
            $"{target}: {what}; {outcome.MetricName} {outcome.Before:P2} → {outcome.After:P2} on " +
            $"{outcome.EvaluatedSamples} held-out images; best epoch {outcome.Training.BestEpoch} of " +
            $"{outcome.Training.History.Count}"));
    }

    private static string Kb(long bytes) => $"{bytes / 1024.0:0.#} kB";
}

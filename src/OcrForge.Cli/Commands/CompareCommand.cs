using System.CommandLine;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Reports;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge compare</c>: models side by side on the same images (size, weights, accuracy, speed, ratios to the
/// first model), printed and, with <c>--out</c>, written as JSON, CSV, Markdown and bar charts.
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var models = SharedOptions.Models(
            "Model files (.ocrf runs in TorchSharp, .onnx in ONNX Runtime); the first is the baseline.");
        var data = SharedOptions.Data("Labelled images all models run on.");
        var format = SharedOptions.Format();
        var split = new Option<string>("--split")
        {
            Description = "Classifiers: all, or train/validation/test of the split the baseline was trained with "
                + "(default all, as eval; quantize defaults to train on purpose, since it calibrates on training "
                + "images).",
            DefaultValueFactory = _ => "all",
        };
        var output = SharedOptions.OptionalOut(
            "Folder for comparison.json/.csv/.md and the charts accuracy/size/latency/throughput.png.");
        var threads = SharedOptions.Threads("Inference threads (default: all cores).");
        var seconds = new Option<double>("--seconds")
        {
            Description = "Least time per latency and throughput measurement.",
            DefaultValueFactory = _ => 1,
        };
        var json = SharedOptions.Json("Print the comparison as one JSON document.");
        var command = new Command("compare",
            "Compare models on the same images: parameters, size, accuracy, latency, throughput, ratios to the first." +
            " " +
            "Exit code 2 when a model could not be loaded (the others are still compared).");
        foreach (var o in new Option[] { models, data, format, split, output, threads, seconds, json })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var request = new ComparisonRequest
            {
                Models = parse.GetValue(models)!,
                Data = parse.GetValue(data)!,
                Format = parse.GetValue(format),
                Split = parse.GetValue(split)!,
                Threads = parse.GetValue(threads),
                Seconds = parse.GetValue(seconds),
            };
            using var cancel = new CancelOnCtrlC();
            var result = ModelComparison.Run(request, new StatusLines(), cancel.Token);
            Cli.WarnSkipped(result.Problems, "all are listed by --json");
            foreach (var failure in result.Failures) Cli.Warn($"{failure.Model}: not compared: {failure.Reason}");
            if (parse.GetValue(output) is { } dir)
            {
                var written = ComparisonReport.Write(result, dir).Concat(ComparisonCharts.Save(result, dir));
                Console.Error.WriteLine($"wrote {string.Join(", ", written.Select(Path.GetFileName))} to {dir}");
            }
            if (parse.GetValue(json)) JsonOutput.Write(result);
            else Print(result);
            return result.Failures.Count == 0 ? Cli.Ok : Cli.BadInput;
        }));
        return command;
    }

    /// <summary>
    /// Markdown when piped, since Spectre would cut a table this wide to the 80 columns it assumes without a
    /// terminal. On a terminal, models side by side as columns and measures as rows: 17 measure columns would
    /// need about 200 characters, while four models fit in about 110.
    /// </summary>
    public static void Print(ComparisonResult result)
    {
        if (Console.IsOutputRedirected)
        {
            Console.Write(ComparisonReport.ToMarkdown(result));
            return;
        }
        var (headers, rows) = ComparisonReport.Table(result);
        var table = new Table().AddColumn("");
        foreach (var row in rows) table.AddColumn(new TableColumn(Markup.Escape(row[0])).RightAligned());
        for (int i = 1; i < headers.Count; i++)
            table.AddRow(rows.Select(r => r[i]).Prepend(headers[i]).Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(
            $"{result.Samples} images of {result.Data}; baseline {result.Baseline}; {result.Threads} threads");
    }

    /// <summary>Status on stderr, so stdout holds only the table or JSON; written at once, in order.</summary>
    private sealed class StatusLines : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }
}

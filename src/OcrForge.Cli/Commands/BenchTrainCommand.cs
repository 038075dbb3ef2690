using System.CommandLine;
using OcrForge.Models;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge bench train</c>: training images/s of the pipeline next to a bare TorchSharp loop, one run.
/// </summary>
public static class BenchTrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset")
        {
            Description = "CTC model preset.", DefaultValueFactory = _ => CtcTraining.DefaultPreset,
        };
        var data = SharedOptions.Data("Labelled text-line images.");
        var set = new Option<string[]>("--set")
        {
            Description = "Override a preset's setting: key=value (repeatable).",
        };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 16 };
        var threads = SharedOptions.Threads("Torch threads (default: all cores).");
        var json = SharedOptions.Json("Print the result as one JSON document (progress lines go to stderr).");
        var command = new Command("train",
            "Training images/s: the OcrForge pipeline next to a bare TorchSharp loop over in-memory tensors.");
        foreach (var o in new Option[] { preset, data, set, batch, threads, json }) command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            int batchSize = parse.GetValue(batch);
            if (batchSize < 1) throw new Inference.OcrForgeException($"--batch-size {batchSize}: expected at least 1");
            var runDirectory = Path.Combine(Path.GetTempPath(), $"ocrforge-bench-{Environment.ProcessId}");
            try
            {
                var r = TrainingBenchmark.Run(parse.GetValue(data)!, parse.GetValue(preset)!,
                    ModelRegistry.ParseOverrides(parse.GetValue(set) ?? []), batchSize, parse.GetValue(threads),
                    runDirectory, new TimingLines(parse.GetValue(json)));
                Cli.WarnSkipped(r.Problems, "all are listed by --json");
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(r);
                    return Cli.Ok;
                }
                var table = new Table().AddColumns("", "images/s").Title($"{r.Preset}: {r.Parameters:N0} parameters, "
                    + $"{r.Images} images, batch {r.BatchSize}, {r.Threads} threads");
                table.AddRow("bare TorchSharp loop", $"{r.BareImagesPerSecond:0.0}");
                table.AddRow("pipeline, training steps",
                    $"{r.PipelineStepImagesPerSecond:0.0} ({r.StepOverhead:+0.0%;-0.0%} overhead)");
                table.AddRow("pipeline, whole epoch (+ validation, checkpoint, logs)",
                    $"{r.PipelineEpochImagesPerSecond:0.0}");
                AnsiConsole.Write(table);
                return Cli.Ok;
            }
            finally
            {
                if (Directory.Exists(runDirectory)) Directory.Delete(runDirectory, recursive: true);
            }
        }));
        return command;
    }

    /// <summary>
    /// "timing …" lines, in order as they come; on stderr under --json, so stdout holds the document only.
    /// </summary>
    private sealed class TimingLines(bool toStderr) : IProgress<string>
    {
        public void Report(string value)
        {
            if (toStderr) Console.Error.WriteLine($"timing {value}…");
            else AnsiConsole.MarkupLineInterpolated($"[grey]timing {value}…[/]");
        }
    }
}

using System.CommandLine;
using System.Globalization;
using OcrForge.Evaluation;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge bench</c>: inference latency and throughput of one or more models, per engine, batch size and thread
/// count. Other benchmarks are its subcommands.
/// </summary>
public static class BenchCommands
{
    /// <param name="subcommands">
    /// Benchmarks of other parts (e.g. <c>bench train</c>), under the same <c>bench</c>.
    /// </param>
    public static Command Create(params Command[] subcommands)
    {
        var models = SharedOptions.Models(
            "Model files (.ocrf or .onnx); several are measured in one run, so their ratios are comparable.");
        var data = SharedOptions.Data("Images to feed (any dataset layout).");
        var engine = new Option<string>("--engine")
        {
            Description = "torch, onnx or all (default: by file type; all = both engines for .ocrf files, "
                + "exporting to ONNX in memory).",
        };
        var batches = new Option<string>("--batch")
        {
            Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,16,64",
        };
        // A list here: bench measures each thread count in turn (the one --threads that is not a single number).
        var threads = new Option<string>("--threads")
        {
            Description = "Thread counts, comma-separated.",
            DefaultValueFactory = _ => Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Least time per measurement (after warm-up).", DefaultValueFactory = _ => 2,
        };
        var json = SharedOptions.Json("Print the results and the machine description as one JSON document.");
        var command = new Command("bench",
            "Measure inference latency (p50/p90/p99) and throughput; subcommands benchmark other parts.");
        foreach (var o in new Option[] { models, data, engine, batches, threads, seconds, json })
            command.Options.Add(o);
        foreach (var sub in subcommands) command.Subcommands.Add(sub);
        command.SetAction(parse => Cli.Run(() =>
        {
            var request = new InferenceBenchRequest
            {
                Models = parse.GetValue(models)!,
                Data = parse.GetValue(data)!,
                Engine = parse.GetValue(engine),
                BatchSizes = Numbers(parse.GetValue(batches)!, "--batch"),
                ThreadCounts = Numbers(parse.GetValue(threads)!, "--threads"),
                MinSeconds = parse.GetValue(seconds),
            };
            bool asJson = parse.GetValue(json);
            var machine = MachineInfo.Describe();
            var (results, problems) = InferenceBenchmark.Run(request, asJson ? null : new MeasureLines());
            Cli.WarnSkipped(problems, "all are listed by --json");
            if (asJson)
            {
                JsonOutput.Write(new { machine, results, skipped = problems.Count, problems });
                return Cli.Ok;
            }
            var table = new Table()
                .AddColumns("model", "engine", "threads", "batch", "p50 ms", "p90 ms", "p99 ms", "images/s");
            foreach (var r in results)
                table.AddRow(Markup.Escape(r.Model), r.Engine, $"{r.Threads}", $"{r.Batch}", $"{r.P50Ms:0.###}",
                    $"{r.P90Ms:0.###}", $"{r.P99Ms:0.###}", $"{r.ImagesPerSecond:0}");
            AnsiConsole.Write(table);
            var (flags, load, onnx) = (string.Join(' ', machine.IsaFlags), machine.LoadAverage, machine.OnnxRuntime);
            AnsiConsole.MarkupLineInterpolated(
                $"{machine.Cpu}, {machine.Cores} cores, {flags}; load average {load}; ONNX Runtime {onnx}");
            return Cli.Ok;
        }));
        return command;
    }

    internal static int[] Numbers(string list, string option) =>
        list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, out int n) && n > 0 ? n
                : throw new OcrForgeException($"{option} {list}: expected positive whole numbers like 1,16,64"))
            .ToArray() is { Length: > 0 } values ? values : throw new OcrForgeException($"{option}: empty list");

    /// <summary>One grey line per measurement as it finishes, written at once, in order.</summary>
    private sealed class MeasureLines : IProgress<BenchResult>
    {
        public void Report(BenchResult r)
        {
            var speed = $"p50 {r.P50Ms:0.###} ms, {r.ImagesPerSecond:0} images/s";
            AnsiConsole.MarkupLineInterpolated(
                $"[grey]{r.Model} {r.Engine} batch {r.Batch} threads {r.Threads}: {speed}[/]");
        }
    }
}

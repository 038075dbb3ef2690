using System.CommandLine;
using System.Text.Json;
using OcrForge.Data;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.IO;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge bench</c>: inference latency and throughput of one or more models, per engine, batch size and thread
/// count. Other benchmarks are its subcommands.
/// </summary>
public static class BenchCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="subcommands">Benchmarks of other parts (e.g. <c>bench train</c>), under the same <c>bench</c>.</param>
    public static Command Create(params Command[] subcommands)
    {
        var models = new Option<string[]>("--model", "-m") { Description = "Model files (.ocrf or .onnx); several are measured in one run, so their ratios are comparable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var data = new Option<string>("--data") { Description = "Images to feed (any dataset layout).", Required = true };
        var engine = new Option<string>("--engine") { Description = "torch, onnx or all (default: by file type; all = both engines for .ocrf files, exporting to ONNX in memory)." };
        var batches = new Option<string>("--batch") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,16,64" };
        var threads = new Option<string>("--threads") { Description = "Thread counts, comma-separated.", DefaultValueFactory = _ => Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var seconds = new Option<double>("--seconds") { Description = "Least time per measurement (after warm-up).", DefaultValueFactory = _ => 2 };
        var json = new Option<bool>("--json") { Description = "Print the results and the machine description as JSON." };
        var command = new Command("bench", "Measure inference latency (p50/p90/p99) and throughput; subcommands benchmark other parts.");
        foreach (var o in new Option[] { models, data, engine, batches, threads, seconds, json }) command.Options.Add(o);
        foreach (var sub in subcommands) command.Subcommands.Add(sub);
        command.SetAction(parse => Cli.Run(() =>
        {
            var batchSizes = Numbers(parse.GetValue(batches)!, "--batch");
            var threadCounts = Numbers(parse.GetValue(threads)!, "--threads");
            var files = parse.GetValue(models)!;
            var first = OpenEngines(files[0], parse.GetValue(engine), null).First();
            var spec = first.Engine.Info.Preprocess;
            first.Engine.Dispose();
            var dataset = DatasetReader.Read(parse.GetValue(data)!);
            var decoded = spec.VariableWidth ? DatasetDecoder.Decode(dataset, spec) : DatasetDecoder.Decode(dataset, spec.Width, spec.Height);
            var images = decoded.Samples.Take(batchSizes.Max()).Select(s => s.Image).ToList();
            var input = EngineInput.Prepare(images, spec);

            var machine = MachineInfo.Describe();
            var results = new List<BenchResult>();
            foreach (int t in threadCounts)
                foreach (var file in files)
                    foreach (var (name, e) in OpenEngines(file, parse.GetValue(engine), t))
                        using (e)
                        {
                            if (e.Info.Preprocess != spec) throw new OcrForgeException($"{file}: input {e.Info.Preprocess.Width}x{e.Info.Preprocess.Height} differs from {files[0]}; bench models of one input size together");
                            foreach (int b in batchSizes)
                            {
                                var r = EngineBenchmark.Measure(e, name, input, b, t, minSeconds: parse.GetValue(seconds));
                                results.Add(r);
                                if (!parse.GetValue(json)) AnsiConsole.MarkupLineInterpolated($"[grey]{name} {r.Engine} batch {b} threads {t}: p50 {r.P50Ms:0.###} ms, {r.ImagesPerSecond:0} images/s[/]");
                            }
                        }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { machine, results }, Json));
                return Cli.Ok;
            }
            var table = new Table().AddColumns("model", "engine", "threads", "batch", "p50 ms", "p90 ms", "p99 ms", "images/s");
            foreach (var r in results)
                table.AddRow(Markup.Escape(r.Model), r.Engine, $"{r.Threads}", $"{r.Batch}", $"{r.P50Ms:0.###}", $"{r.P90Ms:0.###}", $"{r.P99Ms:0.###}", $"{r.ImagesPerSecond:0}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"{machine.Cpu}, {machine.Cores} cores, {string.Join(' ', machine.IsaFlags)}; load average {machine.LoadAverage}; ONNX Runtime {machine.OnnxRuntime}");
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>The engines to measure for one file: by file type, or both for an .ocrf with <c>--engine all</c>.</summary>
    private static IEnumerable<(string Name, IOcrEngine Engine)> OpenEngines(string file, string? engine, int? threads)
    {
        string name = Path.GetFileName(file);
        bool onnxFile = Path.GetExtension(file).Equals(".onnx", StringComparison.OrdinalIgnoreCase);
        if (engine is not (null or "all" or "torch" or "onnx"))
            throw new OcrForgeException($"--engine {engine}: unknown engine (known: torch, onnx, all)");
        if (onnxFile || engine is null or "torch")
        {
            if (onnxFile && engine == "torch") throw new OcrForgeException($"{file}: an ONNX file runs on the onnx engine only");
            yield return (name, EngineFactory.Open(file, onnxFile ? "onnx" : "torch", threads));
            yield break;
        }
        if (engine == "all") yield return (name, EngineFactory.Open(file, "torch", threads));
        using var model = TrainedModel.Load(file);
        yield return (name, new OnnxEngine(OnnxWriter.Serialize(OnnxExporter.Export(model)), file, threads));
    }

    internal static int[] Numbers(string list, string option) =>
        list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, out int n) && n > 0 ? n : throw new OcrForgeException($"{option} {list}: expected positive whole numbers like 1,16,64"))
            .ToArray() is { Length: > 0 } values ? values : throw new OcrForgeException($"{option}: empty list");
}

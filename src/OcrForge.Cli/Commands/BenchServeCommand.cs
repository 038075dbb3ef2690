using System.CommandLine;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Server.Auth;
using OcrForge.Server.Load;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge bench serve</c>: requests/s and latency of a running <c>ocrforge serve</c> here.</summary>
public static class BenchServeCommand
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    public static Command Create()
    {
        var url = Option("--url", "The server (loopback only).", "http://127.0.0.1:5080");
        var data = SharedOptions.Data("Folder of images, one per request.");
        var concurrency = Option("--concurrency", "Concurrent clients, comma-separated levels.", "1,8,32");
        var requests = Option("--requests", "Requests per level.", 2000);
        var seconds = Option("--max-seconds", "Longest a level runs, whatever --requests says.", 120.0);
        var warmup = Option("--warmup-seconds", "Unmeasured load before each level (connections, JIT).", 2.0);
        // A model name on the server, not a file: optional, unlike every other --model.
        var model = new Option<string?>("--model", "-m") { Description = "Served model to load (default: the first)." };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "File holding the server's API key." };
        var json = SharedOptions.Json("Print the results and the machine as one JSON document.");
        var command = new Command("serve",
            "Load-test a running server: requests/s, p50/p90/p99 latency and errors per concurrency.");
        foreach (var o in new Option[] { url, data, concurrency, requests, seconds, warmup, model, apiKeyFile, json })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var target = LoadTest.LoopbackUrl(parse.GetValue(url)!);
            var levels = BenchCommands.Numbers(parse.GetValue(concurrency)!, "--concurrency");
            int count = parse.GetValue(requests) is > 0 and var n ? n
                : throw new OcrForgeException("--requests: must be positive");
            var bodies = ReadImages(parse.GetValue(data)!);
            using var http = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(60) };
            if (parse.GetValue(apiKeyFile) is { } keyFile)
                http.DefaultRequestHeaders.Add("X-API-Key", ApiKeyFile.Read(keyFile));
            string path = parse.GetValue(model) is { } name
                ? $"v1/models/{Uri.EscapeDataString(name)}/predict" : "v1/predict";
            var maxTime = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var warmupTime = parse.GetValue(warmup) is >= 0 and var w ? TimeSpan.FromSeconds(w)
                : throw new OcrForgeException("--warmup-seconds: must be 0 or more");

            try
            {
                http.GetAsync("v1/health").GetAwaiter().GetResult().EnsureSuccessStatusCode();
            }
            catch (HttpRequestException e)
            {
                throw new OcrForgeException($"--url {target}: no server answers /v1/health ({e.Message})");
            }
            var results = new List<LoadResult>();
            foreach (int level in levels)
            {
                var r = LoadTest.RunAsync(http, path, bodies, level, count, maxTime, warmupTime)
                    .GetAwaiter().GetResult();
                results.Add(r);
                if (!parse.GetValue(json)) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(Describe(r))}[/]");
            }
            var machine = MachineInfo.Describe();
            int exit = results.Sum(r => r.ErrorCount) == 0 ? Cli.Ok : Cli.Failure;
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { url = target, machine, results });
                return exit;
            }
            var table = new Table()
                .AddColumns("clients", "requests", "requests/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors");
            foreach (var r in results)
                table.AddRow($"{r.Concurrency}", $"{r.Requests}", $"{r.RequestsPerSecond:0}", $"{r.P50Ms:0.##}",
                    $"{r.P90Ms:0.##}", $"{r.P99Ms:0.##}", $"{r.MaxMs:0.##}",
                    Errors(r));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated(
                $"{machine.Cpu}, {machine.Cores} cores; load average {machine.LoadAverage}");
            return exit;
        }));
        return command;
    }

    private static string Describe(LoadResult r) =>
        $"{r.Concurrency} clients: {r.RequestsPerSecond:0} requests/s, p99 {r.P99Ms:0.#} ms, errors {Errors(r)}";

    private static string Errors(LoadResult r) =>
        r.ErrorCount == 0 ? "0" : string.Join(", ", r.Errors.Select(e => $"{e.Value}× {e.Key}"));

    /// <summary>The image files of a folder (and below), at most 1,000: enough variety, bounded memory.</summary>
    private static List<byte[]> ReadImages(string folder)
    {
        if (!Directory.Exists(folder)) throw new OcrForgeException($"--data {folder}: no such folder");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).Take(1000).ToList();
        return files.Count > 0 ? files.Select(File.ReadAllBytes).ToList()
            : throw new OcrForgeException($"--data {folder}: no image files");
    }

    private static Option<T> Option<T>(string name, string description, T fallback) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback };
}

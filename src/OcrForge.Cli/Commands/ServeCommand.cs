using System.CommandLine;
using OcrForge.Inference;
using OcrForge.Server;
using OcrForge.Server.Auth;

namespace OcrForge.Cli.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var models = SharedOptions.Models("Model file (.onnx or .ocrf) as PATH or NAME=PATH; repeat to serve several "
            + "(the first is the default).", severalPerToken: false);
        var urls = Option("--urls", "Address to listen on.", "http://127.0.0.1:5080");
        var engine = new Option<string?>("--engine") { Description = "torch or onnx; by default from the file type." };
        var threads = SharedOptions.Threads("Intra-op threads of each engine.");
        var maxBatch = Option("--max-batch",
            "Most images per engine call (1 = no batching); only requests of one padded width share a call.", 32);
        var maxDelay = Option("--max-delay-ms", "Longest a batch waits for requests already on their way.", 2.0);
        var queue = Option("--queue", "Requests admitted per model; past it 429 with Retry-After.", 256);
        var maxImages = Option("--max-images", "Most images in one request.", 64);
        var timeout = Option("--timeout-ms", "Request timeout (503 past it).", 30_000.0);
        var apiKeyFile = new Option<string?>("--api-key-file")
        {
            Description = "File holding an API key that every request but /health and the page must send.",
        };
        var logRequests = new Option<bool>("--log-requests") { Description = "Log every request, not a summary line." };
        var logEvery = Option("--log-every", "Seconds between summary log lines.", 60.0);

        var command = new Command("serve",
            "Serve models over HTTP: /v1/predict, /v1/models, /metrics, /openapi/v1.json and a page at /.");
        foreach (var o in new Option[] { models, urls, engine, threads, maxBatch, maxDelay, queue, maxImages, timeout,
                     apiKeyFile, logRequests, logEvery })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var options = new OcrServerOptions
            {
                Urls = parse.GetValue(urls)!,
                Engine = parse.GetValue(engine),
                Threads = parse.GetValue(threads),
                MaxBatch = parse.GetValue(maxBatch),
                MaxDelay = TimeSpan.FromMilliseconds(parse.GetValue(maxDelay)),
                QueueCapacity = parse.GetValue(queue),
                MaxImagesPerRequest = parse.GetValue(maxImages),
                RequestTimeout = TimeSpan.FromMilliseconds(parse.GetValue(timeout)),
                ApiKey = parse.GetValue(apiKeyFile) is { } file ? ApiKeyFile.Read(file) : null,
                LogRequests = parse.GetValue(logRequests),
                LogSummaryEvery = TimeSpan.FromSeconds(parse.GetValue(logEvery) is > 0 and var s ? s
                    : throw new OcrForgeException("--log-every: must be positive")),
            };
            if (!options.LoopbackOnly && options.ApiKey is null)
                Cli.Warn($"{options.Urls} reaches beyond this machine with no API key; see README 'Serve over HTTP'");
            var app = OcrServer.Build(parse.GetValue(models)!.Select(ModelSource.Parse).ToList(), options);
            app.Run();
            return Cli.Ok;
        }));
        return command;
    }

    private static Option<T> Option<T>(string name, string description, T fallback) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback };
}

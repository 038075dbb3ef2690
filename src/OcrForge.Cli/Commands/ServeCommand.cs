using System.CommandLine;
using OcrForge.Server;
using OcrForge.Server.Auth;

namespace OcrForge.Cli.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model", "-m")
        {
            Description = "Model file (.onnx or .ocrf), as PATH or NAME=PATH; repeat to serve several (the first is the default).",
            Required = true,
        };
        var urls = new Option<string>("--urls") { Description = "Address to listen on.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var engine = new Option<string?>("--engine") { Description = "torch or onnx; by default from the file type." };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads of the engine." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most images per engine call (1 = no batching).", DefaultValueFactory = _ => 32 };
        var maxDelay = new Option<double>("--max-delay-ms") { Description = "Longest a batch waits for requests already on their way.", DefaultValueFactory = _ => 2 };
        var queue = new Option<int>("--queue") { Description = "Requests admitted per model; past it 429 with Retry-After.", DefaultValueFactory = _ => 256 };
        var maxImages = new Option<int>("--max-images") { Description = "Most images in one request.", DefaultValueFactory = _ => 64 };
        var timeout = new Option<double>("--timeout-ms") { Description = "Request timeout (503 past it).", DefaultValueFactory = _ => 30_000 };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "File holding an API key that every request (but /health and the page) must send." };
        var logRequests = new Option<bool>("--log-requests") { Description = "Log every request (default: a summary line per --log-every)." };
        var logEvery = new Option<double>("--log-every") { Description = "Seconds between summary log lines.", DefaultValueFactory = _ => 60 };

        var command = new Command("serve", "Serve models over HTTP: /v1/predict, /v1/models, /metrics, /openapi/v1.json and a page at /.");
        foreach (var o in new Option[] { models, urls, engine, threads, maxBatch, maxDelay, queue, maxImages, timeout, apiKeyFile, logRequests, logEvery })
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
                    : throw new Inference.OcrForgeException("--log-every: must be positive")),
            };
            if (!options.LoopbackOnly && options.ApiKey is null)
                Cli.Warn($"{options.Urls} is reachable beyond this machine with no API key; see README 'Serve over HTTP'");
            var app = OcrServer.Build(parse.GetValue(models)!.Select(ModelSource.Parse).ToList(), options);
            app.Run();
            return Cli.Ok;
        }));
        return command;
    }
}

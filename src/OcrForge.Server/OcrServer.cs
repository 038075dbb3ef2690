using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

namespace OcrForge.Server;

public sealed record OcrServerOptions
{
    /// <summary>Where to listen. Loopback by default: exposing a model to a network is the operator's decision.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";
    public string? Engine { get; init; }
    public int? Threads { get; init; }
    /// <summary>Largest accepted request body; images above this are rejected with 413 before decoding.</summary>
    public long MaxRequestBytes { get; init; } = 16 * 1024 * 1024;
    public bool Quiet { get; init; }
}

/// <summary>
/// An HTTP service around one model:
/// <c>GET /health</c>, <c>GET /model</c>, and <c>POST /predict</c> with either a raw image body or a multipart form
/// of one or more image files (<c>?beam=N</c> for text, <c>?top=K</c> for characters). Answers are JSON; a bad
/// image is a 400 whose <c>error</c> names the part and the problem.
/// </summary>
public static class OcrServer
{
    public static WebApplication Build(string modelPath, OcrServerOptions options)
    {
        var engine = EngineFactory.Open(modelPath, options.Engine, options.Threads);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxRequestBytes);
        if (options.Quiet) builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new ModelService(engine, modelPath));

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(engine.Dispose);
        app.MapGet("/health", (ModelService m) => Results.Json(new { status = "ok", engine = m.Engine.Name, task = TaskName(m.Info.Task) }));
        app.MapGet("/model", (ModelService m) => Results.Json(new
        {
            model = Path.GetFileName(m.Path),
            engine = m.Engine.Name,
            task = TaskName(m.Info.Task),
            charset = m.Info.Charset.Symbols,
            blank_index = m.Info.Charset.HasBlank ? Charset.BlankIndex : -1,
            input = new { width = m.Info.Preprocess.Width, height = m.Info.Preprocess.Height, channels = m.Info.Preprocess.Channels },
        }));
        app.MapPost("/predict", PredictAsync);
        return app;
    }

    private static async Task<IResult> PredictAsync(HttpRequest request, ModelService model, CancellationToken cancellationToken)
    {
        var images = new List<(string Name, GrayImage Image)>();
        try
        {
            foreach (var (name, bytes) in await ReadImagesAsync(request, cancellationToken))
                images.Add((name, ImageDecoder.Decode(bytes, name)));
        }
        catch (OcrForgeException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (BadHttpRequestException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: e.StatusCode);
        }
        if (images.Count == 0)
            return Results.Json(new { error = "request has no image: send the image as the body, or as files of a multipart form" }, statusCode: StatusCodes.Status400BadRequest);

        var batch = images.Select(i => i.Image).ToList();
        if (model.Info.Task == OcrTask.TextRecognition)
        {
            int beam = Math.Clamp(IntQuery(request, "beam", 1), 1, 64);
            var predictions = model.Text(beam).PredictBatch(batch, cancellationToken);
            return Results.Json(new
            {
                results = images.Zip(predictions, (i, p) => new { name = i.Name, text = p.Text, confidence = p.Confidence }),
            });
        }
        int top = Math.Clamp(IntQuery(request, "top", 1), 1, model.Info.Charset.ClassCount);
        var scores = model.Classifier.PredictBatch(batch, top, cancellationToken);
        return Results.Json(new
        {
            results = images.Zip(scores, (i, s) => new
            {
                name = i.Name,
                label = s[0].Label,
                probability = s[0].Probability,
                top = s.Select(c => new { label = c.Label, probability = c.Probability }),
            }),
        });
    }

    private static async Task<List<(string Name, byte[] Bytes)>> ReadImagesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var result = new List<(string, byte[])>();
        // Only a multipart form carries files. `curl --data-binary @x.png` labels a raw body
        // application/x-www-form-urlencoded, which is still just the image's bytes.
        if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var file in form.Files)
            {
                using var ms = new MemoryStream();
                await file.CopyToAsync(ms, cancellationToken);
                result.Add((string.IsNullOrEmpty(file.FileName) ? file.Name : file.FileName, ms.ToArray()));
            }
            return result;
        }
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        if (body.Length > 0) result.Add(("body", body.ToArray()));
        return result;
    }

    private static int IntQuery(HttpRequest request, string key, int fallback) =>
        int.TryParse(request.Query[key], out int v) ? v : fallback;

    private static string TaskName(OcrTask task) => task == OcrTask.TextRecognition ? "text" : "classification";

    /// <summary>The loaded model, shared by all requests (engines are thread-safe).</summary>
    private sealed class ModelService(IOcrEngine engine, string path)
    {
        private readonly Dictionary<int, TextRecognizer> _text = [];
        private CharacterClassifier? _classifier;

        public IOcrEngine Engine { get; } = engine;
        public string Path { get; } = path;
        public ModelInfo Info => Engine.Info;

        public TextRecognizer Text(int beam)
        {
            lock (_text)
            {
                if (!_text.TryGetValue(beam, out var r)) _text[beam] = r = new TextRecognizer(Engine) { BeamWidth = beam };
                return r;
            }
        }

        public CharacterClassifier Classifier => _classifier ??= new CharacterClassifier(Engine);
    }
}

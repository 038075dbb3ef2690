using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.Server.Metrics;

namespace OcrForge.Server.Endpoints;

/// <summary>
/// <c>POST /v1/predict</c> (the default model, also at <c>/predict</c>) and <c>POST /v1/models/{name}/predict</c>:
/// a raw image body or a multipart form of image files; <c>?beam=N</c> for text, <c>?top=K</c> for characters.
/// </summary>
internal static class PredictEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, ModelCatalog catalog, OcrServerOptions options,
        ServerMetrics metrics)
    {
        var handler = new PredictHandler(options, metrics);
        foreach (var path in new[] { "/v1/predict", "/predict" })
            Describe(routes.MapPost(path, (HttpRequest request, CancellationToken aborted) =>
                handler.HandleAsync(catalog.Default, request, aborted)));
        Describe(routes.MapPost("/v1/models/{name}/predict",
            (string name, HttpRequest request, CancellationToken aborted) => catalog.Find(name) is { } model
                ? handler.HandleAsync(model, request, aborted)
                : Task.FromResult(InfoEndpoints.UnknownModel(name, catalog))))
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);
    }

    private static RouteHandlerBuilder Describe(RouteHandlerBuilder route) => route
        .WithTags("predict")
        .WithSummary("Predict the text (or character) of each image: an image body, or multipart files.")
        // Described, not declared with Accepts(): that would make routing refuse (415) the raw bodies curl sends.
        .AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = RequestBody;
            return Task.CompletedTask;
        })
        .Produces<PredictResponse>()
        .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
        .Produces<ErrorResponse>(StatusCodes.Status401Unauthorized)
        .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
        .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
        .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);

    private static readonly OpenApiRequestBody RequestBody = new()
    {
        Required = true,
        Description = "One image as the body, or images as the files of a multipart form.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/octet-stream"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
            },
            ["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["images"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Array,
                            Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                        },
                    },
                },
            },
        },
    };

    private sealed class PredictHandler(OcrServerOptions options, ServerMetrics metrics)
    {
        public async Task<IResult> HandleAsync(ServedModel model, HttpRequest request, CancellationToken aborted)
        {
            long started = Stopwatch.GetTimestamp();
            // Admission comes before the body is read: a full queue must cost the server nothing more.
            var admission = model.Batcher.TryAdmit();
            if (admission is null)
                return Busy(request, $"{model.Name}: {options.QueueCapacity} requests already waiting; retry later",
                    StatusCodes.Status429TooManyRequests);
            bool handedOver = false;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            timeout.CancelAfter(options.RequestTimeout);
            try
            {
                var images = new List<(string Name, GrayImage Image)>();
                try
                {
                    var parts = await ReadImagesAsync(request, timeout.Token);
                    if (parts.Count > options.MaxImagesPerRequest)
                        return Error($"{parts.Count} images in one request; at most {options.MaxImagesPerRequest}",
                            StatusCodes.Status413PayloadTooLarge);
                    foreach (var (name, bytes) in parts) images.Add((name, ImageDecoder.Decode(bytes, name)));
                }
                catch (OcrForgeException e)
                {
                    return Error(e.Message, StatusCodes.Status400BadRequest);
                }
                catch (BadHttpRequestException e)
                {
                    return Error(e.Message, e.StatusCode);
                }
                if (images.Count == 0)
                    return Error("request has no image: send the image as the body, or as files of a multipart form",
                        StatusCodes.Status400BadRequest);

                var input = EngineInput.Prepare(images.Select(i => i.Image).ToList(), model.Info.Preprocess);
                EngineOutput output;
                try
                {
                    handedOver = true;
                    output = await model.Batcher.RunAsync(admission, input, timeout.Token);
                }
                catch (InvalidOperationException e)
                {
                    return Busy(request, $"{model.Name}: {e.Message}", StatusCodes.Status503ServiceUnavailable);
                }
                metrics.Images.WithLabels(model.Name).Inc(images.Count);
                var results = Decode(model, request, images.Select(i => i.Name).ToList(), output);
                double elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                return Results.Ok(new PredictResponse(model.Name, elapsedMs, results));
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                return Busy(request, $"{model.Name}: no answer within {options.RequestTimeout.TotalMilliseconds:0} ms",
                    StatusCodes.Status503ServiceUnavailable);
            }
            finally
            {
                if (!handedOver) admission.Dispose();
            }
        }

        private static List<PredictResult> Decode(ServedModel model, HttpRequest request, List<string> names,
            EngineOutput output)
        {
            if (model.Info.Task == OcrTask.TextRecognition)
            {
                int beam = Math.Clamp(IntQuery(request, "beam", 1), 1, 64);
                return names.Zip(model.Text(beam).Decode(output),
                    (name, p) => new PredictResult(name, Text: p.Text, Confidence: p.Confidence)).ToList();
            }
            int top = Math.Clamp(IntQuery(request, "top", 1), 1, model.Info.Charset.ClassCount);
            return names.Zip(model.Classifier.Decode(output, top), (name, s) => new PredictResult(name,
                Label: s[0].Label, Probability: s[0].Probability,
                Top: s.Select(c => new ClassProbability(c.Label, c.Probability)).ToList())).ToList();
        }

        private static async Task<List<(string Name, byte[] Bytes)>> ReadImagesAsync(HttpRequest request,
            CancellationToken cancellationToken)
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

        private static IResult Error(string message, int status) =>
            Results.Json(new ErrorResponse(message), statusCode: status);

        /// <summary>The client may retry: says when, so that well-behaved clients back off.</summary>
        private static IResult Busy(HttpRequest request, string message, int status)
        {
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return Error(message, status);
        }

        private static int IntQuery(HttpRequest request, string key, int fallback) =>
            int.TryParse(request.Query[key], out int v) ? v : fallback;
    }
}

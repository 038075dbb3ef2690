using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OcrForge.Server.Auth;
using OcrForge.Server.Batching;
using OcrForge.Server.Endpoints;
using OcrForge.Server.Metrics;
using Prometheus;

namespace OcrForge.Server;

/// <summary>
/// An HTTP service around one or more models: <c>/v1/health</c>, <c>/v1/models</c>, <c>/v1/models/{name}/predict</c>,
/// <c>/v1/predict</c> for the first model (the unversioned <c>/health</c>, <c>/model</c>, <c>/predict</c> are
/// aliases), <c>/metrics</c> (Prometheus), <c>/openapi/v1.json</c> and a page at <c>/</c>. Concurrent requests are
/// gathered into batches per model; answers are JSON, errors a one-line <c>error</c>.
/// </summary>
public static class OcrServer
{
    public static WebApplication Build(string modelPath, OcrServerOptions options) =>
        Build([ModelSource.Parse(modelPath)], options);

    public static WebApplication Build(IReadOnlyList<ModelSource> models, OcrServerOptions options)
    {
        options.Validate();
        return Build(LoadedModel.OpenAll(models, options.Engine, options.Threads), options);
    }

    /// <summary>Serves engines already open (tests wrap engines); the server disposes them when it stops.</summary>
    public static WebApplication Build(IReadOnlyList<LoadedModel> models, OcrServerOptions options)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxRequestBytes);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            j.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OcrForge";
            document.Info.Description =
                "Text and character recognition; /predict, /model and /health alias the /v1 routes.";
            return Task.CompletedTask;
        }));
        // ASP.NET Core logs two lines per request at Information: that is what --log-requests is for.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (options.Quiet) builder.Logging.ClearProviders();

        var metrics = new ServerMetrics();
        var catalog = new ModelCatalog(models.Select(m => new ServedModel(m, new MicroBatcher(m.Engine,
            options.MaxBatch, options.MaxDelay, options.QueueCapacity,
            images => metrics.BatchSize.WithLabels(m.Name).Observe(images)))).ToList());
        metrics.Watch(catalog.All);

        var app = builder.Build();
        // Kestrel has drained the in-flight requests by the time the host reports stopped; the batchers then
        // finish anything still queued before the engines close.
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            foreach (var model in catalog.All) model.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        var summary = new RequestSummary();
        app.Lifetime.ApplicationStarted.Register(() => _ = summary.LogEveryAsync(options.LogSummaryEvery,
            app.Logger, app.Lifetime.ApplicationStopping));

        app.UseMiddleware<RequestMiddleware>(metrics, summary, options.LogRequests);
        if (options.ApiKey is not null) app.UseMiddleware<ApiKeyMiddleware>(options.ApiKey);
        InfoEndpoints.Map(app, catalog);
        PredictEndpoints.Map(app, catalog, options, metrics);
        app.MapMetrics("/metrics", metrics.Registry);
        app.MapOpenApi();
        return app;
    }
}

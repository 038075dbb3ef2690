using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OcrForge.Inference;

namespace OcrForge.Server.Endpoints;

/// <summary>Health, model descriptions and the browser page.</summary>
internal static class InfoEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, ModelCatalog catalog)
    {
        foreach (var prefix in new[] { "/v1", "" })
        {
            routes.MapGet($"{prefix}/health", () => Health(catalog)).WithTags("service");
            routes.MapGet($"{prefix}/model", () => Describe(catalog.Default)).WithTags("models")
                .WithSummary("The default model: task, charset, blank index and input size.");
        }
        routes.MapGet("/v1/models",
                () => new ModelsResponse(catalog.Default.Name, catalog.All.Select(Describe).ToList()))
            .WithTags("models").WithSummary("Every served model; the first is the default.");
        routes.MapGet("/v1/models/{name}", (string name) => catalog.Find(name) is { } m
                ? Results.Ok(Describe(m))
                : UnknownModel(name, catalog))
            .WithTags("models").Produces<ModelResponse>().Produces<ErrorResponse>(StatusCodes.Status404NotFound);

        routes.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        routes.MapGet("/app.js", () => Asset("app.js", "text/javascript; charset=utf-8")).ExcludeFromDescription();
        routes.MapGet("/app.css", () => Asset("app.css", "text/css; charset=utf-8")).ExcludeFromDescription();
    }

    public static IResult UnknownModel(string name, ModelCatalog catalog) => Results.Json(
        new ErrorResponse($"no model named '{name}' (served: {catalog.Names})"),
        statusCode: StatusCodes.Status404NotFound);

    private static HealthResponse Health(ModelCatalog catalog) =>
        new("ok", catalog.Default.Engine.Name, catalog.Default.Task, catalog.All.Select(m => m.Name).ToList());

    private static ModelResponse Describe(ServedModel m) => new(
        m.Name,
        Path.GetFileName(m.Path),
        m.Engine.Name,
        m.Task,
        m.Info.Charset.Symbols,
        m.Info.Charset.HasBlank ? Charset.BlankIndex : -1,
        new InputShape(m.Info.Preprocess.Width, m.Info.Preprocess.Height, m.Info.Preprocess.Channels,
            m.Info.Preprocess.VariableWidth, m.Info.Preprocess.FrameWidth),
        m.LoadTime.TotalSeconds);

    private static IResult Asset(string name, string contentType)
    {
        using var stream = typeof(InfoEndpoints).Assembly.GetManifestResourceStream($"wwwroot/{name}")
            ?? throw new InvalidOperationException($"wwwroot/{name} is not embedded in the server assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Results.Bytes(copy.ToArray(), contentType);
    }
}

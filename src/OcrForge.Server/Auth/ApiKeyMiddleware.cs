using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OcrForge.Server.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer KEY</c> (or <c>X-API-Key: KEY</c>) on every route but the health check and
/// the page's static files. Keys are compared as SHA-256 digests with a fixed-time comparison, so neither the
/// content nor the length of the key leaks through response timing.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, string key)
{
    private static readonly HashSet<string> OpenPaths = ["/", "/health", "/v1/health", "/app.js", "/app.css"];
    private readonly byte[] _digest = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public Task InvokeAsync(HttpContext context)
    {
        if (OpenPaths.Contains(context.Request.Path.Value ?? "") || Accepts(context.Request)) return next(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(new ErrorResponse(
            "missing or wrong API key: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"));
    }

    private bool Accepts(HttpRequest request)
    {
        string? presented = request.Headers["X-API-Key"].FirstOrDefault();
        string? authorization = request.Headers.Authorization.FirstOrDefault();
        if (presented is null && authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
            presented = authorization["Bearer ".Length..].Trim();
        if (presented is null) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _digest);
    }
}

public static class ApiKeyFile
{
    /// <summary>The key is the file's content without surrounding whitespace (a trailing newline is usual).</summary>
    public static string Read(string path)
    {
        if (!File.Exists(path)) throw new Inference.OcrForgeException($"--api-key-file {path}: no such file");
        var key = File.ReadAllText(path).Trim();
        return key.Length > 0 ? key
            : throw new Inference.OcrForgeException($"--api-key-file {path}: the file is empty");
    }
}

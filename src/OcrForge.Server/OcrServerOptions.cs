using System.Text.RegularExpressions;
using OcrForge.Inference;

namespace OcrForge.Server;

public sealed record OcrServerOptions
{
    /// <summary>Where to listen. Loopback by default: exposing a model to a network is the operator's call.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";
    public string? Engine { get; init; }
    public int? Threads { get; init; }
    /// <summary>Largest accepted request body; images above this are rejected with 413 before decoding.</summary>
    public long MaxRequestBytes { get; init; } = 16 * 1024 * 1024;
    public bool Quiet { get; init; }

    /// <summary>Most images in one engine call; concurrent requests are gathered up to this.</summary>
    public int MaxBatch { get; init; } = 32;
    /// <summary>How long a batch waits for requests that are already on their way (admitted, not yet queued).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(2);
    /// <summary>Requests admitted per model (queued or running); past it a request gets 429 with Retry-After.</summary>
    public int QueueCapacity { get; init; } = 256;
    public int MaxImagesPerRequest { get; init; } = 64;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>When set, every route but the health check and the page's static files needs this key.</summary>
    public string? ApiKey { get; init; }
    /// <summary>One log line per request; otherwise one summary line per <see cref="LogSummaryEvery"/>.</summary>
    public bool LogRequests { get; init; }
    public TimeSpan LogSummaryEvery { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long a stopping server waits for in-flight requests.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>True when every address in <see cref="Urls"/> is a loopback one.</summary>
    public bool LoopbackOnly => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .All(u => Uri.TryCreate(u.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0",
            StringComparison.Ordinal), UriKind.Absolute, out var uri) && (uri.IsLoopback
            || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
                && System.Net.IPAddress.IsLoopback(ip))));

    internal void Validate()
    {
        if (MaxBatch < 1) throw new OcrForgeException($"--max-batch {MaxBatch}: must be at least 1");
        if (MaxDelay < TimeSpan.Zero) throw new OcrForgeException("--max-delay-ms: must not be negative");
        if (QueueCapacity < 1) throw new OcrForgeException($"--queue {QueueCapacity}: must be at least 1");
        if (MaxImagesPerRequest < 1)
            throw new OcrForgeException($"--max-images {MaxImagesPerRequest}: must be at least 1");
        if (RequestTimeout <= TimeSpan.Zero) throw new OcrForgeException("--timeout-ms: must be positive");
        if (ApiKey is { Length: 0 }) throw new OcrForgeException("API key is empty");
    }
}

/// <summary>A model to serve under a name: <c>path</c> (named after the file) or <c>name=path</c>.</summary>
public sealed partial record ModelSource(string Name, string Path)
{
    public static ModelSource Parse(string spec)
    {
        int eq = spec.IndexOf('=', StringComparison.Ordinal);
        // A path may itself contain '=', so only a valid name before it makes it a name=path pair.
        if (eq > 0 && ValidName().IsMatch(spec[..eq])) return new ModelSource(spec[..eq], spec[(eq + 1)..]);
        var name = System.IO.Path.GetFileNameWithoutExtension(spec);
        if (!ValidName().IsMatch(name))
            throw new OcrForgeException(
                $"--model {spec}: name the model as name=path (letters, digits, '.', '_', '-')");
        return new ModelSource(name, spec);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}

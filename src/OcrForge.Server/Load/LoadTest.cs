using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using OcrForge.Inference;

namespace OcrForge.Server.Load;

/// <param name="Errors">Requests that did not get a 200, by status code (or "exception").</param>
public sealed record LoadResult(int Concurrency, int Requests, double Seconds, double RequestsPerSecond,
    double P50Ms, double P90Ms, double P99Ms, double MaxMs, IReadOnlyDictionary<string, int> Errors)
{
    public int ErrorCount => Errors.Values.Sum();
}

/// <summary>
/// Sends image bodies to a running server from N concurrent clients: a fixed number of requests per level, also
/// bounded in time. Only for loopback addresses: it is a load generator, and loads belong on one's own machine.
/// </summary>
public static class LoadTest
{
    public static Uri LoopbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new OcrForgeException($"--url {url}: expected an http:// address such as http://127.0.0.1:5080");
        bool loopback = uri.IsLoopback
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        return loopback ? uri
            : throw new OcrForgeException(
                $"--url {url}: only loopback addresses (127.0.0.1, ::1, localhost) are load-tested");
    }

    /// <param name="path">Route to post to, e.g. <c>v1/predict</c> or <c>v1/models/NAME/predict</c>.</param>
    /// <param name="warmup">Load sent before measuring, at least 2 requests per client: connections open, and both
    /// processes finish compiling their hot paths (.NET's tiered JIT recompiles them over the first seconds; 64
    /// warm-up requests left the JIT at 6 % of the server's CPU during the measured requests).</param>
    public static async Task<LoadResult> RunAsync(HttpClient http, string path, IReadOnlyList<byte[]> bodies,
        int concurrency, int requests, TimeSpan maxTime, TimeSpan warmup = default,
        CancellationToken cancellationToken = default)
    {
        var warming = Stopwatch.StartNew();
        await SendAsync(http, path, bodies, concurrency, Math.Min(requests, 2 * concurrency), maxTime,
            cancellationToken);
        var rest = warmup - warming.Elapsed;
        if (rest > TimeSpan.Zero)
            await SendAsync(http, path, bodies, concurrency, int.MaxValue, rest, cancellationToken);
        var clock = Stopwatch.StartNew();
        var (latencies, errors) =
            await SendAsync(http, path, bodies, concurrency, requests, maxTime, cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        double At(double p) =>
            latencies.Count == 0 ? double.NaN : Inference.Engines.EngineBenchmark.Percentile(latencies, p);
        int sent = latencies.Count + errors.Values.Sum();
        return new LoadResult(concurrency, sent, seconds, sent / seconds, At(50), At(90), At(99),
            latencies.Count == 0 ? double.NaN : latencies[^1], errors);
    }

    private static async Task<(List<double> Latencies, Dictionary<string, int> Errors)> SendAsync(HttpClient http,
        string path, IReadOnlyList<byte[]> bodies, int concurrency, int requests, TimeSpan maxTime,
        CancellationToken cancellationToken)
    {
        var latencies = new List<double>(Math.Min(requests, 1 << 16));
        var errors = new Dictionary<string, int>();
        int next = -1;
        var deadline = Stopwatch.GetTimestamp() + (long)(maxTime.TotalSeconds * Stopwatch.Frequency);
        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests && Stopwatch.GetTimestamp() < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var content = new ByteArrayContent(bodies[i % bodies.Count]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                long started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    using var response = await http.PostAsync(path, content, cancellationToken);
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    error = response.StatusCode == HttpStatusCode.OK ? null
                        : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException)
                {
                    error = "exception";
                }
                double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    if (error is null) latencies.Add(ms);
                    else errors[error] = errors.GetValueOrDefault(error) + 1;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Client, cancellationToken)));
        return (latencies, errors);
    }
}

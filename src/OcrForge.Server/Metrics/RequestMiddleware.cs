using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace OcrForge.Server.Metrics;

/// <summary>
/// Counts every request in the metrics and logs it: one line per request with <c>--log-requests</c>, otherwise
/// a summary line every interval that saw traffic, so that a busy service does not drown its log.
/// </summary>
internal sealed class RequestMiddleware(RequestDelegate next, ServerMetrics metrics, RequestSummary summary,
    ILogger<RequestMiddleware> logger, bool logEach)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            // The route pattern, not the path: unknown paths must not create a label value each.
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            int code = context.Response.StatusCode;
            metrics.Requests.WithLabels(route, code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
            metrics.Latency.WithLabels(route).Observe(elapsed.TotalSeconds);
            summary.Add(code, elapsed);
            if (logEach)
                logger.LogInformation("{Method} {Path} {Code} {Ms:0.0} ms", context.Request.Method,
                    context.Request.Path, code, elapsed.TotalMilliseconds);
        }
    }
}

/// <summary>Requests since the last summary line.</summary>
internal sealed class RequestSummary
{
    private long _requests, _errors, _ticks;

    public void Add(int code, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests);
        if (code >= 400) Interlocked.Increment(ref _errors);
        Interlocked.Add(ref _ticks, elapsed.Ticks);
    }

    public async Task LogEveryAsync(TimeSpan interval, ILogger logger, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                long requests = Interlocked.Exchange(ref _requests, 0), errors = Interlocked.Exchange(ref _errors, 0);
                long ticks = Interlocked.Exchange(ref _ticks, 0);
                if (requests > 0)
                    logger.LogInformation(
                        "{Requests} requests ({Errors} errors) in the last {Seconds:0} s, mean {Ms:0.0} ms",
                        requests, errors, interval.TotalSeconds,
                        TimeSpan.FromTicks(ticks / requests).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using System.Net;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Server;
using static OcrForge.Tests.Server.ServerFixtures;

namespace OcrForge.Tests.Server;

public class MicroBatchingTests
{
    [Fact]
    public async Task Requests_waiting_behind_a_batch_share_engine_calls_and_each_caller_gets_its_own_answer()
    {
        // Given 24 different images and what the library predicts for each,
        using var dir = new TempDir();
        var path = CaptchaOnnx(dir);
        var pngs = Enumerable.Range(0, 24).Select(i => Png(200, 50, seed: 100 + i)).ToList();
        using var library = TextRecognizer.Load(path, threads: 1);
        var expected = pngs.Select(p => library.Predict(p)).ToList();
        // Untrained, the model gives every image a tiny probability (around 1e-46): compare their logarithms.
        int distinct = expected.Select(e => Math.Round(Math.Log(e.Confidence), 4)).Distinct().Count();
        Assert.True(distinct > 20, $"answers must tell images apart: {distinct} distinct confidences");

        // ...and a server whose engine holds its first call until released,
        var gated = new GatedEngine(new OnnxEngine(path, threads: 1));
        await using var server = await StartAsync([new LoadedModel("captcha", path, gated, TimeSpan.Zero)],
            new OcrServerOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromMilliseconds(50) });
        var http = server.Http;
        gated.Close();
        var first = http.PostAsync("/v1/predict", Body(pngs[0]));
        Assert.True(await gated.EnteredAsync());

        // When 23 more requests queue up meanwhile and the engine is let go,
        var rest = Enumerable.Range(1, 23).Select(i => http.PostAsync("/v1/predict", Body(pngs[i]))).ToList();
        await WaitForMetricAsync(http, "ocrforge_queue_length{model=\"captcha\"}", 23);
        gated.Open();
        var responses = await Task.WhenAll([first, .. rest]);

        // Then every caller gets the answer for its own image,
        for (int i = 0; i < pngs.Count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
            var result = (await JsonAsync(responses[i])).GetProperty("results")[0];
            Assert.Equal(expected[i].Text, result.GetProperty("text").GetString());
            Assert.Equal(Math.Log(expected[i].Confidence), Math.Log(result.GetProperty("confidence").GetDouble()), 4);
        }
        // ...the queued 23 went through in engine calls of at most 8 images,
        Assert.Equal([1, 8, 8, 7], gated.Batches.ToArray());
        // ...and the batch-size histogram saw the same calls.
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(4, Metric(metrics, "ocrforge_batch_size_count{model=\"captcha\"}"));
        Assert.Equal(24, Metric(metrics, "ocrforge_batch_size_sum{model=\"captcha\"}"));
        Assert.Equal(1, Metric(metrics, "ocrforge_batch_size_bucket{model=\"captcha\",le=\"4\"}"));
    }

    [Fact]
    public async Task Past_the_queue_a_request_gets_429_with_retry_after_and_a_slow_one_times_out_with_503()
    {
        using var dir = new TempDir();
        var path = CaptchaOnnx(dir);
        var png = Png(200, 50, seed: 1);
        var gated = new GatedEngine(new OnnxEngine(path, threads: 1));
        await using var server = await StartAsync([new LoadedModel("captcha", path, gated, TimeSpan.Zero)],
            new OcrServerOptions { MaxBatch = 1, QueueCapacity = 2, RequestTimeout = TimeSpan.FromSeconds(20) });
        var http = server.Http;

        // Given one request in the engine and one in the queue (the capacity is 2),
        gated.Close();
        var running = http.PostAsync("/v1/predict", Body(png));
        Assert.True(await gated.EnteredAsync());
        var queued = http.PostAsync("/predict", Body(png));
        await WaitForMetricAsync(http, "ocrforge_queue_length{model=\"captcha\"}", 1);

        // When a third arrives, it is refused at once with 429 and told when to retry,
        var refused = await http.PostAsync("/v1/predict", Body(png));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("2 requests already waiting", (await JsonAsync(refused)).GetProperty("error").GetString());

        // ...while the admitted two are answered once the engine moves on.
        gated.Open();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(1, Metric(metrics, "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"429\"}"));
        Assert.Equal(1, Metric(metrics, "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"200\"}"));
        Assert.Equal(1, Metric(metrics, "ocrforge_http_requests_total{route=\"/predict\",code=\"200\"}"));
        Assert.Equal(0, Metric(metrics, "ocrforge_requests_in_flight{model=\"captcha\"}"));
    }

    [Fact]
    public async Task A_request_the_engine_does_not_answer_in_time_gets_503()
    {
        using var dir = new TempDir();
        var path = CaptchaOnnx(dir);
        var gated = new GatedEngine(new OnnxEngine(path, threads: 1));
        await using var server = await StartAsync([new LoadedModel("captcha", path, gated, TimeSpan.Zero)],
            new OcrServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var http = server.Http;
        gated.Close();
        var slow = await http.PostAsync("/v1/predict", Body(Png(200, 50, seed: 1)));
        gated.Open();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, slow.StatusCode);
        Assert.Contains("no answer within 300 ms", (await JsonAsync(slow)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Stopping_the_server_finishes_the_requests_in_flight()
    {
        using var dir = new TempDir();
        var path = CaptchaOnnx(dir);
        var gated = new GatedEngine(new OnnxEngine(path, threads: 1));
        await using var server = await StartAsync([new LoadedModel("captcha", path, gated, TimeSpan.Zero)],
            new OcrServerOptions());
        var http = server.Http;

        // Given a request inside the engine,
        gated.Close();
        var inFlight = http.PostAsync("/v1/predict", Body(Png(200, 50, seed: 1)));
        Assert.True(await gated.EnteredAsync());

        // When the server is told to stop, it waits for that request,
        var stopping = server.App.StopAsync();
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted);
        Assert.False(inFlight.IsCompleted);
        gated.Open();

        // Then the request gets its answer and the server stops.
        var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await JsonAsync(response)).GetProperty("results").GetArrayLength());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    internal static async Task WaitForMetricAsync(HttpClient http, string sample, double value)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        double seen = double.NaN;
        while (DateTime.UtcNow < deadline)
        {
            seen = Metric(await http.GetStringAsync("/metrics"), sample);
            if (seen == value) return;
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException($"{sample} stayed {seen}, expected {value}");
    }
}

using OcrForge.Inference;
using OcrForge.Server;
using OcrForge.Server.Load;
using OcrForge.Tests.Cli;
using static OcrForge.Tests.Server.ServerFixtures;

namespace OcrForge.Tests.Server;

public class LoadTestTests
{
    [Fact]
    public async Task A_load_run_sends_exactly_the_requests_asked_for_and_the_server_counts_them()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync([Open("captcha", CaptchaOnnx(dir))], new OcrServerOptions());
        var http = server.Http;
        var bodies = Enumerable.Range(0, 5).Select(i => Png(200, 50, seed: i)).ToList();

        var result = await LoadTest.RunAsync(http, "v1/predict", bodies, concurrency: 4, requests: 40,
            TimeSpan.FromSeconds(60));

        Assert.Equal(40, result.Requests);
        Assert.Equal(0, result.ErrorCount);
        Assert.True(result.P50Ms <= result.P90Ms && result.P90Ms <= result.P99Ms && result.P99Ms <= result.MaxMs);
        Assert.True(result.RequestsPerSecond > 0);
        // 8 warm-up requests (2 per client) come before the 40 measured ones.
        Assert.Equal(48, Metric(await http.GetStringAsync("/metrics"),
            "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"200\"}"));
    }

    [Fact]
    public async Task A_timed_warm_up_keeps_sending_for_its_duration_and_is_not_measured()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync([Open("captcha", CaptchaOnnx(dir))], new OcrServerOptions());
        var http = server.Http;
        var bodies = Enumerable.Range(0, 3).Select(i => Png(200, 50, seed: i)).ToList();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await LoadTest.RunAsync(http, "v1/predict", bodies, concurrency: 2, requests: 10,
            TimeSpan.FromSeconds(60), warmup: TimeSpan.FromSeconds(1));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"warm-up ended after {clock.Elapsed}");
        Assert.Equal(10, result.Requests);
        double served = Metric(await http.GetStringAsync("/metrics"),
            "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"200\"}");
        // Two connections that each sent one warm-up request would give 12; more means it kept sending. (A bound
        // of 14 failed on a heavily loaded machine, where a 1 s warm-up got through only 4.)
        Assert.True(served > 10 + 2, $"only {served} requests reached the server: the warm-up did not keep sending");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://10.1.2.3:5080", false)]
    [InlineData("http://example.org", false)]
    public void Only_loopback_addresses_are_load_tested(string url, bool accepted)
    {
        if (accepted) Assert.Equal(new Uri(url), LoadTest.LoopbackUrl(url));
        else Assert.Contains("only loopback addresses",
            Assert.Throws<OcrForgeException>(() => LoadTest.LoopbackUrl(url)).Message);
    }

    [Fact]
    public void The_commands_refuse_bad_input_in_one_line()
    {
        using var dir = new TempDir();
        var bench = CliProcess.Run("bench", "serve", "--url", "http://192.0.2.1:5080", "--data", dir.Path);
        Assert.Equal(2, bench.Code);
        Assert.Equal("error: --url http://192.0.2.1:5080: only loopback addresses (127.0.0.1, ::1, localhost) "
            + "are load-tested", bench.Stderr.Trim());

        var serve = CliProcess.Run("serve", "--model", dir.File("missing.onnx"), "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, serve.Code);
        Assert.Equal($"error: {dir.File("missing.onnx")}: no such model file", serve.Stderr.Trim());
    }
}

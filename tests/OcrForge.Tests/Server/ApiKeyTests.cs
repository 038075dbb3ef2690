using System.Net;
using System.Net.Http.Headers;
using OcrForge.Inference;
using OcrForge.Server;
using OcrForge.Server.Auth;
using static OcrForge.Tests.Server.ServerFixtures;

namespace OcrForge.Tests.Server;

public class ApiKeyTests
{
    [Fact]
    public async Task With_an_api_key_only_the_health_check_and_the_page_are_open()
    {
        using var dir = new TempDir();
        var keyFile = dir.File("key.txt");
        File.WriteAllText(keyFile, "  s3cret-key\n");
        await using var server = await StartAsync([Open("captcha", CaptchaOnnx(dir))],
            new OcrServerOptions { ApiKey = ApiKeyFile.Read(keyFile) });
        var http = server.Http;
        var png = Png(200, 50, seed: 1);

        // Without a key, or with a wrong one (even a prefix of the right one), predictions and metrics are 401,
        var missing = await http.PostAsync("/v1/predict", Body(png));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.StartsWith("missing or wrong API key", (await JsonAsync(missing)).GetProperty("error").GetString());
        foreach (var wrong in new[] { "s3cret", "s3cret-key2", "" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = Body(png) };
            request.Headers.Add("X-API-Key", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/models")).StatusCode);

        // ...while the health check and the page need none,
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);

        // ...and the key as a bearer token or an X-API-Key header is let through.
        using (var bearer = new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = Body(png) })
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-key");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(bearer)).StatusCode);
        }
        http.DefaultRequestHeaders.Add("X-API-Key", "s3cret-key");
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/predict", Body(png))).StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(1, Metric(metrics, "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"401\"}"));
        Assert.Equal(3, Metric(metrics, "ocrforge_http_requests_total{route=\"/predict\",code=\"401\"}"));
        Assert.Equal(2, Metric(metrics, "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"200\"}"));
    }

    [Fact]
    public void An_empty_key_file_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("key.txt"), " \n");
        var e = Assert.Throws<OcrForgeException>(() => ApiKeyFile.Read(dir.File("key.txt")));
        Assert.EndsWith("the file is empty", e.Message);
    }
}

using System.Net;
using System.Text.Json;
using OcrForge.Inference;
using OcrForge.Server;
using static OcrForge.Tests.Server.ServerFixtures;

namespace OcrForge.Tests.Server;

public class ServerRoutesTests
{
    [Fact]
    public async Task Two_models_are_served_under_v1_and_the_old_paths_alias_the_first()
    {
        // Given a text model and a character model served together,
        using var dir = new TempDir();
        var captcha = CaptchaOnnx(dir);
        var digits = DigitsOnnx(dir);
        var png = Png(200, 50, seed: 5);
        var digit = Png(20, 24, seed: 6);
        using var text = TextRecognizer.Load(captcha, threads: 1);
        using var classifier = CharacterClassifier.Load(digits, threads: 1);
        var expectedText = text.Predict(png);
        var expectedTop = classifier.Predict(digit, top: 3);
        await using var server = await StartAsync([Open("captcha", captcha), Open("digits", digits)],
            new OcrServerOptions { MaxImagesPerRequest = 2 });
        var http = server.Http;

        // ...the versioned routes and their unversioned aliases give the same answers,
        Assert.Equal(await http.GetStringAsync("/v1/health"), await http.GetStringAsync("/health"));
        Assert.Equal(await http.GetStringAsync("/v1/model"), await http.GetStringAsync("/model"));
        foreach (var route in new[] { "/v1/predict", "/predict", "/v1/models/captcha/predict" })
        {
            var answer = await JsonAsync(await http.PostAsync(route, Body(png)));
            Assert.Equal("captcha", answer.GetProperty("model").GetString());
            Assert.Equal(expectedText.Text, answer.GetProperty("results")[0].GetProperty("text").GetString());
            Assert.True(answer.GetProperty("elapsed_ms").GetDouble() > 0);
        }

        // ...the list names both with their tasks, the first being the default,
        var models = await JsonAsync(await http.GetAsync("/v1/models"));
        Assert.Equal("captcha", models.GetProperty("default").GetString());
        Assert.Equal(["captcha:text", "digits:classification"], models.GetProperty("models").EnumerateArray()
            .Select(m => $"{m.GetProperty("name").GetString()}:{m.GetProperty("task").GetString()}"));
        var digitsModel = await JsonAsync(await http.GetAsync("/v1/models/digits"));
        Assert.Equal(-1, digitsModel.GetProperty("blank_index").GetInt32());

        // ...the character model answers its own route with labels and probabilities,
        var byName = await JsonAsync(await http.PostAsync("/v1/models/digits/predict?top=3", Body(digit)));
        var result = byName.GetProperty("results")[0];
        Assert.Equal(expectedTop[0].Label, result.GetProperty("label").GetString());
        Assert.Equal(expectedTop.Select(c => c.Label),
            result.GetProperty("top").EnumerateArray().Select(c => c.GetProperty("label").GetString()));
        Assert.False(result.TryGetProperty("text", out _));

        // ...an unknown name is a 404 that lists the served ones, and too many images a 413.
        var unknown = await http.PostAsync("/v1/models/nope/predict", Body(png));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("no model named 'nope' (served: captcha, digits)",
            (await JsonAsync(unknown)).GetProperty("error").GetString());
        using var three = new MultipartFormDataContent
        {
            { new ByteArrayContent(png), "images", "1.png" }, { new ByteArrayContent(png), "images", "2.png" },
            { new ByteArrayContent(png), "images", "3.png" },
        };
        var tooMany = await http.PostAsync("/v1/predict", three);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Equal("3 images in one request; at most 2", (await JsonAsync(tooMany)).GetProperty("error").GetString());

        // Then /metrics counted exactly that traffic.
        var metrics = await http.GetStringAsync("/metrics");
        const string byNameRoute = "route=\"/v1/models/{name}/predict\"";
        Assert.Equal(2, Metric(metrics, $"ocrforge_http_requests_total{{{byNameRoute},code=\"200\"}}"));
        Assert.Equal(1, Metric(metrics, $"ocrforge_http_requests_total{{{byNameRoute},code=\"404\"}}"));
        Assert.Equal(1, Metric(metrics, "ocrforge_http_requests_total{route=\"/v1/predict\",code=\"413\"}"));
        Assert.Equal(3, Metric(metrics, "ocrforge_images_total{model=\"captcha\"}"));
        Assert.Equal(1, Metric(metrics, "ocrforge_images_total{model=\"digits\"}"));
        Assert.Equal(0.005, Metric(metrics, "ocrforge_model_load_seconds{model=\"digits\"}"), 6);
        Assert.Equal(6, Metric(metrics, $"ocrforge_http_request_duration_seconds_count{{{byNameRoute}}}")
            + Metric(metrics, "ocrforge_http_request_duration_seconds_count{route=\"/v1/predict\"}")
            + Metric(metrics, "ocrforge_http_request_duration_seconds_count{route=\"/predict\"}"));
        Assert.True(Metric(metrics, "process_working_set_bytes") > 0);
    }

    [Fact]
    public async Task The_openapi_document_describes_predict_with_both_body_kinds_and_the_page_is_served()
    {
        using var dir = new TempDir();
        await using var server = await StartAsync([Open("captcha", CaptchaOnnx(dir))], new OcrServerOptions());
        var http = server.Http;

        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        string[] routes = ["/v1/predict", "/predict", "/v1/models/{name}/predict", "/v1/models", "/v1/health",
            "/health"];
        foreach (var path in routes)
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        var predict = paths.GetProperty("/v1/models/{name}/predict").GetProperty("post");
        var content = predict.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("multipart/form-data", out _));
        Assert.True(content.TryGetProperty("application/octet-stream", out _));
        Assert.True(predict.GetProperty("responses").TryGetProperty("429", out _));

        var page = await http.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script src=\"app.js\">", await page.Content.ReadAsStringAsync());
        Assert.Contains("v1/models", await http.GetStringAsync("/app.js"));
    }

    [Theory]
    [InlineData("m.onnx", "m", "m.onnx")]
    [InlineData("/models/captcha.int8.onnx", "captcha.int8", "/models/captcha.int8.onnx")]
    [InlineData("fast=/models/a.onnx", "fast", "/models/a.onnx")]
    [InlineData("/data/x=y/a.onnx", "a", "/data/x=y/a.onnx")]
    public void A_model_is_named_by_name_equals_path_or_after_its_file(string spec, string name, string path) =>
        Assert.Equal(new ModelSource(name, path), ModelSource.Parse(spec));

    [Fact]
    public void Two_models_of_one_name_are_refused_in_one_line() =>
        Assert.Equal("--model: two models named 'a'; name them as name=path", Assert.Throws<OcrForgeException>(() =>
            LoadedModel.OpenAll([new ModelSource("a", "x.onnx"), new ModelSource("a", "y.onnx")], null, null)).Message);
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Server;
using SkiaSharp;

namespace OcrForge.Tests.Server;

public class OcrServerTests
{
    [Fact]
    public async Task Predict_answers_what_the_library_answers_and_rejects_a_bad_image_in_one_line()
    {
        // Given a small (untrained) CRNN saved as .ocrf, and the service listening on a free loopback port...
        using var dir = new TempDir();
        var modelPath = dir.File("m.ocrf");
        TorchRuntime.Seed(3);
        var config = ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["rnn_hidden=16", "dense=16"]));
        using (var model = TrainedModel.Create(config, Charset.FromLabels(["abc12"], hasBlank: true), new PreprocessSpec(200, 50)))
            model.Save(modelPath);
        var png1 = Png(200, 50, seed: 1);
        var png2 = Png(120, 40, seed: 2);
        using var library = TextRecognizer.Load(modelPath);
        var expected1 = library.Predict(png1);
        var expected2 = library.Predict(png2);

        await using var app = OcrServer.Build(modelPath, new OcrServerOptions { Urls = "http://127.0.0.1:0", Quiet = true });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        // ...a raw image body gets the library's text and confidence,
        using var raw = new ByteArrayContent(png1);
        raw.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var one = JsonDocument.Parse(await (await http.PostAsync("/predict", raw)).Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal(expected1.Text, one.GetProperty("text").GetString());
        Assert.Equal(expected1.Confidence, one.GetProperty("confidence").GetDouble(), 6);

        // ...also when labelled as a urlencoded form, as `curl --data-binary @x.png` sends it,
        using var curlStyle = new ByteArrayContent(png1);
        curlStyle.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var viaCurl = JsonDocument.Parse(await (await http.PostAsync("/predict", curlStyle)).Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal(expected1.Text, viaCurl.GetProperty("text").GetString());

        // ...a multipart form of two files gets two answers in order,
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(png1), "images", "first.png" },
            { new ByteArrayContent(png2), "images", "second.png" },
        };
        var two = JsonDocument.Parse(await (await http.PostAsync("/predict", form)).Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(2, two.GetArrayLength());
        Assert.Equal("second.png", two[1].GetProperty("name").GetString());
        Assert.Equal(expected2.Text, two[1].GetProperty("text").GetString());

        // ...and bytes that are not an image are a 400 whose error names the part.
        var bad = await http.PostAsync("/predict", new ByteArrayContent("not an image"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith("body: ", error);
        Assert.DoesNotContain('\n', error);

        var info = JsonDocument.Parse(await http.GetStringAsync("/model")).RootElement;
        Assert.Equal("text", info.GetProperty("task").GetString());
        Assert.Equal(0, info.GetProperty("blank_index").GetInt32());
        await app.StopAsync();
    }

    private static byte[] Png(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = new byte[width * height];
        rng.NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Server;
using SkiaSharp;

namespace OcrForge.Tests.Server;

/// <summary>Tiny untrained models as ONNX files, images, and a server on a free loopback port.</summary>
public static class ServerFixtures
{
    /// <summary>A small CRNN for 200×50 captchas, exported to ONNX (what a service would deploy).</summary>
    public static string CaptchaOnnx(TempDir dir, string name = "captcha.onnx")
    {
        TorchRuntime.Seed(3);
        var config = ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["rnn_hidden=16", "dense=16"]));
        var charset = Charset.FromLabels(["abc12", "de345"], hasBlank: true);
        using var model = TrainedModel.Create(config, charset, new PreprocessSpec(200, 50));
        var path = dir.File(name);
        OnnxWriter.Save(path, OnnxExporter.Export(model));
        return path;
    }

    /// <summary>A small 32×32 digit classifier, exported to ONNX.</summary>
    public static string DigitsOnnx(TempDir dir, string name = "digits.onnx")
    {
        TorchRuntime.Seed(4);
        var config = ModelRegistry.Create("chars74k-cnn",
            ModelRegistry.ParseOverrides(["height=32", "width=32", "filters=8,8,8,8,8,8"]));
        var charset = new Charset(Enumerable.Range(0, 10).Select(d => $"{d}"), hasBlank: false);
        using var model = TrainedModel.Create(config, charset, new PreprocessSpec(32, 32, Mean: 0.5f, Std: 0.5f));
        var path = dir.File(name);
        OnnxWriter.Save(path, OnnxExporter.Export(model));
        return path;
    }

    public static byte[] Png(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        // Noise around a level and with a contrast that vary with the seed: images an untrained model tells apart.
        int level = rng.Next(40, 216), amplitude = rng.Next(10, 120);
        var pixels = new byte[width * height];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)Math.Clamp(level + rng.Next(-amplitude, amplitude + 1), 0, 255);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static async Task<RunningServer> StartAsync(IReadOnlyList<LoadedModel> models, OcrServerOptions options)
    {
        var app = OcrServer.Build(models, options with { Urls = "http://127.0.0.1:0", Quiet = true });
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        return new RunningServer(app, http);
    }

    public static LoadedModel Open(string name, string path) =>
        new(name, path, new OnnxEngine(path, threads: 1), TimeSpan.FromMilliseconds(5));

    public static ByteArrayContent Body(byte[] png)
    {
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>The value of one sample of the Prometheus text, e.g. <c>ocrforge_images_total{model="a"}</c>.</summary>
    public static double Metric(string text, string sample)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no sample {sample} in /metrics");
        return double.Parse(line[(sample.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A started server and a client of it; disposing stops both.</summary>
public sealed class RunningServer(WebApplication app, HttpClient http) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    public HttpClient Http { get; } = http;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>
/// A real engine that records the batch size of every call and, while closed, holds calls at its door: lets a
/// test know that requests are queued behind a running batch.
/// </summary>
public sealed class GatedEngine(IOcrEngine inner) : IOcrEngine
{
    private readonly ManualResetEventSlim _open = new(true);
    private readonly SemaphoreSlim _entered = new(0);

    public ConcurrentQueue<int> Batches { get; } = new();
    public string Name => inner.Name;
    public ModelInfo Info => inner.Info;

    public void Close() => _open.Reset();
    public void Open() => _open.Set();

    /// <summary>Waits until a call has reached the engine.</summary>
    public Task<bool> EnteredAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    public EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default)
    {
        _entered.Release();
        if (!_open.Wait(TimeSpan.FromSeconds(30), cancellationToken)) throw new TimeoutException("gate never opened");
        Batches.Enqueue(batch);
        return inner.Run(input, batch, cancellationToken);
    }

    public void Dispose() => inner.Dispose();
}

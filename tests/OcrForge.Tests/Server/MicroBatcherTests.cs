using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.Server.Batching;
using OcrForge.Tests.Export;

namespace OcrForge.Tests.Server;

public class MicroBatcherTests
{
    [Fact]
    public async Task Requests_fill_batches_in_order_and_one_larger_than_the_batch_runs_alone()
    {
        // Given a batcher of at most 4 images whose engine holds a first request of 1 image,
        using var dir = new TempDir();
        using var reference = new OnnxEngine(ServerFixtures.CaptchaOnnx(dir), threads: 1);
        var gated = new GatedEngine(new OnnxEngine(ServerFixtures.CaptchaOnnx(dir, "again.onnx"), threads: 1));
        await using var batcher = new MicroBatcher(gated, maxBatch: 4, TimeSpan.Zero, capacity: 4);
        int size = gated.Info.Preprocess.Width * gated.Info.Preprocess.Height;
        float[] Input(int images, int seed)
        {
            var rng = new Random(seed);
            return Enumerable.Range(0, images * size).Select(_ => (float)rng.NextDouble()).ToArray();
        }
        gated.Close();
        var inputs = new[] { Input(1, 1), Input(3, 2), Input(5, 3), Input(1, 4) };
        var counts = new[] { 1, 3, 5, 1 };
        var first = batcher.RunAsync(batcher.TryAdmit()!, inputs[0], 1, CancellationToken.None);
        Assert.True(await gated.EnteredAsync());

        // When requests of 3, 5 and 1 images queue behind it (the queue holds 4 requests: a fifth is refused),
        var rest = Enumerable.Range(1, 3)
            .Select(i => batcher.RunAsync(batcher.TryAdmit()!, inputs[i], counts[i], CancellationToken.None)).ToList();
        Assert.Null(batcher.TryAdmit());
        gated.Open();
        var outputs = await Task.WhenAll([first, .. rest]);

        // Then 3 does not share with 5 (4 at most), 5 runs alone, and each caller gets the rows of its own images.
        Assert.Equal([1, 3, 5, 1], gated.Batches.ToArray());
        for (int i = 0; i < inputs.Length; i++)
        {
            var expected = reference.Run(inputs[i], counts[i]);
            Assert.Equal(expected.Shape, outputs[i].Shape);
            Assert.Equal(expected.Data.Length, outputs[i].Data.Length);
            for (int j = 0; j < expected.Data.Length; j++) Assert.Equal(expected.Data[j], outputs[i].Data[j], 3);
        }
        Assert.Equal(0, batcher.Admitted);
        Assert.NotNull(batcher.TryAdmit());
    }

    [Fact]
    public async Task Requests_of_different_widths_run_apart_and_get_what_they_would_get_alone()
    {
        // Given a variable-width model behind a gate, and a first request holding the engine
        using var dir = new TempDir();
        using var model = TinyModels.Create("words-lstm");
        var path = TinyModels.ExportTo(dir, model);
        using var reference = new OnnxEngine(path, threads: 1);
        var gated = new GatedEngine(new OnnxEngine(path, threads: 1));
        await using var batcher = new MicroBatcher(gated, maxBatch: 8, TimeSpan.FromSeconds(5), capacity: 4);
        var spec = gated.Info.Preprocess;
        EngineInput Request(int width, int seed)
        {
            var rng = new Random(seed);
            var pixels = new byte[width * spec.Height];
            rng.NextBytes(pixels);
            return Batch.Prepare([new GrayImage(width, spec.Height, pixels)], spec);
        }
        gated.Close();
        var first = batcher.RunAsync(batcher.TryAdmit()!, Request(30, 1), CancellationToken.None);
        Assert.True(await gated.EnteredAsync());

        // When a narrow, a wide and another narrow request of the same width queue behind it
        var requests = new[] { Request(21, 2), Request(90, 3), Request(22, 4) };
        var queued = requests.Select(r => batcher.RunAsync(batcher.TryAdmit()!, r, CancellationToken.None)).ToList();
        gated.Open();
        await first;
        var outputs = await Task.WhenAll(queued);

        // Then the two narrow ones (one padded width) shared an engine call and the wide one ran in its own
        Assert.Equal(requests[0].Width, requests[2].Width);
        Assert.Equal([1, 2, 1], gated.Batches.ToArray());
        // And each got exactly the frames and logits it gets alone: no padding from a neighbour reached it
        for (int i = 0; i < requests.Length; i++)
        {
            var alone = reference.Run(requests[i]);
            Assert.Equal(alone.Shape, outputs[i].Shape);
            Assert.Equal(requests[i].Frames![0], outputs[i].FramesOf(0));
            for (int j = 0; j < alone.Data.Length; j++) Assert.Equal(alone.Data[j], outputs[i].Data[j], 4);
        }
    }
}

public class VariableWidthServerTests
{
    [Fact]
    public async Task A_variable_width_model_is_served_with_its_frame_rule_and_reads_images_of_any_width()
    {
        // Given a variable-width model served over HTTP
        using var dir = new TempDir();
        using var model = TinyModels.Create("words-lstm");
        var path = TinyModels.ExportTo(dir, model);
        await using var server = await ServerFixtures.StartAsync([ServerFixtures.Open("words", path)], new OcrForge.Server.OcrServerOptions());
        var narrow = ServerFixtures.Png(40, 32, seed: 1);
        var wide = ServerFixtures.Png(300, 60, seed: 2);

        // When two images of different widths and heights come in one request
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(narrow), "images", "narrow.png" },
            { new ByteArrayContent(wide), "images", "wide.png" },
        };
        var results = (await ServerFixtures.JsonAsync(await server.Http.PostAsync("/predict", form))).GetProperty("results");

        // Then each gets what the library reads for the same batch
        using var library = new TextRecognizer(new OnnxEngine(path, threads: 1));
        var expected = library.PredictBatch([ImageDecoder.Decode(narrow), ImageDecoder.Decode(wide)]);
        Assert.Equal(expected.Select(p => p.Text), results.EnumerateArray().Select(r => r.GetProperty("text").GetString()));
        Assert.Equal(expected[0].Confidence, results[0].GetProperty("confidence").GetDouble(), 6);
        // And /model says how images are laid out
        var input = (await ServerFixtures.JsonAsync(await server.Http.GetAsync("/model"))).GetProperty("input");
        Assert.True(input.GetProperty("variable_width").GetBoolean());
        Assert.Equal(4, input.GetProperty("frame_width").GetInt32());
        Assert.Equal(96, input.GetProperty("width").GetInt32());
    }
}

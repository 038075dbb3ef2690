using OcrForge.Data;
using OcrForge.Engines;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Cli;
using OcrForge.Tests.Export;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

/// <summary>
/// Tiny text lines of different lengths: <see cref="TinyText"/> lines cut after their last glyph, so an image is as
/// wide as its text (about 20–50 px at 16 px high).
/// </summary>
public static class TinyWords
{
    public static List<Sample> Make(int count, int seed) => TinyText.Make(count, seed).Select(Crop).ToList();

    /// <summary>TinyText's model with variable width up to TinyText's 64 px: 2 px per frame.</summary>
    public static CrnnConfig Model => TinyText.Model with { VariableWidth = true };

    private static Sample Crop(Sample s)
    {
        var image = s.Image;
        int last = Enumerable.Range(0, image.Width).Last(x => Enumerable.Range(0, image.Height).Any(y => image[x, y] < 128));
        int width = Math.Min(image.Width, last + 4);
        var pixels = new byte[width * image.Height];
        for (int y = 0; y < image.Height; y++) Array.Copy(image.Pixels, y * image.Width, pixels, y * width, width);
        return s with { Image = new GrayImage(width, image.Height, pixels) };
    }
}

public class VariableWidthTests
{
    [Fact]
    public void Keep_aspect_scales_to_the_height_and_squeezes_only_beyond_the_maximum()
    {
        var spec = new PreprocessSpec(512, 32, Resize: ResizeMode.KeepAspect, FrameWidth: 4);
        Assert.Equal(64, Preprocessor.Fit(new GrayImage(100, 50, new byte[5000]), spec).Width);
        Assert.Equal(32, Preprocessor.Fit(new GrayImage(100, 50, new byte[5000]), spec).Height);
        Assert.Equal(512, Preprocessor.Fit(new GrayImage(2000, 50, new byte[100_000]), spec).Width);
        // A label needs frames: 1 px still owns a frame, 13 px own ⌈13/4⌉ = 4.
        Assert.Equal(1, spec.FramesOf(1));
        Assert.Equal(4, spec.FramesOf(13));
    }

    [Fact]
    public void Pack_keeps_fixed_batches_as_they_were_and_pads_variable_ones_with_each_images_background()
    {
        // Fixed size: the same floats as the one-image path that every model so far was trained and exported with.
        var fixedSpec = new PreprocessSpec(12, 4, 0.3f, 0.2f);
        var images = Enumerable.Range(0, 3).Select(i => Image(12, 4, seed: i)).ToList();
        var packed = Batch.Prepare(images, fixedSpec);
        Assert.Equal(images.SelectMany(i => Preprocessor.ToTensor(i, fixedSpec)), packed.Data);
        Assert.Null(packed.Frames);

        // Variable width: 10 and 23 px wide at 4 px per frame → a batch 24 wide, frames 3 and 6.
        var spec = new PreprocessSpec(64, 4, 0.3f, 0.2f, Resize: ResizeMode.KeepAspect, FrameWidth: 4);
        var narrow = Image(10, 4, seed: 5, background: 200);
        var wide = Image(23, 4, seed: 6, background: 40);
        var batch = Batch.Prepare([narrow, wide], spec);
        Assert.Equal((2, 4, 24), (batch.Count, batch.Height, batch.Width));
        Assert.Equal([3, 6], batch.Frames!);
        var own = Preprocessor.ToTensor(narrow, spec);
        float fill = (200 / 255f - 0.3f) / 0.2f;
        for (int y = 0; y < 4; y++)
        {
            Assert.Equal(own.AsSpan(y * 10, 10).ToArray(), batch.Data.AsSpan(y * 24, 10).ToArray());
            Assert.All(batch.Data.AsSpan(y * 24 + 10, 14).ToArray(), v => Assert.Equal(fill, v, 5));
        }

        // Joining it with a wider batch (a server gathering requests) re-pads each row with its own fill.
        var widest = Batch.Prepare([Image(40, 4, seed: 7)], spec);
        var joined = EngineInput.Concatenate([batch, widest]);
        Assert.Equal((3, 40), (joined.Count, joined.Width));
        Assert.Equal([3, 6, 10], joined.Frames!);
        Assert.Equal(batch.Data.AsSpan(24 * 3 + 5, 10).ToArray(), joined.Data.AsSpan(40 * 3 + 5, 10).ToArray());
        Assert.All(joined.Data.AsSpan(40 * 4 + 23, 17).ToArray(), v => Assert.Equal(batch.Fill![1], v));
    }

    [Fact]
    public void A_word_reads_the_same_alone_and_in_a_batch_with_a_much_wider_image()
    {
        // Given a variable-width model trained until it reads every training word
        var samples = TinyWords.Make(32, 1);
        Assert.True(samples.Select(s => s.Image.Width).Distinct().Count() > 5, "the words should differ in width");
        using var model = TrainUntilPerfect(samples);
        using var engine = new TorchEngine(model);
        var recognizer = new TextRecognizer(engine);

        // When each word is read alone and again beside a line three words long
        var wide = TinyText.Make(1, 9)[0].Image;   // 64 px: the model's widest
        var alone = samples.Select(s => recognizer.Predict(s.Image)).ToList();
        var together = samples.Select(s => recognizer.PredictBatch([s.Image, wide])[0]).ToList();

        // Then the texts agree, and are right
        Assert.Equal(samples.Select(s => s.Label), alone.Select(p => p.Text));
        Assert.Equal(alone.Select(p => p.Text), together.Select(p => p.Text));
        // And the per-frame probabilities over the word's own frames move little.
        float worst = 0, inner = 0, prob = 0;
        foreach (var s in samples)
        {
            var one = engine.Run(Batch.Prepare([s.Image], model.Manifest.Preprocess));
            var two = engine.Run(Batch.Prepare([s.Image, wide], model.Manifest.Preprocess));
            int frames = one.FramesOf(0), classes = one.Shape[2];
            Assert.Equal(frames, two.FramesOf(0));
            Assert.True(two.Shape[1] > frames);
            for (int i = 0; i < frames * classes; i++)
            {
                float d = Math.Abs(one.Data[i] - two.Data[i]);
                worst = Math.Max(worst, d);
                if (i / classes < frames - 3) inner = Math.Max(inner, d);
            }
            for (int t = 0; t < frames; t++)
            {
                var a = Softmax(one.Data.AsSpan(t * classes, classes));
                var b = Softmax(two.Data.AsSpan(t * classes, classes));
                for (int c = 0; c < classes; c++) prob = Math.Max(prob, Math.Abs(a[c] - b[c]));
            }
        }
        // Padding is background and is not packed away, so the backward recurrent direction reaches the word's own
        // frames after crossing it: they move, but stay well inside what changes a read (measured 0.92 logit,
        // 0.14 probability; docs/variable-width.md).
        Assert.True(prob < 0.25f, $"max |alone − batched| over own frames: logit {worst:g3} ({inner:g3} before the last 3 frames), probability {prob:g3}");
    }

    [Fact]
    public void Exported_onnx_matches_torch_at_three_widths_and_in_one_padded_batch()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("words-lstm");
        var spec = model.Manifest.Preprocess;
        Assert.True(spec.VariableWidth);
        var path = TinyModels.ExportTo(dir, model);
        OnnxChecker.AssertAccepts(path);
        using var torchEngine = new TorchEngine(model);
        using var onnxEngine = new OnnxEngine(path, threads: 1);
        Assert.Equal(spec, onnxEngine.Info.Preprocess);

        var images = new[] { 20, 57, 96 }.Select((w, i) => Image(w, 32, seed: 20 + i)).ToList();
        foreach (var input in images.Select(i => Batch.Prepare([i], spec)).Append(Batch.Prepare(images, spec)))
        {
            var expected = torchEngine.Run(input);
            var actual = onnxEngine.Run(input);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(input.Width / spec.FrameWidth, actual.Shape[1]);
            Assert.Equal(input.Frames, actual.Frames);
            float maxDiff = expected.Data.Zip(actual.Data, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= 1e-4f, $"width {input.Width}: max |torch − onnx| = {maxDiff:g3}");
        }
    }

    [Fact]
    public void A_strided_first_convolution_counts_in_the_frame_width_and_exports_with_dynamic_width()
    {
        var config = (CrnnConfig)ModelRegistry.Create("words", ModelRegistry.ParseOverrides(
            ["strides=2,1,1,1", "pools=1x1,2x2,2x1,4x1"]));
        Assert.Equal((4, 1, 128), (config.FrameWidth, config.OutputHeight, config.TimeSteps));
        Assert.Equal(4, config.Input.FrameWidth);
        // One stride per block, as for pools; growing the backbone repeats stride 1.
        var error = Assert.Throws<OcrForgeException>(() => ModelRegistry.Create("words", ModelRegistry.ParseOverrides(["strides=2,1"])));
        Assert.Equal("--set strides: expected 4 values, one per conv block", error.Message);
        Assert.Equal([2, 1, 1, 1, 1], ((CrnnConfig)config.With("conv_blocks", "5")).Strides!);
        Assert.Null(((CrnnConfig)ModelRegistry.Create("words")).Strides);

        using var dir = new TempDir();
        using var model = TinyModels.Create("words-strided");
        var path = TinyModels.ExportTo(dir, model);
        using var torchEngine = new TorchEngine(model);
        using var onnxEngine = new OnnxEngine(path, threads: 1);
        var spec = model.Manifest.Preprocess;
        var images = new[] { 21, 60 }.Select((w, i) => Image(w, 32, seed: 40 + i)).ToList();
        var input = Batch.Prepare(images, spec);
        var (expected, actual) = (torchEngine.Run(input), onnxEngine.Run(input));
        Assert.Equal([2, 60 / 4, TinyModels.Digits.ClassCount], actual.Shape);
        Assert.Equal([6, 15], actual.Frames!);
        Assert.True(expected.Data.Zip(actual.Data, (a, b) => Math.Abs(a - b)).Max() <= 1e-4f);
    }

    [Fact]
    public void Reading_many_words_batches_them_by_width_and_answers_in_the_order_given()
    {
        // Given a variable-width model behind an engine that records the width of every batch it runs
        using var model = TinyModels.Create("words-lstm");
        var engine = new RecordingEngine(new TorchEngine(model));
        using var recognizer = new TextRecognizer(engine);
        int[] widths = [90, 20, 88, 24, 50, 23];
        var images = widths.Select((w, i) => Image(w, 32, seed: 60 + i)).ToList();

        // When six words are read two at a time
        var all = recognizer.PredictAll(images, batchSize: 2);

        // Then each batch holds words of similar width (20+23, 24+50, 88+90 rounded up to 4 px), not the given pairs
        Assert.Equal([24, 52, 92], engine.Widths);
        // And every answer is the one its own batch gives, in the order the images came
        Assert.Equal(images.Count, all.Count);
        var byBatch = new[] { new[] { 1, 5 }, [3, 4], [2, 0] }
            .SelectMany(pair => pair.Zip(recognizer.PredictBatch([.. pair.Select(i => images[i])])));
        foreach (var (index, prediction) in byBatch)
            Assert.Equal((prediction.Text, prediction.Confidence), (all[index].Text, all[index].Confidence));
        // A fixed-size model keeps the given order.
        using var fixedModel = TinyModels.Create("bilstm-dense");
        var fixedEngine = new RecordingEngine(new TorchEngine(fixedModel));
        var fixedImages = Enumerable.Range(0, 3).Select(i => Image(30 + 10 * i, 16, seed: i)).ToList();
        using var fixedRecognizer = new TextRecognizer(fixedEngine);
        Assert.Equal(fixedImages.Select(i => fixedRecognizer.Predict(i).Text), fixedRecognizer.PredictAll(fixedImages, 1).Select(p => p.Text));
    }

    [Fact]
    public void Reading_batches_side_by_side_gives_the_answers_of_one_batch_at_a_time()
    {
        // Given a word model exported to ONNX, opened as eval and predict open it for a batch job on three cores
        using var dir = new TempDir();
        using var model = TinyModels.Create("words-lstm");
        var path = TinyModels.ExportTo(dir, model);
        using var job = EngineFactory.OpenForBatchJob(path, threads: 3);
        var images = Enumerable.Range(0, 40).Select(i => Image(20 + 7 * i % 70, 32, seed: 100 + i)).ToList();

        // When the same forty words are read one batch of four at a time and three batches at a time
        var oneAtATime = new TextRecognizer(job.Engine).PredictAll(images, batchSize: 4);
        var sideBySide = new TextRecognizer(job.Engine) { ConcurrentBatches = job.ConcurrentBatches }
            .PredictAll(images, batchSize: 4);

        // Then the job runs three batches of one engine thread each, and every answer is the same, in the same order
        Assert.Equal(3, job.ConcurrentBatches);
        Assert.Equal(oneAtATime, sideBySide);
        // A cancelled job stops as one batch alone would, not with an AggregateException
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new TextRecognizer(job.Engine) { ConcurrentBatches = 3 }.PredictAll(images, 4, cancelled.Token));
        // and a batch that fails reports its own one-line error
        var failing = new TextRecognizer(new FailingEngine(job.Engine, failAt: 5)) { ConcurrentBatches = 3 };
        var error = Assert.Throws<OcrForgeException>(() => failing.PredictAll(images, batchSize: 4));
        Assert.Equal("batch 5 failed", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextRecognizer(job.Engine) { ConcurrentBatches = 0 });
        // A character classifier keeps its batches one at a time, with every thread inside its engine.
        using var classifier = TinyModels.Create("cnn-bn-strided");
        using var classifierJob = EngineFactory.OpenForBatchJob(TinyModels.ExportTo(dir, classifier, "c.onnx"), threads: 3);
        Assert.Equal(1, classifierJob.ConcurrentBatches);
    }

    private sealed class FailingEngine(IOcrEngine inner, int failAt) : IOcrEngine
    {
        private int _calls;
        public string Name => inner.Name;
        public ModelInfo Info => inner.Info;
        public EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == failAt ? throw new OcrForgeException($"batch {failAt} failed")
                : inner.Run(input, batch, cancellationToken);
        public void Dispose() { }
    }

    private sealed class RecordingEngine(IOcrEngine inner) : IOcrEngine
    {
        public List<int> Widths { get; } = [];
        public string Name => inner.Name;
        public ModelInfo Info => inner.Info;
        public EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default)
        {
            Widths.Add(input.Length / batch / Info.Preprocess.Height);
            return inner.Run(input, batch, cancellationToken);
        }
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void Train_ctc_reads_a_csv_of_words_and_skips_a_label_too_long_for_its_image()
    {
        // Given a manifest of words of different widths and lengths, one far too narrow for its label and one
        // labelled outside the charset
        using var dir = new TempDir();
        var lines = new List<string> { "path,label" };
        foreach (var (s, i) in TinyWords.Make(40, 3).Select((s, i) => (s, i)))
        {
            ImageWriter.WritePng(s.Image, dir.File($"w{i}.png"));
            lines.Add($"w{i}.png,{s.Label}");
        }
        ImageWriter.WritePng(new GrayImage(4, 16, Enumerable.Repeat((byte)230, 64).ToArray()), dir.File("narrow.png"));
        lines.Add("narrow.png,abcdabcd");
        ImageWriter.WritePng(TinyWords.Make(1, 4)[0].Image, dir.File("other.png"));
        lines.Add("other.png,zz");
        File.WriteAllLines(dir.File("words.csv"), lines);

        // When `train ctc --preset words` runs on it, shrunk to the tiny images
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "train", "ctc", "--data", dir.File("words.csv"),
            "--preset", "words", "--set", "height=16", "--set", "width=64", "--set", "filters=8,16", "--set", "pools=2x2,2x1",
            "--set", "kernels=3,3", "--set", "rnn_hidden=16", "--charset", "abcd", "--epochs", "2", "--threads", "1", "--out", dir.File("w.ocrf"), "--json");

        // Then it trains a variable-width model over the given charset and names the two skipped images
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("narrow.png", stderr);
        Assert.Contains("other.png", stderr);
        // --json: stdout is one document, the epoch lines went to stderr
        using (var json = System.Text.Json.JsonDocument.Parse(stdout))
        {
            var root = json.RootElement;
            Assert.Equal("text_recognition", root.GetProperty("task").GetString());
            Assert.Equal(2, root.GetProperty("skipped").GetInt32());
            Assert.Equal(2, root.GetProperty("epochs").GetArrayLength());
            Assert.InRange(root.GetProperty("validation").GetProperty("cer").GetDouble(), 0, 10);
            Assert.Equal(40, root.GetProperty("train_images").GetInt32() + root.GetProperty("validation_images").GetInt32());
        }
        Assert.Contains("epoch   2", stderr);
        using var model = TrainedModel.Load(dir.File("w.ocrf"));
        Assert.True(model.Manifest.Preprocess.VariableWidth);
        Assert.Equal(2, model.Manifest.Preprocess.FrameWidth);
        Assert.Equal(["a", "b", "c", "d"], model.Charset.Symbols);
        int Fact(string key) => int.Parse(model.Manifest.Training[key], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(40, Fact("training_samples") + Fact("validation_samples"));

        // And pruning re-creates that run's split from the same manifest, skipping the same two images
        var prune = CliProcess.Run(TimeSpan.FromMinutes(2), "prune", "--model", dir.File("w.ocrf"), "--data", dir.File("words.csv"),
            "--sparsity", "0.5", "--epochs", "1", "--threads", "1", "--out", dir.File("p.ocrf"));
        Assert.True(prune.Code == 0, prune.Stderr + prune.Stdout);
        using var pruned = TrainedModel.Load(dir.File("p.ocrf"));
        Assert.Equal(model.Manifest.Preprocess, pruned.Manifest.Preprocess);
    }

    [Fact]
    public void Training_batches_group_similar_widths_and_stay_a_reproducible_permutation()
    {
        var samples = TinyWords.Make(200, 5);
        var spec = CtcTraining.Standardize(samples, TinyWords.Model);
        using var set = new ImageBatches(samples, spec, null);
        using var model = TinyWords.Model.Build(TinyText.Charset.ClassCount);
        var task = new CtcTrainingTask(model, TinyText.Charset, set, set);
        var shuffled = Enumerable.Range(0, 200).ToArray();
        new Random(1).Shuffle(shuffled);

        var arranged = task.Arrange((int[])shuffled.Clone(), 8);

        Assert.Equal(Enumerable.Range(0, 200), arranged.Order());
        Assert.Equal(arranged, task.Arrange((int[])shuffled.Clone(), 8));
        // Pixels a step computes: every image of a batch is as wide as the batch's widest.
        long Padded(int[] order) => order.Chunk(8).Sum(b => (long)b.Length * b.Max(i => samples[i].Image.Width));
        Assert.True(Padded(arranged) < 0.85 * Padded(shuffled), $"{Padded(arranged)} vs {Padded(shuffled)} padded columns");
        // A fixed-size task keeps the trainer's order.
        var fixedSpec = CtcTraining.Standardize(TinyText.Make(8, 1), TinyText.Model);
        using var fixedSet = new ImageBatches(TinyText.Make(8, 1), fixedSpec, null);
        using var fixedModel = TinyText.Model.Build(TinyText.Charset.ClassCount);
        var order = Enumerable.Range(0, 8).Reverse().ToArray();
        Assert.Equal(order, new CtcTrainingTask(fixedModel, TinyText.Charset, fixedSet, fixedSet).Arrange(order, 4));
    }

    [Fact]
    public void A_charset_keeps_its_order_and_a_repeated_or_empty_one_is_a_one_line_error()
    {
        Assert.Equal(["b", "a", "é"], CtcTraining.ParseCharset("baé").Symbols);
        Assert.Equal("--charset: 'a' is given twice", Assert.Throws<OcrForgeException>(() => CtcTraining.ParseCharset("aba")).Message);
        Assert.StartsWith("--charset: empty", Assert.Throws<OcrForgeException>(() => CtcTraining.ParseCharset("")).Message);
    }

    [Fact]
    public void Fixed_size_models_keep_their_file_format()
    {
        // Nothing about variable width is written for a fixed-size model, so files read by older builds stay the same.
        var spec = new PreprocessSpec(128, 32, 0.5f, 0.2f);
        var json = System.Text.Json.JsonSerializer.Serialize(spec, ModelFile.Json);
        Assert.DoesNotContain("frame", json);
        Assert.DoesNotContain("variable", json);
        // A spec as files written before variable width hold it reads back as the fixed-size spec it was.
        var old = System.Text.Json.JsonSerializer.Deserialize<PreprocessSpec>(
            """{"width":128,"height":32,"mean":0.5,"std":0.2,"invert":false,"resize":"stretch","auto_contrast":false,"channels":1}""", ModelFile.Json);
        Assert.Equal(spec, old);
        Assert.False(old!.VariableWidth);
        var config = System.Text.Json.JsonSerializer.Serialize<ModelConfig>(ModelRegistry.Create("captcha-crnn"), ModelFile.Json);
        Assert.DoesNotContain("variable", config);
        // And a variable-width model says so in both.
        var words = (CrnnConfig)ModelRegistry.Create("words");
        using var written = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize<ModelConfig>(words, ModelFile.Json));
        Assert.True(written.RootElement.GetProperty("variable_width").GetBoolean());
        Assert.Equal(words.Input, System.Text.Json.JsonSerializer.Deserialize<PreprocessSpec>(
            System.Text.Json.JsonSerializer.Serialize(words.Input, ModelFile.Json), ModelFile.Json));
    }

    private static TrainedModel TrainUntilPerfect(List<Sample> samples)
    {
        var config = TinyWords.Model;
        var spec = CtcTraining.Standardize(samples, config);
        TorchRuntime.Seed(3);
        var model = TrainedModel.Create(config, TinyText.Charset, spec);
        using var train = new ImageBatches(samples, spec, null);
        using var validation = new ImageBatches(samples, spec, null);
        var task = new CtcTrainingTask(model.Module, TinyText.Charset, train, validation);
        using var dir = new TempDir();
        using var done = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Finished?.Metrics["sequence_accuracy"] == 1.0) done.Cancel(); });
        var options = new TrainingOptions { RunDirectory = dir.Path, Epochs = 80, BatchSize = 8, LearningRate = 1e-2, Patience = 0, Seed = 3, Threads = 1 };
        try { new Trainer(options, progress).Fit(task, done.Token); }
        catch (OperationCanceledException) { }
        model.Module.eval();
        return model;
    }

    private static float[] Softmax(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        var e = new float[x.Length];
        for (int i = 0; i < x.Length; i++) e[i] = MathF.Exp(x[i] - max);
        float sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static GrayImage Image(int width, int height, int seed, byte background = 230)
    {
        var rng = new Random(seed);
        var pixels = Enumerable.Repeat(background, width * height).ToArray();
        // Ink strokes inside, background on the border: the border colour is the background.
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++)
                if (rng.Next(3) == 0) pixels[y * width + x] = (byte)rng.Next(256);
        return new GrayImage(width, height, pixels);
    }
}

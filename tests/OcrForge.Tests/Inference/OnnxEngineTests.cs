using OcrForge.Data;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Tests.Export;
using static TorchSharp.torch;

namespace OcrForge.Tests.Inference;

public class OnnxEngineTests
{
    /// <summary>
    /// Raw PNG files through both real paths: the training path (DatasetReader → DatasetDecoder → Normalize → torch)
    /// and the deployable one (bytes → TextRecognizer over the exported ONNX file). A divergence in decoding,
    /// resizing or normalisation between them shows up here.
    /// </summary>
    [Fact]
    public void Training_and_onnx_paths_agree_on_raw_image_files()
    {
        using var dir = new TempDir();
        var data = Directory.CreateDirectory(Path.Combine(dir.Path, "captchas")).FullName;
        foreach (var file in Directory.GetFiles(TestData.Captchas, "*.png").Order(StringComparer.Ordinal).Take(12))
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        var spec = new PreprocessSpec(48, 16, Mean: 0.4f, Std: 0.3f, Invert: true);
        using var model = TinyModels.Create("bilstm-dense", preprocess: spec);
        var onnxPath = TinyModels.ExportTo(dir, model, "m.onnx");

        var samples = DatasetDecoder.Decode(DatasetReader.Read(data), spec.Width, spec.Height).Samples;
        var trainingInput = new float[samples.Count * spec.Width * spec.Height];
        for (int i = 0; i < samples.Count; i++)
            Preprocessor.Normalize(samples[i].Image.Pixels, spec, trainingInput.AsSpan(i * spec.Width * spec.Height, spec.Width * spec.Height));
        float[] torchLogits;
        using (NewDisposeScope())
        using (no_grad())
            torchLogits = model.Module.forward(tensor(trainingInput, [samples.Count, 1, spec.Height, spec.Width])).contiguous().data<float>().ToArray();

        using var recognizer = TextRecognizer.Load(onnxPath);
        using var torchRecognizer = new TextRecognizer(new OcrForge.Engines.TorchEngine(model));
        var images = samples.Select(s => ImageDecoder.Decode(File.ReadAllBytes(s.Path))).ToList();
        var onnxLogits = recognizer.Engine.Run(Batch.Preprocess(images, spec), images.Count).Data;

        Assert.Equal(torchLogits.Length, onnxLogits.Length);
        float maxDiff = torchLogits.Zip(onnxLogits, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-4f, $"max |training path − onnx path| = {maxDiff:g3}");
        for (int i = 0; i < samples.Count; i++)
            Assert.Equal(torchRecognizer.Predict(samples[i].Image).Text, recognizer.Predict(File.ReadAllBytes(samples[i].Path)).Text);
    }

    [Fact]
    public void Concurrent_batches_give_the_sequential_answers()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = TinyModels.ExportTo(dir, model, "c.onnx");
        using var classifier = CharacterClassifier.Load(path, threads: 1);
        var rng = new Random(2);
        var batches = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 5).Select(_ =>
        {
            var pixels = new byte[24 * 24];
            rng.NextBytes(pixels);
            return new GrayImage(24, 24, pixels);
        }).ToList()).ToList();
        var sequential = batches.Select(b => Labels(classifier.PredictBatch(b, top: 3))).ToList();

        var concurrent = new string[batches.Count][];
        Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Labels(classifier.PredictBatch(batches[i], top: 3)));

        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public void A_cancelled_call_throws_operation_cancelled()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("bilstm-dense");
        var path = TinyModels.ExportTo(dir, model, "m.onnx");
        using var recognizer = TextRecognizer.Load(path);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => recognizer.PredictBatch([new GrayImage(48, 16, new byte[48 * 16])], cancelled.Token));
    }

    [Fact]
    public void Missing_file_is_a_one_line_error_naming_it()
    {
        var e = Assert.Throws<OcrForgeException>(() => TextRecognizer.Load("/nonexistent/model.onnx"));
        Assert.Equal("/nonexistent/model.onnx: no such model file", e.Message);
    }

    [Fact]
    public void An_image_renamed_to_onnx_is_rejected_naming_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("fake.onnx");
        File.Copy(Directory.GetFiles(TestData.Captchas, "*.png")[0], path);

        var e = Assert.Throws<OcrForgeException>(() => new OnnxEngine(path));

        Assert.StartsWith($"{path}: not a valid ONNX model", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_onnx_file_without_ocrforge_metadata_is_rejected()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var exported = OnnxExporter.Export(model);
        var path = dir.File("bare.onnx");
        OnnxWriter.Save(path, new OnnxModel(exported.Graph, new Dictionary<string, string>()));

        var e = Assert.Throws<OcrForgeException>(() => new OnnxEngine(path));

        Assert.Contains("lacks OcrForge metadata 'ocrforge.task'", e.Message);
    }

    [Fact]
    public void An_onnx_file_opened_with_the_torch_engine_says_which_engine_to_use()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = TinyModels.ExportTo(dir, model, "c.onnx");

        var e = Assert.Throws<OcrForgeException>(() => EngineFactory.Open(path, "torch"));

        Assert.Contains("--engine onnx", e.Message);
    }

    [Fact]
    public void A_classifier_file_is_refused_by_the_text_recognizer()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = TinyModels.ExportTo(dir, model, "c.onnx");

        var e = Assert.Throws<OcrForgeException>(() => TextRecognizer.Load(path));

        Assert.Contains("character classifier", e.Message);
    }

    private static string[] Labels(IReadOnlyList<IReadOnlyList<ClassScore>> predictions) =>
        predictions.SelectMany(p => p.Select(s => $"{s.Label}:{s.Probability:0.0000}")).ToArray();
}

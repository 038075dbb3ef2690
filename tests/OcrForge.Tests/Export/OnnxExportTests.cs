using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;

namespace OcrForge.Tests.Export;

public class OnnxExportTests
{
    public static TheoryData<string> Variants => new(TinyModels.Variants.Keys);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Exported_file_passes_the_checker_and_matches_torch_logits(string variant)
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create(variant);
        var path = TinyModels.ExportTo(dir, model, $"{variant}.onnx");

        OnnxChecker.AssertAccepts(path);
        using var torchEngine = new OcrForge.Inference.TorchEngine(model);
        using var onnxEngine = new OnnxEngine(path, threads: 1);
        foreach (int batch in new[] { 1, 5 })
        {
            var input = TinyModels.Input(model.Manifest.Preprocess, batch, seed: batch);
            var expected = torchEngine.Run(input, batch);
            var actual = onnxEngine.Run(input, batch);
            Assert.Equal(expected.Shape, actual.Shape);
            float maxDiff = expected.Data.Zip(actual.Data, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= 1e-4f, $"{variant} batch {batch}: max |torch − onnx| = {maxDiff:g3}");
        }
    }

    [Fact]
    public void Metadata_round_trips_so_the_onnx_file_alone_predicts()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("bilstm-dense");
        var path = TinyModels.ExportTo(dir, model, "m.onnx");

        using var engine = new OnnxEngine(path);

        Assert.Equal(OcrTask.TextRecognition, engine.Info.Task);
        Assert.Equal(model.Charset.Symbols, engine.Info.Charset.Symbols);
        Assert.True(engine.Info.Charset.HasBlank);
        Assert.Equal(model.Manifest.Preprocess, engine.Info.Preprocess);
    }

    [Fact]
    public void Classifier_metadata_has_no_blank()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = TinyModels.ExportTo(dir, model, "c.onnx");

        using var engine = new OnnxEngine(path);

        Assert.Equal(OcrTask.Classification, engine.Info.Task);
        Assert.False(engine.Info.Charset.HasBlank);
        Assert.Equal(10, engine.Info.Charset.ClassCount);
    }

    [Fact]
    public void Unsupported_opset_is_a_one_line_error()
    {
        using var model = TinyModels.Create("cnn-bn-strided");
        var e = Assert.Throws<OcrForgeException>(() => OnnxExporter.Export(model, opset: 9));
        Assert.Contains("--opset 9", e.Message);
    }
}

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
        using var torchEngine = new OcrForge.Engines.TorchEngine(model);
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
    public void Residual_blocks_become_folded_convs_and_an_add_per_block()
    {
        using var model = TinyModels.Create("resnet");
        // The parity theory only proves the folding if every BatchNorm, the ones inside the blocks included, is far from identity.
        var norms = model.Module.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.BatchNorm2d>().ToList();
        Assert.Equal(1 + 4 * 2 + 3, norms.Count);
        Assert.All(norms, bn => Assert.True(bn.running_var!.sub(1).abs().max().item<float>() > 0.01f));

        var graph = OnnxExporter.Export(model).Graph;

        Assert.DoesNotContain(graph.Nodes, n => n.OpType == "BatchNormalization");
        Assert.Equal(1 + 4 * 2 + 3, graph.Nodes.Count(n => n.OpType == "Conv"));
        var adds = graph.Nodes.Where(n => n.OpType == "Add").ToList();
        Assert.Equal(4, adds.Count);
        // Block 1 keeps the identity shortcut: its Add reads the stem's activation directly.
        var stem = graph.Nodes.First(n => n.OpType == "Relu").Outputs[0];
        Assert.Contains(stem, adds[0].Inputs);
        Assert.All(adds.Skip(1), add => Assert.All(add.Inputs, i => Assert.Equal("Conv", graph.Producer(i)!.OpType)));
        Assert.All(adds, add => Assert.Equal("Relu", Assert.Single(graph.Consumers(add.Outputs[0])).OpType));
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
    public void Training_facts_travel_with_the_exported_file_so_its_held_out_split_can_be_recreated()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        model.Manifest.Training["seed"] = "42";
        model.Manifest.Training["test_fraction"] = "0.15";
        var path = TinyModels.ExportTo(dir, model, "c.onnx");

        using var engine = new OnnxEngine(path);

        Assert.Equal("42", engine.Info.Training["seed"]);
        Assert.Equal("0.15", engine.Info.Training["test_fraction"]);
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

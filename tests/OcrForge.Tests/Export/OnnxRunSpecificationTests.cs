using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.Training;

namespace OcrForge.Tests.Export;

public class OnnxRunSpecificationTests
{
    [Fact]
    public void The_exported_file_carries_the_run_specification_and_reads_it_back_whole()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var run = RunSpecification.Default(RunTask.Classify, "/data/chars") with
        {
            Data = new RunData { Path = "/data/chars", TestFraction = 0.2, ValidationFraction = 0.25, Seed = 9 },
            Training = CharacterTrainingRecipe with { Epochs = 3, Seed = 4 },
        };
        model.Manifest.Run = run.ForStorage();
        var path = TinyModels.ExportTo(dir, model, "c.onnx");

        using var engine = new OnnxEngine(path);
        var back = RunSpecification.Parse(engine.Info.RunSpecification!, path);

        Assert.Equal(model.Manifest.Run.ToJson(), back.ToJson());
        Assert.Equal(new SplitSettings(0.25, 0.2, 1, 9), back.Split);
        // The engine over the .ocrf file says the same.
        using var torch = new OcrForge.Engines.TorchEngine(model);
        Assert.Equal(engine.Info.RunSpecification, torch.Info.RunSpecification);
    }

    [Fact]
    public void A_model_without_a_specification_exports_without_the_key()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("bilstm-dense");
        model.Manifest.Run = null;
        var path = TinyModels.ExportTo(dir, model, "m.onnx");

        using var engine = new OnnxEngine(path);

        Assert.Null(engine.Info.RunSpecification);
        Assert.DoesNotContain(ModelMetadata.RunSpecification, OcrForge.Export.OnnxExporter.Export(model).Metadata.Keys);
    }

    [Fact]
    public void A_specification_that_is_not_a_json_object_is_damaged_metadata()
    {
        var info = new ModelInfo(OcrTask.Classification, new Charset(["a", "b"], hasBlank: false),
            new PreprocessSpec(8, 8)) { RunSpecification = "{\"task\": \"ctc\"}" };
        var metadata = ModelMetadata.Write(info);
        Assert.Equal("{\"task\": \"ctc\"}", ModelMetadata.Read(metadata, "m.onnx").RunSpecification);

        metadata[ModelMetadata.RunSpecification] = "[1, 2]";
        var error = Assert.Throws<OcrForgeException>(() => ModelMetadata.Read(metadata, "m.onnx"));

        Assert.Contains("m.onnx", error.Message);
        Assert.Contains(ModelMetadata.RunSpecification, error.Message);
    }

    private static TrainingOptions CharacterTrainingRecipe => OcrForge.Training.Classification.CharacterTraining.Recipe;
}

using OcrForge.Engines;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Tests.Export;

namespace OcrForge.Tests.Inference;

/// <summary>
/// Engines by name: each test uses a registry of its own (what the inference package alone gives), so the
/// process-wide one that the tests' startup fills stays as it is.
/// </summary>
public class EngineRegistryTests
{
    [Fact]
    public void An_onnx_file_opens_with_the_inference_package_alone()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = TinyModels.ExportTo(dir, model, "c.onnx");
        var registry = new EngineRegistry();

        using var engine = registry.Open(path);

        Assert.Equal("onnx", engine.Name);
        Assert.Equal(["onnx"], registry.Names);
    }

    [Fact]
    public void An_ocrf_file_without_the_library_engine_is_one_line_naming_the_file_and_the_fix()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = dir.File("c.ocrf");
        model.Save(path);

        var e = Assert.Throws<OcrForgeException>(() => new EngineRegistry().Open(path));

        Assert.Equal(
            $"{path}: .ocrf models need the OcrForge library; call OcrForgeEngines.Register() or export to ONNX",
            e.Message);
    }

    [Fact]
    public void An_ocrf_file_opens_with_torch_after_registration_and_registering_twice_is_harmless()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = dir.File("c.ocrf");
        model.Save(path);
        var registry = new EngineRegistry();

        OcrForgeEngines.Register(registry);
        OcrForgeEngines.Register(registry);
        using var engine = registry.Open(path);

        Assert.Equal("torch", engine.Name);
        Assert.IsType<TorchEngine>(engine);
        Assert.Equal(["onnx", "torch"], registry.Names);
    }

    [Fact]
    public void The_process_wide_factory_opens_ocrf_files_once_the_library_registered()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = dir.File("c.ocrf");
        model.Save(path);

        using var engine = EngineFactory.Open(path);

        Assert.Equal("torch", engine.Name);
    }

    [Fact]
    public void An_unknown_engine_is_one_line_listing_the_known_ones()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var path = TinyModels.ExportTo(dir, model, "c.onnx");

        var e = Assert.Throws<OcrForgeException>(() => new EngineRegistry().Open(path, "gpu"));

        Assert.Equal("--engine gpu: unknown engine (known: torch, onnx)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_registered_engine_claims_its_extension_and_can_still_be_named()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create("cnn-bn-strided");
        var onnx = TinyModels.ExportTo(dir, model, "c.onnx");
        var renamed = dir.File("c.model");
        File.Copy(onnx, renamed);
        var registry = new EngineRegistry();
        var opened = new List<string>();
        registry.Register("recording", (p, o) =>
        {
            opened.Add(p);
            return new OnnxEngine(p, o.Threads);
        }, "model");

        using (registry.Open(renamed)) { }
        using (registry.Open(onnx, "recording")) { }
        using (var byExtension = registry.Open(onnx)) Assert.Equal("onnx", byExtension.Name);

        Assert.Equal([renamed, onnx], opened);
    }
}

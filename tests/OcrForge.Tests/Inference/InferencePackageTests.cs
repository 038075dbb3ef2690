using System.Text.Json;
using OcrForge.Inference;
using OcrForge.Inference.Engines;

namespace OcrForge.Tests.Inference;

/// <summary>The deployable package must run ONNX models without TorchSharp/libtorch (≈ 600 MB).</summary>
public class InferencePackageTests
{
    [Fact]
    public void Dependency_closure_holds_onnx_runtime_and_skia_but_no_torchsharp()
    {
        var assets = Path.Combine(RepositoryRoot(), "src", "OcrForge.Inference", "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = json.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();

        Assert.Contains("Microsoft.ML.OnnxRuntime", libraries);
        Assert.Contains("SkiaSharp", libraries);
        Assert.DoesNotContain(libraries, l => l.Contains("Torch", StringComparison.OrdinalIgnoreCase) || l.Contains("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(typeof(OnnxEngine).Assembly.GetReferencedAssemblies(), a => a.Name!.Contains("Torch", StringComparison.OrdinalIgnoreCase));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "src", "OcrForge.Inference", "OcrForge.Inference.csproj"))) return dir.FullName;
        throw new InvalidOperationException($"repository root not found above {AppContext.BaseDirectory}");
    }
}

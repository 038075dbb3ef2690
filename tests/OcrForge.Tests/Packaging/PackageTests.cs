using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using Xunit.Abstractions;

namespace OcrForge.Tests.Packaging;

/// <summary>
/// What `dotnet pack` produces works where it is installed: the tool from a folder of packages, the README's example
/// against OcrForge.Inference, and a TorchSharp build against OcrForge. One pack and one install serve every test.
/// </summary>
public class PackageTests(PackedOcrForge packed, ITestOutputHelper log) : IClassFixture<PackedOcrForge>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Tool_is_one_linux_x64_package_with_the_patched_libtorchsharp_and_reports_its_version()
    {
        // The pointer package names the platform package; only linux-x64's native libraries are inside that one.
        var platformPackage = Path.Combine(packed.Artifacts, $"OcrForge.Tool.linux-x64.{packed.Version}.nupkg");
        Assert.True(File.Exists(platformPackage), $"{platformPackage} missing; packed: {string.Join(", ", Directory.GetFiles(packed.Artifacts).Select(Path.GetFileName))}");
        using (var zip = ZipFile.OpenRead(platformPackage))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("tools/net10.0/linux-x64/libtorch_cpu.so", names);
            Assert.DoesNotContain(names, n => n.EndsWith(".dylib", StringComparison.Ordinal) || n.EndsWith("torch_cpu.dll", StringComparison.Ordinal));
        }

        log.WriteLine($"pack (tool, then both libraries): {packed.PackTime.TotalSeconds:0.0} s; tool install: {packed.InstallTime.TotalSeconds:0.0} s; "
            + string.Join(", ", Directory.GetFiles(packed.Artifacts).Order().Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length / 1e6:0.00} MB")));
        var (code, stdout, stderr) = packed.Run(packed.Tool, packed.ToolPath, Minute, "--version");
        Assert.True(code == 0, stderr);
        Assert.StartsWith(packed.Version, stdout.Trim());

        // The installed copy carries the weak requirement whatever the packing machine's libstdc++ has.
        var installed = Directory.GetFiles(packed.ToolPath, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.Single(installed);
        Assert.Contains("Flags: WEAK", GlibcxxRequirement(installed[0]));
    }

    [Fact]
    public void Installed_tool_reads_captchas_with_ocrf_and_onnx_models_as_the_library_does()
    {
        // Given a small CRNN as .ocrf (TorchSharp) and .onnx, and three captchas from the shared data...
        var folder = packed.NewFolder("predict");
        var images = Directory.GetFiles(TestData.Captchas, "*.png").Order(StringComparer.Ordinal).Take(3).ToArray();
        var (ocrf, onnx) = SmallCaptchaModel(folder, images);

        foreach (var model in new[] { ocrf, onnx })
        {
            using var library = TextRecognizer.Load(model);
            // ...the installed tool reads each image as the library in this process does (text and confidence).
            var (code, stdout, stderr) = packed.Run(packed.Tool, folder, Minute, ["predict", "--model", model, "--json", .. images]);
            Assert.True(code == 0, $"ocrforge predict --model {Path.GetFileName(model)}: exit {code}\n{stderr}");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(images.Length, lines.Length);
            for (int i = 0; i < images.Length; i++)
            {
                var json = JsonDocument.Parse(lines[i]).RootElement;
                var expected = library.Predict(images[i]);
                Assert.Equal(images[i], json.GetProperty("path").GetString());
                Assert.Equal(expected.Text, json.GetProperty("text").GetString());
                Assert.Equal(expected.Confidence, json.GetProperty("confidence").GetDouble(), 3);
            }
        }
    }

    [Fact]
    public void Readme_example_builds_against_the_inference_package_and_reads_captchas()
    {
        // Given the C# block of README.md as the whole Program.cs of a console app that references the packed
        // OcrForge.Inference (as `dotnet new console` + `dotnet add package` would make it)...
        var app = packed.NewFolder("readme-app");
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeExample(packed.RepoRoot));
        File.WriteAllText(Path.Combine(app, "ReadText.csproj"), ConsoleProject("OcrForge.Inference", packed.Version));
        File.Copy(packed.NuGetConfig, Path.Combine(app, "nuget.config"));
        var images = Directory.GetFiles(TestData.Captchas, "*.png").Order(StringComparer.Ordinal).Skip(3).Take(2).ToArray();
        var (_, onnx) = SmallCaptchaModel(app, images);

        // ...it builds without warnings, its restore brings no TorchSharp, and it prints each image's text.
        var (build, _) = packed.Dotnet(app, TimeSpan.FromMinutes(3), ["build", "-c", "Release", .. PackedOcrForge.BuildOptions]);
        Assert.Contains("0 Warning(s)", build);
        var assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.Contains($"OcrForge.Inference/{packed.Version}", assets);
        Assert.DoesNotContain("TorchSharp", assets, StringComparison.OrdinalIgnoreCase);

        var (code, stdout, stderr) = packed.Run("dotnet", app, Minute, ["bin/Release/net10.0/ReadText.dll", onnx, .. images]);
        Assert.True(code == 0, stderr);
        using var library = TextRecognizer.Load(onnx);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(images.Length, lines.Length);
        for (int i = 0; i < images.Length; i++)
            Assert.StartsWith($"{Path.GetFileName(images[i])}: {library.Predict(images[i]).Text} (", lines[i]);
    }

    [Fact]
    public void Training_package_brings_the_libstdcxx_fix_to_a_consumer_build()
    {
        // Given a console app that references the packed OcrForge (so TorchSharp-cpu and libtorch come transitively)...
        var app = packed.NewFolder("training-app");
        File.WriteAllText(Path.Combine(app, "Program.cs"), "Console.WriteLine(TorchSharp.torch.ones(3).sum().item<float>());\n");
        File.WriteAllText(Path.Combine(app, "UsesTorch.csproj"),
            ConsoleProject("OcrForge", packed.Version, "<RuntimeIdentifier>linux-x64</RuntimeIdentifier>"));
        File.Copy(packed.NuGetConfig, Path.Combine(app, "nuget.config"));

        // ...its build output loads libtorch on this machine: the package's build targets patched its copy where the
        // system libstdc++ lacks GLIBCXX_3.4.32 (Debian 12), and left it alone where it has it.
        packed.Dotnet(app, TimeSpan.FromMinutes(3), ["build", "-c", "Release", .. PackedOcrForge.BuildOptions]);
        var output = Path.Combine(app, "bin", "Release", "net10.0", "linux-x64");
        var (code, stdout, stderr) = packed.Run("dotnet", app, Minute, Path.Combine(output, "UsesTorch.dll"));
        Assert.True(code == 0, stderr);
        Assert.Equal("3", stdout.Trim());
        var requirement = GlibcxxRequirement(Path.Combine(output, "libLibTorchSharp.so"));
        if (!SystemLibStdCxxHas("GLIBCXX_3.4.32")) Assert.Contains("Flags: WEAK", requirement);
        // The output's copy was a hard link into the machine's NuGet packages: that file is still TorchSharp's own.
        var cached = Directory.GetFiles(Path.Combine(packed.MachinePackages, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Where(p => p.Contains("linux-x64", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cached);
        Assert.All(cached, p => Assert.DoesNotContain("WEAK", GlibcxxRequirement(p)));
    }

    /// <summary>The C# block README.md marks as the read-text example: the test compiles exactly what users read.</summary>
    private static string ReadmeExample(string repoRoot)
    {
        var readme = File.ReadAllText(Path.Combine(repoRoot, "README.md"));
        var match = Regex.Match(readme, @"<!-- read-text example:[^\n]*-->\n```csharp\n(.*?)\n```", RegexOptions.Singleline);
        Assert.True(match.Success, "README.md has no '<!-- read-text example: … -->' followed by a ```csharp block");
        return match.Groups[1].Value + "\n";
    }

    private static string ConsoleProject(string package, string version, string extraProperties = "") => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            {extraProperties}
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="{package}" Version="{version}" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>An untrained (seeded) CRNN over the images' symbols, saved as .ocrf and exported to .onnx.</summary>
    private static (string Ocrf, string Onnx) SmallCaptchaModel(string folder, IEnumerable<string> images)
    {
        TorchRuntime.Seed(5);
        var config = ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["rnn_hidden=16", "dense=16"]));
        var charset = Charset.FromLabels(images.Select(i => Path.GetFileNameWithoutExtension(i)), hasBlank: true);
        using var model = TrainedModel.Create(config, charset, new PreprocessSpec(200, 50));
        var ocrf = Path.Combine(folder, "captcha.ocrf");
        var onnx = Path.Combine(folder, "captcha.onnx");
        model.Save(ocrf);
        OnnxWriter.Save(onnx, OnnxExporter.Export(model));
        return (ocrf, onnx);
    }

    /// <summary>readelf's line for the GLIBCXX_3.4.32 entry of the version-needs table (an independent ELF reader).</summary>
    private static string GlibcxxRequirement(string library)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("readelf", ["-V", "-W", library]) { RedirectStandardOutput = true };
        using var readelf = System.Diagnostics.Process.Start(psi)!;
        var output = readelf.StandardOutput.ReadToEnd();
        readelf.WaitForExit();
        return output.Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32"));
    }

    private static bool SystemLibStdCxxHas(string version) =>
        File.Exists("/lib/x86_64-linux-gnu/libstdc++.so.6")
        && System.Text.Encoding.ASCII.GetString(File.ReadAllBytes("/lib/x86_64-linux-gnu/libstdc++.so.6")).Contains(version + "\0");
}

namespace OcrForge.Tests.Cli;

public class DemoCommandTests
{
    [Fact]
    public void Demo_runs_the_whole_flow_and_leaves_the_four_model_files()
    {
        // Given a tiny budget (the real demo trains 2,000 captchas for 20 epochs)...
        using var dir = new TempDir();
        // ...and a corrupt file among its training images (a --work folder used before can hold anything)...
        Directory.CreateDirectory(dir.File("train"));
        File.WriteAllText(dir.File("train/broken.png"), "not a png");
        // ...and one among its test images, first in order, where the predict step reads its few images
        Directory.CreateDirectory(dir.File("test"));
        File.WriteAllText(dir.File("test/0-broken.png"), "not a png");
        // About 40 s quiet here; the limit only stops a hung demo, and must survive a slower or busier CI machine.
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(6), "demo", "--work", dir.Path, "--count", "40", "--epochs", "1", "--prune-epochs", "1");

        // ...it goes through every step, writes the trained, pruned, exported and quantized models, and compares all four.
        Assert.True(code == 0, stderr);
        // The corrupt file is named by each step that reads the training images: train, prune and quantize.
        Assert.Equal(3, stderr.Split('\n').Count(l => l.StartsWith($"warning: {dir.File("train/broken.png")}: ",
            StringComparison.Ordinal)));
        // The corrupt test image by each step that reads the test images as a dataset: evaluate and compare.
        Assert.Equal(2, stderr.Split('\n').Count(l => l.StartsWith($"warning: {dir.File("test/0-broken.png")}: ",
            StringComparison.Ordinal)));
        // Nothing from libtorch's logger (it warned about NNPACK from every convolution on some CPUs).
        Assert.DoesNotContain("NNPACK", stdout + stderr);
        Assert.DoesNotMatch(@"(?m)^\[W", stdout + stderr);
        foreach (var step in new[] { "1. data", "2. train", "3. evaluate", "4. predict", "5. prune", "6. export", "7. quantize", "8. compare" })
            Assert.Contains(step, stdout);
        foreach (var file in new[] { "captcha.ocrf", "captcha.pruned.ocrf", "captcha.onnx", "captcha.int8.onnx" })
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, file)), file);
            Assert.Matches($@"│ {System.Text.RegularExpressions.Regex.Escape(file)}\s+│ \d+ kB\s+│ \d+ kB\s+│ \d+\.\d %", stdout);
        }
        // The comparison is also written next to the models, as `ocrforge compare --out` writes it.
        string[] report = ["comparison.json", "comparison.csv", "comparison.md", "accuracy.png", "size.png", "latency.png",
            "throughput.png"];
        foreach (var file in report)
            Assert.True(File.Exists(Path.Combine(dir.Path, "compare", file)), file);
    }
}

using System.Text.Json;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Runtime;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Compression;
using OcrForge.Tests.Evaluation;
using OcrForge.Tests.Training;

namespace OcrForge.Tests.Cli;

/// <summary>Serial: building the tiny model files draws from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class CompareCommandTests
{
    [Fact]
    public void A_text_model_next_to_a_classifier_is_one_line_naming_both_with_exit_code_2()
    {
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(4, 1));
        var (dense, _, _, _) = CompareModelsTests.TextModels(dir, data);
        TorchRuntime.Seed(3);
        var charset = new Charset(["a", "b"], hasBlank: false);
        using (var classifier = TrainedModel.Create(TinyCharacters.TinyCnn, charset, TinyCharacters.Spec))
            classifier.Save(dir.File("chars.ocrf"));

        var (code, stdout, stderr) =
            CliProcess.Run("compare", "--model", dense, dir.File("chars.ocrf"), "--data", data);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal($"error: {dense} is a text recogniser and {dir.File("chars.ocrf")} is a character classifier: " +
            "compare models of one task", line);
        Assert.Empty(stdout);
    }

    [Fact]
    public void A_model_that_fails_to_load_is_named_and_the_others_are_compared_and_written()
    {
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(6, 1));
        var (dense, pruned, onnx, _) = CompareModelsTests.TextModels(dir, data);
        File.WriteAllText(dir.File("broken.onnx"), "not a model");

        var (code, stdout, stderr) = CliProcess.Run("compare", "--model", dense, dir.File("broken.onnx"), pruned, onnx,
            "--data", data, "--threads", "1", "--seconds", "0.01", "--out", dir.File("report"), "--json");

        // Exit 2 flags the missing model; stderr names it with the reason, once
        Assert.Equal(2, code);
        var warning = $"warning: {dir.File("broken.onnx")}: not compared: not a valid ONNX model";
        Assert.Single(stderr.Split('\n'), l => l.StartsWith(warning, StringComparison.Ordinal));
        // stdout is one JSON document with the three others, in order
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var compared = root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString());
        Assert.Equal([dense, pruned, onnx], compared);
        Assert.Equal(dir.File("broken.onnx"), root.GetProperty("failures")[0].GetProperty("model").GetString());
        string[] written = ["comparison.json", "comparison.csv", "comparison.md", "accuracy.png", "size.png",
            "latency.png", "throughput.png"];
        foreach (var file in written)
            Assert.True(File.Exists(Path.Combine(dir.File("report"), file)), file);
        Assert.Equal(stdout.Trim(), File.ReadAllText(Path.Combine(dir.File("report"), "comparison.json")).Trim());

        // Piped without --json, the table is Markdown: whole rows however wide, not a table cut at 80 columns
        var (tableCode, table, _) =
            CliProcess.Run("compare", "--model", dense, onnx, "--data", data, "--threads", "1", "--seconds", "0.01");
        Assert.Equal(0, tableCode);
        const string row = @"\| pruned\.onnx \| onnx \| [\d,]+ \| [\d,]+ \| [\d,]+ kB \| [\d,]+ kB \| \d+\.\d\d % \|";
        Assert.Matches(row + @".* \| \d+\.\d\d× \|", table);
    }
}

using OcrForge.Tests.Compression;
using OcrForge.Tests.Training;

namespace OcrForge.Tests.Cli;

/// <summary>Serial: building the tiny model file draws from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class PruneCommandTests
{
    [Fact]
    public void Prune_reports_per_layer_sparsity_and_both_models_and_writes_the_pruned_file()
    {
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        PruningTests.SaveTextModel(dir.File("m.ocrf"), data);

        var (code, stdout, stderr) = CliProcess.Run("prune", "--model", dir.File("m.ocrf"), "--data", data, "--sparsity", "0.5", "--epochs", "2",
            "--threads", "1", "--out", dir.File("p.ocrf"));

        Assert.True(code == 0, stderr);
        Assert.Matches(@"│ backbone\.conv0\.weight\s+│ [\d,]+\s+│ [\d,]+\s+│ 50\.0 %", stdout);
        Assert.Matches(@"│ m\.ocrf\s+│ \d+\.\d\d %\s+│ [\d,]+\s+│ [\d.]+ kB", stdout);
        Assert.Matches(@"│ p\.ocrf\s+│ \d+\.\d\d %\s+│ [\d,]+\s+│ [\d.]+ kB", stdout);
        Assert.Contains("saved", stdout);
        Assert.True(File.Exists(dir.File("p.ocrf")));
    }

    [Fact]
    public void Prune_json_is_one_document_with_both_accuracies_and_every_layer()
    {
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(24, 1));
        PruningTests.SaveTextModel(dir.File("m.ocrf"), data);

        var (code, stdout, stderr) = CliProcess.Run("prune", "-m", dir.File("m.ocrf"), "--data", data, "--sparsity", "0.5", "--epochs", "1",
            "--threads", "1", "--json", "-o", dir.File("p.ocrf"));

        Assert.True(code == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(dir.File("p.ocrf"), root.GetProperty("out").GetString());
        Assert.Equal("magnitude", root.GetProperty("method").GetString());
        Assert.InRange(root.GetProperty("after").GetDouble(), 0, 1);
        Assert.Contains(root.GetProperty("layers").EnumerateArray(), l => l.GetProperty("name").GetString() == "backbone.conv0.weight"
            && Math.Abs(l.GetProperty("sparsity").GetDouble() - 0.5) < 0.01);
        Assert.Equal(1, root.GetProperty("epochs").GetArrayLength());
    }

    [Fact]
    public void A_sparsity_outside_zero_to_one_is_one_line_on_stderr_with_exit_code_2()
    {
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(8, 1));
        PruningTests.SaveTextModel(dir.File("m.ocrf"), data);

        var (code, _, stderr) = CliProcess.Run("prune", "--model", dir.File("m.ocrf"), "--data", data, "--sparsity", "1.5", "--out", dir.File("p.ocrf"));

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--sparsity 1.5", line);
        Assert.False(File.Exists(dir.File("p.ocrf")));
    }
}

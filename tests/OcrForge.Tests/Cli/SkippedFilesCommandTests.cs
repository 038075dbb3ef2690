using System.Text.Json.Nodes;
using OcrForge.Data;
using OcrForge.Tests.Evaluation;
using OcrForge.Tests.Training;

namespace OcrForge.Tests.Cli;

/// <summary>
/// Every command that reads a dataset names the files it skipped, on stderr through the one printer, and in its JSON
/// result as <c>skipped</c> and <c>problems</c>. Serial: building the tiny model files draws from torch's
/// process-wide generator.
/// </summary>
[Collection(Gan.SeededTorchCollection.Name)]
public sealed class SkippedFilesCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>Tiny text lines named LABEL__N.png, and one file that is not a PNG at all.</summary>
    private string Lines(int count = 16)
    {
        var images = Directory.CreateDirectory(_dir.File("lines")).FullName;
        foreach (var (sample, i) in TinyText.Make(count, 5).Select((s, i) => (s, i)))
            ImageWriter.WritePng(sample.Image, Path.Combine(images, $"{sample.Label}__{i}.png"));
        File.WriteAllText(Path.Combine(images, "broken.png"), "not a png");
        return images;
    }

    private string Broken => Path.Combine(_dir.File("lines"), "broken.png");

    private void AssertNamed(int code, string stdout, string stderr)
    {
        Assert.True(code == 0, stderr);
        Assert.Contains(stderr.Split('\n'), l => l.StartsWith($"warning: {Broken}: ", StringComparison.Ordinal));
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(1, json["skipped"]!.GetValue<int>());
        Assert.Equal(Broken, json["problems"]![0]!["path"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["problems"]![0]!["reason"]!.GetValue<string>()));
    }

    [Fact]
    public void Compare_names_a_corrupt_image_on_stderr_and_in_its_json()
    {
        var data = Lines();
        var (dense, _, _, _) = CompareModelsTests.TextModels(_dir, data);

        var (code, stdout, stderr) = CliProcess.Run("compare", "--model", dense, "--data", data, "--threads", "1",
            "--seconds", "0.01", "--json");

        AssertNamed(code, stdout, stderr);
    }

    [Fact]
    public void Bench_names_a_corrupt_image_on_stderr_and_in_its_json()
    {
        var data = Lines();
        var (dense, _, _, _) = CompareModelsTests.TextModels(_dir, data);

        var (code, stdout, stderr) = CliProcess.Run("bench", "--model", dense, "--data", data, "--batch", "1",
            "--threads", "1", "--seconds", "0.01", "--json");

        AssertNamed(code, stdout, stderr);
    }

    [Fact]
    public void Quantize_names_a_corrupt_image_once_when_calibration_and_held_out_data_are_one_folder()
    {
        var data = Lines();
        var (dense, _, _, _) = CompareModelsTests.TextModels(_dir, data);

        var (code, _, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "quantize", "--model", dense, "--data", data,
            "--eval-data", data, "--out", _dir.File("q.onnx"), "--json");

        Assert.True(code == 0, stderr);
        Assert.Single(stderr.Split('\n'), l => l.StartsWith($"warning: {Broken}: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Bench_train_names_a_corrupt_image_on_stderr_and_in_its_json()
    {
        var data = Lines();

        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "bench", "train", "--data", data,
            "--set", "height=16", "--set", "width=64", "--set", "rnn_hidden=16", "--set", "filters=8,8,8",
            "--batch-size", "8", "--threads", "1", "--json");

        AssertNamed(code, stdout, stderr);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Tune_run_names_a_corrupt_image_of_the_trial_data_once_and_in_its_json(int workers)
    {
        var data = Lines();
        var space = TinySpace();

        // Two trials of one input size: the data is read once, and the file named once, however many worker
        // processes read it.
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "tune", "run", "--objective", "ctc",
            "--data", data, "--space", space, "--storage", _dir.File("s.db"), "--trials", "2", "--epochs", "1",
            "--workers", $"{workers}", "--threads", $"{workers}", "--json");

        // Worker processes read the data, not the parent: only a single worker's document lists the files.
        if (workers == 1) AssertNamed(code, stdout, stderr);
        else Assert.True(code == 0, stderr);
        Assert.Single(stderr.Split('\n'), l => l.Contains(Broken, StringComparison.Ordinal));
    }

    /// <summary>A space of one tiny CRNN for 16×64 lines, only the learning rate searched: a trial takes a
    /// second.</summary>
    private string TinySpace()
    {
        var space = _dir.File("space.yaml");
        File.WriteAllText(space, "parameters:\n  lr: { type: float, low: 1.0e-3, high: 3.0e-2, log: true }\n" +
            "  set.height: { type: categorical, choices: [16] }\n  set.width: { type: categorical, choices: [64] }\n" +
            "  set.filters: { type: categorical, choices: [\"8,8,8\"] }\n" +
            "  set.rnn_hidden: { type: categorical, choices: [8] }\n");
        return space;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}

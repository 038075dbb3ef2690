using System.Text.Json;
using OcrForge.Data;
using OcrForge.Tests.Classification;

namespace OcrForge.Tests.Cli;

public class TrainJsonTests
{
    [Fact]
    public void Train_classify_json_is_one_document_on_stdout_with_the_test_result_and_every_epoch()
    {
        // Given four bar angles as classes a–d, one folder each
        using var dir = new TempDir();
        foreach (var (image, i) in TinyCharacters.Make(25).Select((image, i) => (image, i)))
        {
            var folder = Directory.CreateDirectory(dir.File("data/" + "abcd"[image.Class])).FullName;
            ImageWriter.WritePng(image.Image, Path.Combine(folder, $"{i:D3}.png"));
        }

        // When a tiny classifier trains for two epochs with --json
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "train", "classify", "--data", dir.File("data"),
            "--preset", "chars74k-cnn", "--set", "filters=8,8,8,16,16,16", "--epochs", "2", "--threads", "1", "--json",
            "--out", dir.File("c.ocrf"));

        // Then stdout parses as one JSON document that agrees with what was trained, and the epoch lines are on stderr
        Assert.True(code == 0, stderr + stdout);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("classification", root.GetProperty("task").GetString());
        Assert.Equal(dir.File("c.ocrf"), root.GetProperty("model").GetString());
        Assert.Equal(2, root.GetProperty("epochs").GetArrayLength());
        Assert.Equal(1, root.GetProperty("epochs")[0].GetProperty("epoch").GetInt32());
        var test = root.GetProperty("test");
        Assert.True(test.GetProperty("images").GetInt32() > 0);
        Assert.InRange(test.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.True(File.Exists(dir.File("c.ocrf")));
        Assert.Contains("epoch   2", stderr);
        // The run folder holds the run's pictures (OcrForge.Reports.TrainingReports writes them)
        var run = root.GetProperty("run_directory").GetString()!;
        foreach (var picture in new[] { "curves.png", "confusion.png" })
            Assert.True(File.Exists(Path.Combine(run, picture)), Path.Combine(run, picture));
    }
}

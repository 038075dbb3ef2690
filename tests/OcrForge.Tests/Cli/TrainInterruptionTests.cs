using System.Diagnostics;
using OcrForge.Data;
using OcrForge.Tests.Classification;

namespace OcrForge.Tests.Cli;

public class TrainInterruptionTests
{
    [Fact]
    public async Task A_signal_during_train_keeps_the_finished_epochs_saves_the_best_and_exits_130()
    {
        // Given a tiny classifier set and a run with far more epochs than the test will wait for
        using var dir = new TempDir();
        foreach (var (image, i) in TinyCharacters.Make(25).Select((image, i) => (image, i)))
        {
            var folder = Directory.CreateDirectory(dir.File("data/" + "abcd"[image.Class])).FullName;
            ImageWriter.WritePng(image.Image, Path.Combine(folder, $"{i:D3}.png"));
        }
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "OcrForge.Cli.dll"), "train", "classify", "--data",
                     dir.File("data"), "--preset", "chars74k-cnn", "--set", "filters=8,8,8,16,16,16", "--epochs", "500",
                     "--patience", "0", "--threads", "1", "--out", dir.File("c.ocrf"),
                 })
            start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        // When SIGTERM arrives after two epochs are logged
        var log = dir.File("c.train/log.csv");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(File.Exists(log) && File.ReadAllLines(log).Length >= 3))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, await stderr.WaitAsync(TimeSpan.Zero)
                .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "no epoch logged in time"));
            await Task.Delay(200);
        }
        using (var kill = Process.Start("kill", ["-TERM", $"{process.Id}"])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        // Then the run ends with 130, says so in one line, and the best of the finished epochs is a usable model
        string errors = await stderr;
        Assert.True(process.ExitCode == 130, errors + await stdout);
        Assert.Single(errors.Split('\n'), l => l.StartsWith("interrupted after ", StringComparison.Ordinal));
        Assert.True(File.Exists(dir.File("c.ocrf")));
        var (code, evalOut, evalErr) = CliProcess.Run("eval", "--model", dir.File("c.ocrf"), "--data",
            dir.File("data"), "--json");
        Assert.True(code == 0, evalErr);
        Assert.Contains("accuracy", evalOut);
    }
}

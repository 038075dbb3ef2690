using System.Diagnostics;
using System.Runtime.InteropServices;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class WorkerSignalTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Sigterm_ends_a_worker_cleanly_its_running_trial_failed_as_interrupted_and_requeued()
    {
        if (OperatingSystem.IsWindows()) return;
        // Given a worker in the middle of a slow synthetic trial (100 epochs of 100 ms)
        var db = _dir.File("s.db");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "OcrForge.Cli.dll"), "tune", "run", "--storage", db,
            "--trials", "3", "--epochs", "100", "--epoch-ms", "100", "--heartbeat", "0.5" })
            start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!Running(db) && clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited) await Task.Delay(100);
        Assert.False(process.HasExited, process.HasExited ? await stderr : "");

        // When it is sent SIGTERM
        Assert.Equal(0, Kill(process.Id, 15));

        // Then it exits as interrupted, soon, and the study is consistent: nothing running, the trial failed with the
        // reason, its parameters waiting for the next worker, the budget untouched
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the worker ignored SIGTERM");
        string errors = await stderr, output = await stdout;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {errors}{output}");
        using var storage = new SqliteStudyStorage(db);
        var trials = storage.Trials(storage.FindStudy("default")!.Id);
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        var failed = Assert.Single(trials, t => t.State == TrialState.Failed);
        Assert.Equal("interrupted (Ctrl+C or SIGTERM); re-queued", failed.Failure);
        var waiting = Assert.Single(trials, t => t.State == TrialState.Waiting);
        Assert.Equal(failed.Params, waiting.Params);
        Assert.Contains("interrupted", errors);
    }

    private static bool Running(string db)
    {
        if (!File.Exists(db)) return false;
        try
        {
            using var storage = new SqliteStudyStorage(db);
            return storage.FindStudy("default") is { } s && storage.Trials(s.Id).Any(t => t.State == TrialState.Running && t.Intermediate.Count > 0);
        }
        catch (OcrForge.Inference.OcrForgeException) { return false; }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}

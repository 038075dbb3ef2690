using System.Diagnostics;
using System.Runtime.InteropServices;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class WorkerSignalTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Sigterm_ends_workers_cleanly_their_running_trials_failed_as_interrupted_and_requeued(int workers)
    {
        if (OperatingSystem.IsWindows()) return;
        // Given workers (one process, or a parent with its worker processes) in the middle of slow synthetic trials
        var db = _dir.File("s.db");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "OcrForge.Cli.dll"), "tune", "run", "--storage", db,
            "--trials", "6", "--epochs", "100", "--epoch-ms", "100", "--heartbeat", "0.5", "--workers", $"{workers}", "--threads", $"{workers}" })
            start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (Running(db) < workers && clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited) await Task.Delay(100);
        Assert.False(process.HasExited, process.HasExited ? await stderr : "");

        // When SIGTERM is sent to the process started (not to its workers)
        Assert.Equal(0, Kill(process.Id, 15));

        // Then it exits as interrupted, soon, and the study is consistent: nothing running, each running trial failed
        // with the reason and its parameters waiting for the next worker
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "SIGTERM was ignored");
        string errors = await stderr, output = await stdout;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {errors}{output}");
        using var storage = new SqliteStudyStorage(db);
        var trials = storage.Trials(storage.FindStudy("default")!.Id);
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        var failed = trials.Where(t => t.State == TrialState.Failed).ToList();
        Assert.Equal(workers, failed.Count);
        Assert.All(failed, f => Assert.Equal("interrupted (Ctrl+C or SIGTERM); re-queued", f.Failure));
        Assert.Equal(failed.Select(f => ParameterValues.ToJson(f.Params)).Order(),
            trials.Where(t => t.State == TrialState.Waiting).Select(t => ParameterValues.ToJson(t.Params)).Order());
        Assert.Contains("interrupted", errors);
    }

    private static int Running(string db)
    {
        if (!File.Exists(db)) return 0;
        try
        {
            using var storage = new SqliteStudyStorage(db);
            return storage.FindStudy("default") is { } s
                ? storage.Trials(s.Id).Count(t => t.State == TrialState.Running && t.Intermediate.Count > 0) : 0;
        }
        catch (OcrForge.Inference.OcrForgeException) { return 0; }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}

using System.Diagnostics;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

/// <summary>
/// The multi-process guarantee, per storage: worker processes of the real CLI and worker threads on one study with
/// --trials 40 finish exactly 40 trials, numbered 0–39 without duplicates or gaps, also when a worker process is
/// killed in the middle of a trial (its heartbeat expires; the trial is failed and its configuration re-queued).
/// </summary>
public abstract class MultiWorkerContract : IDisposable
{
    private const int Budget = 40;
    protected readonly TempDir Dir = new();

    protected abstract string Storage { get; }

    protected abstract IStudyStorage Open();

    private string SpaceFile()
    {
        var path = Dir.File("space.yaml");
        File.WriteAllText(path,
            "parameters:\n  x1: { type: float, low: -5, high: 10 }\n  x2: { type: float, low: 0, high: 15 }\n" +
            "  optimizer: { type: categorical, choices: [adam, sgd] }\n  momentum: { type: float, low: 0.5, high: " +
                "0.99, when: { optimizer: [sgd] } }\n");
        return path;
    }

    private Process StartCli(string study, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "OcrForge.Cli.dll"), "tune", "run", "--space",
            SpaceFile(),
            "--storage", Storage, "--study", study, "--trials", $"{Budget}", "--pruner", "median",
                "--json" }.Concat(extra))
            start.ArgumentList.Add(a);
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Errors) Errors.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private readonly List<string> Errors = [];

    private static void WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException("condition not met in time");
            Thread.Sleep(50);
        }
    }

    private void RunThreads(string study, int count, TimeSpan heartbeatTimeout, int epochMs)
    {
        var space = SearchSpaceFile.Load(SpaceFile());
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count }, i =>
        {
            using var storage = Open();
            var info = storage.CreateStudy(study, StudyDirection.Minimize);
            new StudyRunner(storage, info, space, new TpeSampler(i), new MedianPruner(),
                new SyntheticObjective(space, 8, TimeSpan.FromMilliseconds(epochMs)),
                new RunnerOptions
                {
                    Worker = $"thread-{i}", Budget = Budget,
                    HeartbeatInterval = heartbeatTimeout / 6, HeartbeatTimeout = heartbeatTimeout,
                }).Run();
        });
    }

    private IReadOnlyList<Trial> TrialsOf(string study)
    {
        using var storage = Open();
        return storage.FindStudy(study) is { } info ? storage.Trials(info.Id) : [];
    }

    private static void AssertExactlyTheBudget(IReadOnlyList<Trial> trials)
    {
        var finished = trials.Where(t => t.State is TrialState.Complete or TrialState.Pruned).ToList();
        Assert.Equal(Budget, finished.Count);
        Assert.DoesNotContain(trials, t => t.State is TrialState.Running or TrialState.Waiting);
        Assert.Equal(trials.Count, trials.Select(t => t.Number).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, trials.Count), trials.Select(t => t.Number).Order());
        Assert.All(finished, t => Assert.True(t.Params.ContainsKey("x1") && t.Value is not null));
    }

    [Fact]
    public void Worker_processes_and_threads_finish_exactly_the_budget()
    {
        using var cli = StartCli("mixed", "--workers", "2", "--epoch-ms", "25");
        // Threads join once the processes are at work, so both kinds really overlap.
        WaitFor(() => TrialsOf("mixed").Any(t => t.Worker?.StartsWith("thread", StringComparison.Ordinal) == false),
            TimeSpan.FromSeconds(30));
        RunThreads("mixed", 2, TimeSpan.FromSeconds(30), 25);
        Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(60)), "the CLI workers did not finish");
        Assert.True(cli.ExitCode == 0, string.Join('\n', Errors));
        var trials = TrialsOf("mixed");
        AssertExactlyTheBudget(trials);
        Assert.Equal(Budget, trials.Count);
        var workers = trials.Select(t => t.Worker!).Distinct().ToList();
        Assert.Equal(2, workers.Count(w => w.StartsWith("thread", StringComparison.Ordinal)));
        Assert.Equal(2, workers.Count(w => !w.StartsWith("thread", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_worker_killed_mid_trial_has_its_trial_requeued_and_the_budget_still_holds()
    {
        using var cli = StartCli("killed", "--epoch-ms", "300", "--heartbeat", "0.2");
        WaitFor(() => TrialsOf("killed").Any(t => t.State == TrialState.Running && t.Intermediate.Count > 0),
            TimeSpan.FromSeconds(30));
        cli.Kill(entireProcessTree: true);
        cli.WaitForExit();
        var victim = TrialsOf("killed").Single(t => t.State == TrialState.Running);

        RunThreads("killed", 3, TimeSpan.FromSeconds(2), 5);

        var trials = TrialsOf("killed");
        AssertExactlyTheBudget(trials);
        var dead = trials.Single(t => t.Id == victim.Id);
        Assert.Equal(TrialState.Failed, dead.State);
        Assert.Contains("stopped heartbeating", dead.Failure);
        var retry = Assert.Single(trials, t => t.Retries == 1);
        Assert.Equal(dead.Params, retry.Params);
        Assert.True(retry.State is TrialState.Complete or TrialState.Pruned);
        Assert.Equal(Budget + 1, trials.Count);
    }

    public virtual void Dispose() => Dir.Dispose();
}

public sealed class SqliteMultiWorkerTests : MultiWorkerContract
{
    protected override string Storage => Dir.File("study.db");

    protected override IStudyStorage Open() => new SqliteStudyStorage(Storage);

    public override void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        base.Dispose();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMultiWorkerTests(PostgresServer server) : MultiWorkerContract
{
    protected override string Storage => server.Url();

    protected override IStudyStorage Open() => new PostgresStudyStorage(server.Url());
}

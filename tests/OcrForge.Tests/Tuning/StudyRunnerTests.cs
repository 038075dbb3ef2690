using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class StudyRunnerTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly SearchSpace Space = SearchSpaceFile.ParseText("""
        parameters:
          x1: { type: float, low: -5, high: 10 }
          x2: { type: float, low: 0, high: 15 }
        """, yaml: true);

    private static RunnerOptions Options(int budget) => new() { Worker = "t", Budget = budget,
        HeartbeatInterval = TimeSpan.FromMilliseconds(100) };

    /// <summary>Fails whenever x1 is above 5, otherwise behaves as the synthetic objective.</summary>
    private sealed class Flaky(IObjective inner, Action? onReport = null) : IObjective
    {
        public string Metric => inner.Metric;
        public StudyDirection Direction => inner.Direction;
        public int MaxSteps => inner.MaxSteps;
        public void Check(SearchSpace space) => inner.Check(space);

        public double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
            CancellationToken token)
        {
            if ((double)parameters["x1"] > 5) throw new InvalidDataException("x1 too large\nsecond line");
            return inner.Run(parameters, new Forward(reporter, onReport), threads, token);
        }

        private sealed class Forward(ITrialReporter inner, Action? onReport) : ITrialReporter
        {
            public void Report(int step, double value) { onReport?.Invoke(); inner.Report(step, value); }
        }
    }

    [Fact]
    public void A_failing_objective_fails_its_trial_with_the_reason_and_the_study_goes_on()
    {
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("s", StudyDirection.Minimize);
        var summary = new StudyRunner(storage, study, Space, new RandomSampler(1), new NopPruner(),
            new Flaky(new SyntheticObjective(Space, epochs: 3)), Options(20)).Run();
        var trials = storage.Trials(study.Id);
        Assert.Equal(20, trials.Count);
        Assert.Equal(summary.Failed, trials.Count(t => t.State == TrialState.Failed));
        Assert.InRange(summary.Failed, 1, 19);
        Assert.All(trials.Where(t => t.State == TrialState.Failed), t
            => Assert.Equal("InvalidDataException: x1 too large", t.Failure));
        Assert.All(trials.Where(t => t.State == TrialState.Complete), t => Assert.Equal(3, t.Intermediate.Count));
    }

    [Fact]
    public void Cancelling_ends_the_running_trial_cleanly_and_requeues_it()
    {
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("s", StudyDirection.Minimize);
        using var cancel = new CancellationTokenSource();
        int reports = 0;
        var space = SearchSpaceFile.ParseText("parameters:\n  x1: { type: float, low: -5, high: 5 }\n  x2: { type: " +
            "float, low: 0, high: 15 }", yaml: true);
        var objective = new Flaky(new SyntheticObjective(space, epochs: 5), ()
            => { if (++reports == 7) cancel.Cancel(); });
        var summary = new StudyRunner(storage, study, space, new RandomSampler(1), new NopPruner(), objective,
            Options(10)).Run(cancel.Token);
        Assert.True(summary.Interrupted);
        Assert.Equal(1, summary.Complete);
        var trials = storage.Trials(study.Id);
        var stopped = Assert.Single(trials, t => t.State == TrialState.Failed);
        Assert.StartsWith("interrupted", stopped.Failure);
        var requeued = Assert.Single(trials, t => t.State == TrialState.Waiting);
        Assert.Equal(stopped.Params, requeued.Params);
        // The next run picks the re-queued configuration up first and the budget still holds.
        new StudyRunner(storage, study, space, new RandomSampler(1), new NopPruner(), new SyntheticObjective(space, 5),
            Options(10)).Run();
        trials = storage.Trials(study.Id);
        Assert.Equal(10, trials.Count(t => t.State == TrialState.Complete));
        Assert.Equal(stopped.Params, trials.Single(t => t.Id == requeued.Id).Params);
    }

    [Fact]
    public void Pruned_trials_stop_early_and_keep_their_last_value()
    {
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("s", StudyDirection.Minimize);
        var summary = new StudyRunner(storage, study, Space, new RandomSampler(2), new SuccessiveHalvingPruner(),
            new SyntheticObjective(Space, epochs: 16), Options(30)).Run();
        var pruned = storage.Trials(study.Id).Where(t => t.State == TrialState.Pruned).ToList();
        Assert.Equal(summary.Pruned, pruned.Count);
        Assert.NotEmpty(pruned);
        Assert.All(pruned, t => Assert.True(t.Intermediate.Count < 16 && t.Value == t.Last!.Value.Value));
    }

    /// <summary>The synthetic objective, but its steps said to measure something else than its value.</summary>
    private sealed class OtherSteps(IObjective inner) : IObjective
    {
        public string Metric => inner.Metric;
        public string StepMetric => "something_else";
        public StudyDirection Direction => inner.Direction;
        public int MaxSteps => inner.MaxSteps;
        public void Check(SearchSpace space) => inner.Check(space);

        public double Run(IReadOnlyDictionary<string, object> parameters, ITrialReporter reporter, int threads,
            CancellationToken token) => inner.Run(parameters, reporter, threads, token);
    }

    [Fact]
    public void A_pruned_trial_whose_steps_measure_another_metric_has_no_value()
    {
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("s", StudyDirection.Minimize);
        new StudyRunner(storage, study, Space, new RandomSampler(2), new SuccessiveHalvingPruner(),
            new OtherSteps(new SyntheticObjective(Space, epochs: 16)), Options(30)).Run();
        var trials = storage.Trials(study.Id);

        Assert.Contains(trials, t => t.State == TrialState.Pruned);
        Assert.All(trials.Where(t => t.State == TrialState.Pruned), t => Assert.True(t.Value is null
            && t.Intermediate.Count > 0));
        Assert.All(trials.Where(t => t.State == TrialState.Complete), t => Assert.NotNull(t.Value));
    }

    [Fact]
    public void No_trial_starts_after_the_timeout()
    {
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("s", StudyDirection.Minimize);
        var objective = new SyntheticObjective(Space, epochs: 2, TimeSpan.FromMilliseconds(100));
        var summary = new StudyRunner(storage, study, Space, new RandomSampler(1), new NopPruner(), objective,
            Options(50) with { Timeout = TimeSpan.FromMilliseconds(500) }).Run();
        // Each trial takes about 0.2 s: the timeout lets a few start, and the one running at the deadline finishes.
        Assert.InRange(summary.Complete, 1, 4);
        Assert.Equal(summary.Complete, storage.Trials(study.Id).Count);
        Assert.All(storage.Trials(study.Id), t => Assert.Equal(TrialState.Complete, t.State));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}

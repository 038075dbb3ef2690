using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

/// <summary>
/// The rules of <see cref="IStudyStorage"/>, run against every implementation (each test class inherits this one and
/// says how to open its storage).
/// </summary>
public abstract class StudyStorageContract
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected abstract IStudyStorage Open(TimeProvider? clock = null);

    /// <summary>"sqlite" or "postgres": which dialect of <see cref="LegacySchemas"/> to build.</summary>
    protected abstract string Dialect { get; }

    /// <summary>A fresh database built by <paramref name="ddl"/> alone (as an earlier version left it): how to open it
    /// with the current code, and how to read one value from it directly.</summary>
    protected abstract (Func<IStudyStorage> Open, Func<string, object?> Scalar) Legacy(string ddl);

    private static readonly SearchSpace Space = SearchSpaceFile.ParseText(
        """{"parameters":{"x1":{"type":"float","low":-5,"high":10},"opt":{"type":"categorical","choices":["a","b"]}}}""",
        yaml: false);

    private static string NewName() => $"s{Guid.NewGuid():N}";

    private static ClaimRequest Request(int budget, string worker = "w1", int maxRetries = 2) => new(worker, 3, budget,
        Timeout, maxRetries);

    [Fact]
    public void Creating_a_study_twice_opens_the_same_one_and_a_different_direction_is_refused()
    {
        using var storage = Open();
        string name = NewName();
        var first = storage.CreateStudy(name, StudyDirection.Minimize);
        var again = storage.CreateStudy(name, StudyDirection.Minimize);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(StudyDirection.Minimize, storage.FindStudy(name)!.Direction);
        var e = Assert.Throws<OcrForgeException>(() => storage.CreateStudy(name, StudyDirection.Maximize));
        Assert.Contains("minimize", e.Message);
        Assert.Null(storage.FindStudy(NewName()));
    }

    [Fact]
    public void Claims_number_trials_from_zero_and_stop_at_the_budget()
    {
        using var storage = Open();
        var study = storage.CreateStudy(NewName(), StudyDirection.Minimize);
        var claimed = Enumerable.Range(0, 5).Select(_ => storage.Claim(study.Id, Request(3))).ToList();
        Assert.Equal([0, 1, 2], claimed.Take(3).Select(t => t!.Number));
        Assert.All(claimed.Take(3), t => Assert.Equal(TrialState.Running, t!.State));
        Assert.Null(claimed[3]);
        Assert.Null(claimed[4]);
        // A larger budget from a later invocation continues the numbering.
        Assert.Equal(3, storage.Claim(study.Id, Request(4))!.Number);
    }

    [Fact]
    public void An_enqueued_trial_is_claimed_before_new_ones_with_its_values()
    {
        using var storage = Open();
        var study = storage.CreateStudy(NewName(), StudyDirection.Minimize);
        var queued = storage.Enqueue(study.Id, new Dictionary<string, object> { ["lr"] = 0.01, ["optimizer"] = "sgd",
            ["batch"] = 32L });
        Assert.Equal(TrialState.Waiting, queued.State);
        var claimed = storage.Claim(study.Id, Request(10))!;
        Assert.Equal(queued.Id, claimed.Id);
        Assert.Equal("w1", claimed.Worker);
        Assert.Equal(0.01, (double)claimed.Params["lr"]);
        Assert.Equal("sgd", claimed.Params["optimizer"]);
        Assert.Equal(32L, claimed.Params["batch"]);
        Assert.NotEqual(queued.Id, storage.Claim(study.Id, Request(10))!.Id);
    }

    [Fact]
    public void Reports_values_and_finish_are_recorded_and_snapshots_do_not_change_afterwards()
    {
        var clock = new ManualClock();
        using var storage = Open(clock);
        var study = storage.CreateStudy(NewName(), StudyDirection.Maximize);
        var trial = storage.Claim(study.Id, Request(5))!;
        Assert.True(storage.SetParams(trial.Id, new Dictionary<string, object> { ["x"] = 1.5, ["k"] = 3L }));
        Assert.True(storage.Report(trial.Id, 1, 0.25));
        var before = storage.Trials(study.Id).Single();
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.True(storage.Report(trial.Id, 2, 0.5));
        Assert.True(storage.Finish(trial.Id, TrialState.Complete, 0.5));

        var after = storage.Trials(study.Id).Single();
        Assert.Equal(TrialState.Complete, after.State);
        Assert.Equal(0.5, after.Value);
        Assert.Equal([0.25, 0.5], after.Intermediate.Values);
        Assert.Equal(TimeSpan.FromSeconds(2), after.Duration);
        Assert.Equal(("w1", 3), (after.Worker, after.Threads));
        Assert.Equal(1.5, after.Params["x"]);
        Assert.Equal(3L, after.Params["k"]);
        // The first snapshot is as it was read.
        Assert.Equal(TrialState.Running, before.State);
        Assert.Single(before.Intermediate);
        // Finished: writes are refused.
        Assert.False(storage.Report(trial.Id, 3, 0.75));
        Assert.False(storage.Finish(trial.Id, TrialState.Failed, null, "late"));
        Assert.False(storage.Heartbeat(trial.Id));
        Assert.Equal(TrialState.Complete, storage.Trials(study.Id).Single().State);
    }

    [Fact]
    public void A_trial_whose_heartbeat_expired_is_failed_and_requeued_until_retries_run_out()
    {
        var clock = new ManualClock();
        using var storage = Open(clock);
        var study = storage.CreateStudy(NewName(), StudyDirection.Minimize);
        var values = new Dictionary<string, object> { ["x"] = 2.5 };
        var dead = storage.Claim(study.Id, Request(2, "dead", maxRetries: 1))!;
        storage.SetParams(dead.Id, values);
        var alive = storage.Claim(study.Id, Request(2, "alive", maxRetries: 1))!;
        Assert.Null(storage.Claim(study.Id, Request(2, "other", maxRetries: 1)));

        clock.Now += Timeout / 2;
        Assert.True(storage.Heartbeat(alive.Id));
        clock.Now += Timeout / 2 + TimeSpan.FromSeconds(1);
        // The dead worker's claim went back to the budget: its re-queued copy is what gets claimed.
        var retry = storage.Claim(study.Id, Request(2, "other", maxRetries: 1))!;
        Assert.Equal(2.5, retry.Params["x"]);
        Assert.Equal(1, retry.Retries);
        Assert.Equal(2, retry.Number);
        var failed = storage.Trials(study.Id).Single(t => t.Id == dead.Id);
        Assert.Equal(TrialState.Failed, failed.State);
        Assert.Contains("stopped heartbeating", failed.Failure);
        Assert.False(storage.Report(dead.Id, 1, 1.0));
        Assert.Equal(TrialState.Running, storage.Trials(study.Id).Single(t => t.Id == alive.Id).State);

        // The retry dies too: with retries used up it stays failed and its claim counts.
        clock.Now += Timeout + TimeSpan.FromSeconds(1);
        storage.Heartbeat(alive.Id);
        Assert.Null(storage.Claim(study.Id, Request(2, "other", maxRetries: 1)));
        var final = storage.Trials(study.Id).Single(t => t.Id == retry.Id);
        Assert.Equal(TrialState.Failed, final.State);
        Assert.Contains("not re-queued", final.Failure);
        Assert.DoesNotContain(storage.Trials(study.Id), t => t.State == TrialState.Waiting);
    }

    [Fact]
    public void A_cross_validated_value_keeps_its_standard_error()
    {
        using var storage = Open();
        var study = storage.CreateStudy(NewName(), StudyDirection.Maximize);
        var cv = storage.Claim(study.Id, Request(2))!;
        var single = storage.Claim(study.Id, Request(2))!;
        Assert.True(storage.Finish(cv.Id, TrialState.Complete, 0.9, standardError: 0.025));
        Assert.True(storage.Finish(single.Id, TrialState.Complete, 0.8));
        var trials = storage.Trials(study.Id);
        Assert.Equal((0.9, 0.025), (trials.Single(t => t.Id == cv.Id).Value, trials.Single(t => t.Id == cv.Id).ValueStandardError));
        Assert.Null(trials.Single(t => t.Id == single.Id).ValueStandardError);
    }

    [Fact]
    public void An_abandoned_trial_is_requeued_and_its_claim_given_back()
    {
        using var storage = Open();
        var study = storage.CreateStudy(NewName(), StudyDirection.Minimize);
        var trial = storage.Claim(study.Id, Request(1))!;
        storage.SetParams(trial.Id, new Dictionary<string, object> { ["x"] = 1.5 });
        Assert.True(storage.Abandon(trial.Id, "interrupted"));
        Assert.False(storage.Abandon(trial.Id, "interrupted"));
        var again = storage.Claim(study.Id, Request(1))!;
        Assert.Equal(1.5, again.Params["x"]);
        Assert.Equal("interrupted", storage.Trials(study.Id).Single(t => t.Id == trial.Id).Failure);
        Assert.Null(storage.Claim(study.Id, Request(1)));
    }

    [Fact]
    public void Concurrent_claims_from_many_connections_never_exceed_the_budget_nor_share_a_trial()
    {
        string name = NewName();
        long studyId;
        using (var setup = Open()) studyId = setup.CreateStudy(name, StudyDirection.Minimize).Id;
        using (var setup = Open())
            for (int i = 0; i < 5; i++) setup.Enqueue(studyId, new Dictionary<string, object> { ["i"] = (long)i });
        var claims = new System.Collections.Concurrent.ConcurrentBag<Trial>();
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 6 }, w =>
        {
            using var storage = Open();
            while (storage.Claim(studyId, Request(25, $"w{w}")) is { } t) claims.Add(t);
        });
        Assert.Equal(25, claims.Count);
        Assert.Equal(25, claims.Select(t => t.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 25), claims.Select(t => t.Number).Order());
        using var check = Open();
        Assert.Equal(25, check.Trials(studyId).Count(t => t.State == TrialState.Running));
    }

    [Fact]
    public void A_study_records_what_it_optimises_when_it_is_created()
    {
        using var storage = Open();
        string name = NewName();
        var definition = StudyDefinition.Create("synthetic:branin", null, Space, 8, "tpe", 3, "median", 1);
        var created = storage.CreateStudy(name, StudyDirection.Minimize, definition);
        Assert.Equal(definition, created.Definition);
        Assert.Equal(definition, storage.FindStudy(name)!.Definition);
        Assert.Equal(definition, storage.Studies().Single(s => s.Name == name).Definition);
        Assert.Equal((8, "tpe", 3, "median", 1), (definition.Epochs, definition.Sampler, definition.Seed,
            definition.Pruner, definition.Folds));
        Assert.Equal(Space.Parameters, storage.FindStudy(name)!.Definition.SearchSpace!.Parameters);
    }

    [Fact]
    public void A_worker_with_another_objective_data_or_space_is_refused_with_one_line_naming_the_difference()
    {
        using var storage = Open();
        string name = NewName();
        var definition = StudyDefinition.Create("ctc", "/data/a", Space, 8, "tpe", 0, "none", 1);
        storage.CreateStudy(name, StudyDirection.Maximize, definition);

        var objective = Assert.Throws<OcrForgeException>(() => storage.CreateStudy(name, StudyDirection.Maximize,
            definition with { Objective = "classify" }));
        Assert.Contains("objective is ctc, not classify", objective.Message);
        var data = Assert.Throws<OcrForgeException>(() => storage.CreateStudy(name, StudyDirection.Maximize,
            definition with { Data = "/data/b" }));
        Assert.Contains("data is /data/a, not /data/b", data.Message);
        var wider = SearchSpaceFile.ParseText(
            """{"parameters":{"x1":{"type":"float","low":-5,"high":12},"opt":{"type":"categorical","choices":["a","b"]}}}""",
            yaml: false);
        var space = Assert.Throws<OcrForgeException>(() => storage.CreateStudy(name, StudyDirection.Maximize,
            StudyDefinition.Create("ctc", "/data/a", wider)));
        Assert.Contains("parameter x1", space.Message);
        Assert.All(new[] { objective, data, space }, e =>
        {
            Assert.Contains(name, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        });

        // The run settings may differ between workers; a worker giving nothing takes the study as it is.
        Assert.Equal(definition, storage.CreateStudy(name, StudyDirection.Maximize,
            definition with { Epochs = 4, Sampler = "random", Pruner = "asha", Seed = 7 }).Definition);
        Assert.Equal(definition, storage.CreateStudy(name, StudyDirection.Maximize).Definition);
        Assert.Equal(definition, storage.FindStudy(name)!.Definition);
        Assert.Empty(storage.Trials(storage.FindStudy(name)!.Id));
    }

    [Fact]
    public void A_study_without_data_takes_it_from_the_first_worker_that_gives_it()
    {
        using var storage = Open();
        string name = NewName();
        // As tune enqueue creates it: objective and space, no data or run settings.
        storage.CreateStudy(name, StudyDirection.Maximize, StudyDefinition.Create("ctc", null, Space));
        var worker = StudyDefinition.Create("ctc", "/data/a", Space, 8, "tpe", 0, "median", 2);
        Assert.Equal(worker, storage.CreateStudy(name, StudyDirection.Maximize, worker).Definition);
        Assert.Equal(worker, storage.FindStudy(name)!.Definition);
        Assert.Throws<OcrForgeException>(() => storage.CreateStudy(name, StudyDirection.Maximize,
            worker with { Data = "/data/b" }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_database_of_an_older_schema_is_migrated_to_the_current_one_with_its_trials_intact(int version)
    {
        // Given a database as version `version` of the schema left it, with three trials
        var (open, scalar) = Legacy(LegacySchemas.Ddl(Dialect, version));

        // When the current code opens it (twice: the second open finds it current)
        using (open()) { }
        using var storage = open();

        // Then it is at the current version, its trials read as before and the new columns work
        Assert.Equal((1L, (long)RelationalStudyStorage.SchemaVersion), (Convert.ToInt64(scalar(
            "SELECT COUNT(*) FROM ocrforge_schema")), Convert.ToInt64(scalar("SELECT MAX(version) FROM ocrforge_schema"))));
        var study = storage.FindStudy(LegacySchemas.StudyName)!;
        Assert.Equal((StudyDirection.Minimize, new StudyDefinition()), (study.Direction, study.Definition));
        var trials = storage.Trials(study.Id);
        Assert.Equal([TrialState.Complete, TrialState.Failed, TrialState.Waiting], trials.Select(t => t.State));
        var complete = trials[0];
        Assert.Equal((0.5, (double?)null, "h:1:0", (int?)2, TimeSpan.FromSeconds(2)), (complete.Value,
            complete.ValueStandardError, complete.Worker, complete.Threads, complete.Duration!.Value));
        Assert.Equal([0.75, 0.5], complete.Intermediate.Values);
        Assert.Equal((1.5, "sgd"), ((double)complete.Params["x"], complete.Params["opt"]));
        Assert.Equal(("NaN loss", 1), (trials[1].Failure, trials[1].Retries));
        // The budget counter and numbering carried over: the waiting trial is the third and last claim of 3.
        var claimed = storage.Claim(study.Id, Request(3))!;
        Assert.Equal((2, 3.5), (claimed.Number, (double)claimed.Params["x"]));
        Assert.Null(storage.Claim(study.Id, Request(3)));
        Assert.True(storage.Finish(claimed.Id, TrialState.Complete, 0.4, standardError: 0.1));
        Assert.Equal(0.1, storage.Trials(study.Id)[2].ValueStandardError);
        // The old study takes the definition of the first worker that gives one.
        var definition = StudyDefinition.Create("synthetic", null, Space, 8, "tpe", 0, "none", 1);
        storage.CreateStudy(LegacySchemas.StudyName, StudyDirection.Minimize, definition);
        Assert.Equal(definition, storage.FindStudy(LegacySchemas.StudyName)!.Definition);
    }

    [Fact]
    public void A_database_of_a_newer_schema_is_refused_with_one_line_and_left_as_it_was()
    {
        int newer = RelationalStudyStorage.SchemaVersion + 1;
        var (open, scalar) = Legacy(LegacySchemas.Ddl(Dialect, 2).Replace("VALUES (2);", $"VALUES ({newer});"));
        var e = Assert.Throws<OcrForgeException>(() => open().Dispose());
        Assert.Contains($"schema version {newer} is newer than this ocrforge reads", e.Message);
        Assert.Contains("--storage", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal((long)newer, Convert.ToInt64(scalar("SELECT MAX(version) FROM ocrforge_schema")));
        Assert.Equal(3L, Convert.ToInt64(scalar("SELECT COUNT(*) FROM trials")));
    }
}

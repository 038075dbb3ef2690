using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Tests.Training;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class CtcObjectiveTests : IDisposable
{
    private readonly TempDir _images = new();
    private readonly TempDir _dir = new();

    // Fixed model settings are categoricals with one choice: a tiny CRNN for 16×64 lines, so a trial takes a second.
    private const string Space = """
        parameters:
          lr: { type: float, low: 1.0e-3, high: 3.0e-2, log: true }
          optimizer: { type: categorical, choices: [adam, sgd] }
          momentum: { type: float, low: 0.5, high: 0.95, when: { optimizer: [sgd] } }
          batch_size: { type: int, low: 4, high: 16, step: 4 }
          set.height: { type: categorical, choices: [16] }
          set.width: { type: categorical, choices: [64] }
          set.filters: { type: categorical, choices: ["8,8,8"] }
          set.rnn_hidden: { type: categorical, choices: [8, 16] }
        """;

    public CtcObjectiveTests()
    {
        foreach (var (s, i) in TinyText.Make(40, 5).Select((s, i) => (s, i)))
            ImageWriter.WritePng(s.Image, _images.File($"{s.Label}__{i}.png"));
    }

    [Fact]
    public void Trials_train_in_process_report_every_epoch_and_share_the_decoded_data()
    {
        var space = SearchSpaceFile.ParseText(Space, yaml: true);
        var objective = (CtcObjective)Objectives.Create("ctc", space,
            new ObjectiveSettings { Data = _images.Path, Epochs = 2, Seed = 1, RunsDirectory = _dir.Path });
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("ctc", objective.Direction);
        var options = new RunnerOptions { Worker = "t", Threads = 1, Budget = 3 };
        var summary = new StudyRunner(storage, study, space, new RandomSampler(4), new NopPruner(), objective,
            options).Run();

        Assert.Equal(3, summary.Complete);
        var trials = storage.Trials(study.Id);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal([1, 2], t.Intermediate.Keys);
            Assert.InRange(t.Value!.Value, 0, 1);
            Assert.All(t.Intermediate.Values, v => Assert.InRange(v, 0, 1));
        });
        Assert.Equal(3, trials.Select(t => t.Params["lr"]).Distinct().Count());
        Assert.Equal(1, objective.DecodedDataSets);
        // Trial run folders (checkpoints, logs) do not pile up.
        Assert.Empty(Directory.GetDirectories(_dir.Path));

        // The best trial, exported, is a train ctc command that parses back into its run, and retraining that run
        // (same seed, same thread count) gives the trial's value again.
        var best = trials.MaxBy(t => t.Value)!;
        var modelPath = _dir.File("best.ocrf");
        var run = objective.Plan(best.Params, best.Threads, OcrForge.Training.TrainingOptions.RunDirectoryFor(modelPath));
        ExportedRun.AssertParsesBack(run, run.CommandLine(_images.Path, DatasetFormat.Auto, modelPath));
        var (model, result) = run.Train(_images.Path, DatasetFormat.Auto, modelPath);
        using (model) Assert.Equal(best.Value, result.Best.ValidationAccuracy);
        Assert.True(File.Exists(modelPath));
        // What pruners saw after each epoch is that epoch's validation character accuracy (the step metric), not
        // the sequence accuracy the trial returns.
        Assert.Equal("validation_character_accuracy", objective.StepMetric);
        Assert.Equal(result.History.Select(e => e.Metrics["character_accuracy"]), best.Intermediate.Values);
        Assert.Contains(result.History, e => e.Metrics["character_accuracy"] != e.ValidationAccuracy);
    }

    [Fact]
    public void With_cv_a_trial_trains_each_fold_and_stores_the_mean_with_its_standard_error()
    {
        var space = SearchSpaceFile.ParseText(Space, yaml: true);
        var objective = Objectives.Create("ctc", space, new ObjectiveSettings
        {
            Data = _images.Path, Epochs = 1, Seed = 1, RunsDirectory = _dir.Path, Folds = 2,
        });
        using var storage = new SqliteStudyStorage(_dir.File("cv.db"));
        var study = storage.CreateStudy("cv", objective.Direction);
        new StudyRunner(storage, study, space, new RandomSampler(4), new NopPruner(), objective,
            new RunnerOptions { Worker = "t", Threads = 1, Budget = 1 }).Run();

        var trial = Assert.Single(storage.Trials(study.Id));
        Assert.True(trial.State == TrialState.Complete, trial.Failure);
        Assert.NotNull(trial.ValueStandardError);
        // One epoch: the stored curve is one point, the mean over the folds of epoch 1's step value.
        Assert.InRange(Assert.Single(trial.Intermediate).Value, 0, 1);
    }

    [Fact]
    public void Train_with_cv_gives_the_value_of_a_tune_trial_with_cv_for_the_same_configuration_and_seed()
    {
        // Given a cross-validated trial (2 folds, 1 epoch: its sequence accuracy is still 0 on this tiny set, so the
        // classifier's test is the one with values that could differ; this one checks the CTC path end to end)
        var space = SearchSpaceFile.ParseText(Space, yaml: true);
        var objective = (CtcObjective)Objectives.Create("ctc", space, new ObjectiveSettings
        {
            Data = _images.Path, Epochs = 1, Seed = 3, RunsDirectory = _dir.Path, Folds = 2,
        });
        using var storage = new SqliteStudyStorage(_dir.File("cv-train.db"));
        var study = storage.CreateStudy("cv", objective.Direction);
        new StudyRunner(storage, study, space, new RandomSampler(5), new NopPruner(), objective,
            new RunnerOptions { Worker = "t", Threads = 1, Budget = 1 }).Run();
        var trial = Assert.Single(storage.Trials(study.Id));
        Assert.True(trial.State == TrialState.Complete, trial.Failure);

        // When the same configuration is cross-validated as a run, in-process and by `train ctc --cv 2`
        var modelPath = _dir.File("cv.ocrf");
        var run = objective.Plan(trial.Params, trial.Threads, OcrForge.Training.TrainingOptions.RunDirectoryFor(modelPath));
        var estimate = OcrForge.Training.Runs.CrossValidate(run.Specification(_images.Path, DatasetFormat.Auto), 2);
        var (code, stdout, stderr) = OcrForge.Tests.Cli.CliProcess.Run(TimeSpan.FromMinutes(2),
            [.. run.CommandLine(_images.Path, DatasetFormat.Auto, modelPath), "--cv", "2", "--json"]);

        // Then all three are the same mean and standard error
        Assert.Equal((trial.Value, trial.ValueStandardError), (estimate.Mean, estimate.StandardError));
        Assert.Equal(2, estimate.Folds.Count);
        Assert.True(code == 0, stderr);
        var cv = System.Text.Json.Nodes.JsonNode.Parse(stdout)!["cross_validation"]!;
        Assert.Equal((estimate.Mean, estimate.StandardError, 2), (cv["mean"]!.GetValue<double>(),
            cv["standard_error"]!.GetValue<double>(), cv["folds"]!.GetValue<int>()));
        Assert.True(File.Exists(modelPath));
    }

    [Fact]
    public void A_trial_of_a_preset_with_a_measured_recipe_starts_from_that_recipe_as_train_does()
    {
        var space = SearchSpaceFile.ParseText("""
            parameters:
              preset: { type: categorical, choices: [words, captcha-crnn] }
              patience: { type: int, low: 0, high: 30 }
            """, yaml: true);
        var objective = (CtcObjective)Objectives.Create("ctc", space,
            new ObjectiveSettings { Data = _images.Path, Epochs = 3, Seed = 1 });

        var words = objective.Plan(new Dictionary<string, object> { ["preset"] = "words", ["patience"] = 0L }, 1, "r");
        var crnn = objective.Plan(new Dictionary<string, object> { ["preset"] = "captcha-crnn", ["patience"] = 25L },
            1, "r");

        // words' recipe: batches of 32, no augmentation; the study's budget and the trial's patience still win.
        Assert.Equal((32, false, 3, 0), (words.Options.BatchSize, words.Options.Augment, words.Options.Epochs,
            words.Options.Patience));
        Assert.Equal((OcrForge.Training.CtcTraining.Recipe.BatchSize, 3, 25), (crnn.Options.BatchSize,
            crnn.Options.Epochs, crnn.Options.Patience));
    }

    [Fact]
    public void Parameters_the_trainer_does_not_know_are_refused_before_anything_runs()
    {
        var space = SearchSpaceFile.ParseText("parameters:\n  learning_rate: { type: float, low: 0.001, high: 0.1 }",
            yaml: true);
        var e = Assert.Throws<OcrForgeException>(() => Objectives.Create("ctc", space,
            new ObjectiveSettings { Data = _images.Path }));
        Assert.StartsWith("parameters.learning_rate: not a ctc training parameter", e.Message);
        var noData = Assert.Throws<OcrForgeException>(() => Objectives.Create("ctc", SearchSpaceFile.ParseText(Space,
            yaml: true), new ObjectiveSettings()));
        Assert.Equal("--objective ctc: needs --data", noData.Message);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _images.Dispose();
        _dir.Dispose();
    }
}

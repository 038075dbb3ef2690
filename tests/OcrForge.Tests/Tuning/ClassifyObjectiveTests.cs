using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Tests.Classification;
using OcrForge.Training;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class ClassifyObjectiveTests : IDisposable
{
    private readonly TempDir _images = new();
    private readonly TempDir _dir = new();

    // chars74k-cnn narrowed to a few thousand weights (one choice each), so a trial takes about a second.
    private const string Space = """
        parameters:
          preset: { type: categorical, choices: [chars74k-cnn] }
          lr: { type: float, low: 5.0e-3, high: 3.0e-2, log: true }
          batch_size: { type: int, low: 8, high: 16, step: 8 }
          optimizer: { type: categorical, choices: [adam, adamax, sgd] }
          momentum: { type: float, low: 0.8, high: 0.95, when: { optimizer: [sgd] } }
          label_smoothing: { type: float, low: 0.0, high: 0.2 }
          set.filters: { type: categorical, choices: ["8,8,8,16,16,16"] }
        """;

    public ClassifyObjectiveTests()
    {
        // Four bar angles as classes a–d, one folder each (the folders layout of train classify).
        foreach (var (image, i) in TinyCharacters.Make(25).Select((image, i) => (image, i)))
        {
            var folder = Directory.CreateDirectory(_images.File("abcd"[image.Class].ToString())).FullName;
            ImageWriter.WritePng(image.Image, Path.Combine(folder, $"{i:D3}.png"));
        }
    }

    [Fact]
    public void Trials_train_the_classifier_in_process_report_validation_accuracy_and_share_the_decoded_data()
    {
        var space = SearchSpaceFile.ParseText(Space, yaml: true);
        var objective = (ClassifyObjective)Objectives.Create("classify", space,
            new ObjectiveSettings { Data = _images.Path, Format = DatasetFormat.Folders, Epochs = 4, Seed = 1, RunsDirectory = _dir.Path });
        using var storage = new SqliteStudyStorage(_dir.File("s.db"));
        var study = storage.CreateStudy("cls", objective.Direction);
        var summary = new StudyRunner(storage, study, space, new RandomSampler(2), new NopPruner(), objective,
            new RunnerOptions { Worker = "t", Threads = 1, Budget = 3 }).Run();

        var trials = storage.Trials(study.Id);
        Assert.True(summary.Complete == 3, string.Join("; ", trials.Select(t => t.Failure)));
        Assert.All(trials, t =>
        {
            Assert.Equal([1, 2, 3, 4], t.Intermediate.Keys);
            Assert.Contains(t.Value!.Value, t.Intermediate.Values);
            Assert.Equal(1, t.Threads);
        });
        // Four classes: chance is 25 %; the bars are easy, so the best trial has learnt them.
        Assert.True(trials.Max(t => t.Value!.Value) >= 0.75, string.Join(", ", trials.Select(t => t.Value)));
        Assert.Equal(1, objective.DecodedDataSets);
        Assert.Empty(Directory.GetDirectories(_dir.Path));

        // Exported and retrained, the best trial repeats its value.
        var best = trials.MaxBy(t => t.Value)!;
        var modelPath = _dir.File("best.ocrf");
        var run = objective.Plan(best.Params, best.Threads, OcrForge.Training.TrainingOptions.RunDirectoryFor(modelPath));
        ExportedRun.AssertParsesBack(run, run.CommandLine(_images.Path, DatasetFormat.Folders, modelPath));
        var (model, result) = run.Train(_images.Path, DatasetFormat.Folders, modelPath);
        using (model) Assert.Equal(best.Value, result.Best.ValidationAccuracy);
        // So does its run specification file (what tune best --spec writes and train --spec reads).
        run.Specification(_images.Path, DatasetFormat.Folders).ForStorage().Save(_dir.File("best.json"));
        var again = Runs.Train(RunSpecification.Load(_dir.File("best.json")), _dir.File("again.ocrf"));
        using (again.Model) Assert.Equal(best.Value, again.Training.Best.ValidationAccuracy);
        Assert.Equal(run.LabelSmoothing, again.Specification.Classifier!.Loss.LabelSmoothing);
    }

    [Fact]
    public void With_cv_a_trial_is_the_mean_over_folds_with_its_standard_error()
    {
        var space = SearchSpaceFile.ParseText(Space, yaml: true);
        var objective = Objectives.Create("classify", space, new ObjectiveSettings
        {
            Data = _images.Path, Format = DatasetFormat.Folders, Epochs = 1, Seed = 1, RunsDirectory = _dir.Path, Folds = 3,
        });
        using var storage = new SqliteStudyStorage(_dir.File("cv.db"));
        var study = storage.CreateStudy("cv", objective.Direction);
        new StudyRunner(storage, study, space, new RandomSampler(2), new NopPruner(), objective,
            new RunnerOptions { Worker = "t", Threads = 1, Budget = 1 }).Run();

        var trial = Assert.Single(storage.Trials(study.Id));
        Assert.True(trial.State == TrialState.Complete, trial.Failure);
        Assert.InRange(trial.ValueStandardError!.Value, 0, 0.5);
        // With one epoch each fold keeps that epoch, so the value (the mean of the folds' kept epochs) is exactly the
        // stored curve's point (the mean over the folds at epoch 1).
        Assert.Equal(trial.Value, Assert.Single(trial.Intermediate).Value);
        Assert.InRange(trial.Value!.Value, 0, 1);
        var synthetic = Assert.Throws<OcrForgeException>(() => Objectives.Create("synthetic", DefaultSpaces.For("synthetic"),
            new ObjectiveSettings { Folds = 3 }));
        Assert.Equal("--cv: only for training objectives (ctc, classify)", synthetic.Message);
    }

    [Fact]
    public void Train_with_cv_gives_the_value_of_a_tune_trial_with_cv_for_the_same_configuration_and_seed()
    {
        // Given a cross-validated trial of a configuration that learns something in one epoch (2 folds)
        var space = SearchSpaceFile.ParseText(Space, yaml: true);
        var objective = (ClassifyObjective)Objectives.Create("classify", space, new ObjectiveSettings
        {
            Data = _images.Path, Format = DatasetFormat.Folders, Epochs = 1, Seed = 2, RunsDirectory = _dir.Path, Folds = 2,
        });
        using var storage = new SqliteStudyStorage(_dir.File("cv-train.db"));
        var study = storage.CreateStudy("cv", objective.Direction);
        storage.Enqueue(study.Id, new Dictionary<string, object> { ["lr"] = 0.03, ["batch_size"] = 8L,
            ["optimizer"] = "adam", ["label_smoothing"] = 0.0 });
        new StudyRunner(storage, study, space, new RandomSampler(2), new NopPruner(), objective,
            new RunnerOptions { Worker = "t", Threads = 1, Budget = 1 }).Run();
        var trial = Assert.Single(storage.Trials(study.Id));
        Assert.True(trial.State == TrialState.Complete, trial.Failure);

        // When the same configuration is cross-validated as a run, in-process and by `train classify --cv 2`
        var modelPath = _dir.File("cv.ocrf");
        var run = objective.Plan(trial.Params, trial.Threads, OcrForge.Training.TrainingOptions.RunDirectoryFor(modelPath));
        var estimate = OcrForge.Training.Runs.CrossValidate(run.Specification(_images.Path, DatasetFormat.Folders), 2);
        var (code, stdout, stderr) = OcrForge.Tests.Cli.CliProcess.Run(TimeSpan.FromMinutes(2),
            [.. run.CommandLine(_images.Path, DatasetFormat.Folders, modelPath), "--cv", "2", "--json"]);

        // Then all three give the same mean and standard error (folds that differ: the estimate is not a constant)
        Assert.NotEqual(estimate.Folds[0], estimate.Folds[1]);
        Assert.Equal((trial.Value, trial.ValueStandardError), (estimate.Mean, estimate.StandardError));
        Assert.True(code == 0, stderr);
        var cv = System.Text.Json.Nodes.JsonNode.Parse(stdout)!["cross_validation"]!;
        Assert.Equal((estimate.Mean, estimate.StandardError, 2), (cv["mean"]!.GetValue<double>(),
            cv["standard_error"]!.GetValue<double>(), cv["folds"]!.GetValue<int>()));
        Assert.True(File.Exists(modelPath));
    }

    [Fact]
    public void Text_presets_and_unknown_parameters_are_refused_before_anything_runs()
    {
        var settings = new ObjectiveSettings { Data = _images.Path };
        var preset = Assert.Throws<OcrForgeException>(() => Objectives.Create("classify",
            SearchSpaceFile.ParseText("parameters:\n  preset: { type: categorical, choices: [chars74k-cnn, captcha-crnn] }", yaml: true), settings));
        Assert.StartsWith("parameters.preset: --preset captcha-crnn: a text-recognition preset", preset.Message);
        var unknown = Assert.Throws<OcrForgeException>(() => Objectives.Create("classify",
            SearchSpaceFile.ParseText("parameters:\n  beam: { type: int, low: 1, high: 4 }", yaml: true), settings));
        Assert.StartsWith("parameters.beam: not a classify training parameter", unknown.Message);
        var optimizer = Assert.Throws<OcrForgeException>(() => Objectives.Create("classify",
            SearchSpaceFile.ParseText("parameters:\n  optimizer: { type: categorical, choices: [adam, lion] }", yaml: true), settings));
        Assert.StartsWith("parameters.optimizer: 'lion' is not one of adam, adamw", optimizer.Message);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _images.Dispose();
        _dir.Dispose();
    }
}

using OcrForge.Data;
using OcrForge.IO;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

/// <summary>Serial: the runs draw from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class SplitSettingsTests
{
    /// <summary>A classifier's specification as the first model files with one stored it: the split's validation
    /// fraction and seed under <c>training</c>, nothing about them under <c>data</c>.</summary>
    private const string OldShape = """
        {
          "version": 1,
          "task": "classify",
          "data": { "path": "/data/chars", "format": "folders", "test_fraction": 0.2, "labeled_fraction": 1 },
          "model": { "preset": "chars74k-cnn", "overrides": [] },
          "training": { "epochs": 3, "validation_fraction": 0.25, "seed": 7, "run_directory": "" },
          "classifier": { "loss": { "label_smoothing": 0.1 } }
        }
        """;

    [Fact]
    public void An_old_shaped_specification_keeps_its_split_and_stores_it_under_data()
    {
        var spec = RunSpecification.Parse(OldShape, "old.json");

        Assert.Null(spec.Data.ValidationFraction);
        Assert.Null(spec.Data.Seed);
        Assert.Equal(new SplitSettings(0.25, 0.2, 1, 7), spec.Split);
        var stored = RunSpecification.Parse(spec.ForStorage().ToJson(), "stored.json");
        Assert.Equal(0.25, stored.Data.ValidationFraction);
        Assert.Equal(spec.Split, stored.Split);
    }

    [Fact]
    public void The_data_split_wins_over_the_training_options_and_its_seed_defaults_to_the_runs()
    {
        var spec = RunSpecification.Parse("""
            {"task": "ctc", "data": {"path": "lines", "validation_fraction": 0.3}, "training": {"seed": 5}}
            """, "new.json");
        var reseeded = spec with { Data = spec.Data with { Seed = 11 } };

        Assert.Equal(new SplitSettings(0.3, 0, 1, 5), spec.Split);
        Assert.Equal(new SplitSettings(0.3, 0, 1, 11), reseeded.Split);
        Assert.Equal(11, RunSpecification.Parse(reseeded.ToJson(), "r.json").Data.Seed);
        var error = Assert.Throws<OcrForge.Inference.OcrForgeException>(() =>
            (spec with { Data = spec.Data with { ValidationFraction = 0.95 } }).Validate());
        Assert.Contains("--val-fraction 0.95", error.Message);
    }

    [Fact]
    public void A_split_seed_of_its_own_keeps_the_images_of_each_part_whatever_the_run_seed()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var spec = RunSpecification.Default(RunTask.Ctc, data) with
        {
            Data = new RunData { Path = data, TestFraction = 0, Seed = 3 },
            Model = new RunModel { Preset = "captcha-crnn", Overrides = RunSpecificationTests.TinyCrnn },
            Training = CtcTraining.Recipe with
            {
                Epochs = 1, BatchSize = 8, Threads = 1, Seed = 1, RunDirectory = dir.File("r"),
            },
        };
        var config = CtcTraining.Config("captcha-crnn", RunSpecificationTests.TinyCrnn);

        var result = Runs.Train(spec, dir.File("m.ocrf"));
        using (result.Model) { }
        using var saved = TrainedModel.Load(dir.File("m.ocrf"));
        var trainedOn = PreparedData.Text(DataKey.Text(spec, config), config);
        var otherRunSeed = PreparedData.Text(DataKey.Text(spec with { Training = spec.Training with { Seed = 2 } },
            config), config);
        var (_, validation, _) = CtcTraining.RecordedSplit(saved, data, DatasetFormat.Auto,
            saved.Manifest.Run!.Training, dir.File("m.ocrf"));

        Assert.Equal(3, saved.Manifest.Run.Data.Seed);
        Assert.Equal(trainedOn.Validation.Select(s => s.Path), otherRunSeed.Validation.Select(s => s.Path));
        Assert.Equal(trainedOn.Validation.Select(s => s.Path), validation.Select(s => s.Path));
        Assert.NotEqual(trainedOn.Validation.Select(s => s.Path), CtcTraining.Prepare(data, DatasetFormat.Auto, config,
            spec.Training).Validation.Select(s => s.Path));
    }
}

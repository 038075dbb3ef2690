using OcrForge.Data;
using OcrForge.Models;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Training;

/// <summary>Serial: the runs draw from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class PreparedDataTests
{
    private static CrnnConfig Tiny => CtcTraining.Config("captcha-crnn", RunSpecificationTests.TinyCrnn);

    [Fact]
    public void Equal_keys_share_one_prepared_set_and_a_changed_split_or_charset_prepares_another()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var split = new SplitSettings(0.25, 0, 1, 3);
        var cache = new DataCache();

        var first = cache.Text(new DataKey(data, DatasetFormat.Auto, Tiny.Input, split), Tiny);
        // Another spelling of the same file is the same data set.
        var again = cache.Text(new DataKey(Path.Combine(dir.Path, ".", "data", "labels.csv"), DatasetFormat.Auto,
            Tiny.Input, split), Tiny);
        var reseeded = cache.Text(new DataKey(data, DatasetFormat.Auto, Tiny.Input, split with { Seed = 4 }), Tiny);
        var onlyAb = cache.Text(new DataKey(data, DatasetFormat.Auto, Tiny.Input, split, charset: "ab"), Tiny);

        Assert.Same(first, again);
        Assert.NotSame(first, reseeded);
        Assert.Equal(3, cache.Count);
        Assert.Equal(10, first.Validation.Count);
        Assert.NotEqual(first.Validation.Select(s => s.Path), reseeded.Validation.Select(s => s.Path));
        Assert.All(onlyAb.Train.Concat(onlyAb.Validation), s => Assert.DoesNotMatch("[cd]", s.Label));
        Assert.Contains(onlyAb.Problems, p => p.Reason.Contains("not in --charset"));
    }

    [Fact]
    public void Training_prepares_what_the_shared_preparation_gives_for_the_same_key()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var options = CtcTraining.Recipe with { ValidationFraction = 0.2, Seed = 9 };

        var viaTraining = CtcTraining.Prepare(data, DatasetFormat.Auto, Tiny, options);
        var shared = PreparedData.Text(new DataKey(data, DatasetFormat.Auto, Tiny.Input, CtcTraining.SplitOf(options)),
            Tiny);

        Assert.Equal(shared.Train.Select(s => s.Path), viaTraining.Train.Select(s => s.Path));
        Assert.Equal(shared.Validation.Select(s => s.Path), viaTraining.Validation.Select(s => s.Path));
        Assert.Equal(shared.Spec, viaTraining.Spec);
    }

    [Fact]
    public void Two_runs_with_one_cache_prepare_the_data_once_and_train_as_runs_without_it()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var spec = RunSpecification.Default(RunTask.Ctc, data) with
        {
            Model = new RunModel { Preset = "captcha-crnn", Overrides = RunSpecificationTests.TinyCrnn },
            Training = CtcTraining.Recipe with { Epochs = 1, BatchSize = 8, Threads = 1, RunDirectory = dir.File("a") },
        };
        var cache = new DataCache();

        var a = Runs.Train(spec, cache: cache);
        var b = Runs.Train(spec with
        {
            Training = spec.Training with { LearningRate = 1e-3, RunDirectory = dir.File("b") },
        }, cache: cache);
        var alone = Runs.Train(spec with { Training = spec.Training with { RunDirectory = dir.File("c") } });
        using (a.Model) using (b.Model) using (alone.Model) { }

        Assert.Equal(1, cache.Count);
        Assert.Equal(alone.Training.History[0].TrainLoss, a.Training.History[0].TrainLoss);
        Assert.Equal(alone.Training.History[0].ValidationLoss, a.Training.History[0].ValidationLoss);
    }

    [Fact]
    public void A_classifier_key_prepares_the_recorded_split_with_its_labelled_fraction()
    {
        using var dir = new TempDir();
        var data = RunSpecificationTests.WriteCharacters(dir.File("data"));
        var cnn = CharacterTraining.Config("chars74k-cnn", RunSpecificationTests.TinyCnn);
        var spec = CharacterTraining.Spec(cnn, OcrForge.Inference.Imaging.ResizeMode.Pad, autoContrast: true);
        var settings = new SplitSettings(0.2, 0.2, 0.5, 6);

        var prepared = PreparedData.Characters(new DataKey(data, DatasetFormat.Folders, spec, settings));
        var viaTraining = CharacterTraining.Prepare(data, DatasetFormat.Folders, spec,
            CharacterTraining.Recipe with { ValidationFraction = 0.2, Seed = 6 }, 0.2, 0.5);

        Assert.Equal(settings, prepared.Settings);
        Assert.Equal(8, prepared.Split.Test.Count);
        Assert.Equal(prepared.Split.Train.Count, prepared.Split.Unlabeled.Count);
        Assert.Equal(prepared.Split.Test.Select(t => t.Class), viaTraining.Split.Test.Select(t => t.Class));
    }
}

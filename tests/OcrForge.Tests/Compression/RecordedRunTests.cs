using OcrForge.Compression.Pruning;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Training;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Compression;

/// <summary>
/// What later commands take from the run specification a model file stores: prune's recipe, and the split of
/// eval/quantize --split. Serial: the runs draw from torch's process-wide generator.
/// </summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class RecordedRunTests
{
    private static RunSpecification Classifier(string data, double smoothing) => new()
    {
        Task = RunTask.Classify,
        Data = new RunData { Path = data, Format = DatasetFormat.Folders, TestFraction = 0.2 },
        Model = new RunModel { Preset = "chars74k-cnn", Overrides = RunSpecificationTests.TinyCnn },
        Training = CharacterTraining.Recipe with { Epochs = 1, BatchSize = 8, Seed = 6, ValidationFraction = 0.2, Threads = 1 },
        Classifier = new ClassifierRecipe { Loss = new ClassificationRecipe { LabelSmoothing = smoothing } },
    };

    [Fact]
    public void Prune_fine_tunes_a_classifier_with_its_recorded_recipe_and_an_older_file_with_the_default_and_a_note()
    {
        using var dir = new TempDir();
        var data = RunSpecificationTests.WriteCharacters(dir.File("data"));
        using (Runs.Train(Classifier(data, smoothing: 0.3), dir.File("m.ocrf")).Model) { }
        File.Copy(dir.File("m.ocrf"), dir.File("old.ocrf"));
        RunSpecificationTests.RemoveRun(dir.File("old.ocrf"));
        PruneOutcome Prune(string model) => Pruning.Run(new PruneRequest
        {
            ModelPath = dir.File(model), Data = data, OutPath = dir.File("p-" + model), Sparsity = 0.5, Epochs = 1, Threads = 1,
        });

        // When the file with the specification and the same weights without it (as written before) are pruned alike
        var recorded = Prune("m.ocrf");
        using (recorded.Model) { }
        var old = Prune("old.ocrf");
        using (old.Model) { }

        // Then the first fine-tunes with its own label smoothing; the old one with the default, and says so once
        Assert.Equal(0.3, recorded.Recipe!.LabelSmoothing);
        Assert.Empty(recorded.Notes);
        Assert.Equal(new ClassificationRecipe().LabelSmoothing, old.Recipe!.LabelSmoothing);
        var note = Assert.Single(old.Notes);
        Assert.Contains("old.ocrf does not record its classifier recipe", note);
        Assert.DoesNotContain('\n', note);
        // The recipe reaches the loss: same weights, seed, split and order, another training loss.
        Assert.NotEqual(recorded.Training.History[0].TrainLoss, old.Training.History[0].TrainLoss);
        Assert.Equal(recorded.EvaluatedSamples, old.EvaluatedSamples);
        // The pruned file keeps the run it came from.
        using var pruned = TrainedModel.Load(dir.File("p-m.ocrf"));
        Assert.Equal(0.3, pruned.Manifest.Run!.Classifier!.Loss.LabelSmoothing);
    }

    [Fact]
    public void The_split_of_eval_and_quantize_comes_from_the_stored_specification()
    {
        using var dir = new TempDir();
        var data = RunSpecificationTests.WriteCharacters(dir.File("data"));
        var charset = new Charset(["a", "b", "c", "d"], hasBlank: false);
        // A model file whose only record of its split is its specification (validation 0.25, test 0.3, seed 9).
        var spec = Classifier(data, 0.1) with
        {
            Data = new RunData { Path = data, Format = DatasetFormat.Folders, TestFraction = 0.3 },
            Training = CharacterTraining.Recipe with { ValidationFraction = 0.25, Seed = 9 },
        };
        using (var model = TrainedModel.Create(TinyCharacters.TinyCnn, charset, TinyCharacters.Spec))
        {
            model.Manifest.Run = spec.ForStorage();
            model.Save(dir.File("m.ocrf"));
        }
        var (_, images, _) = CharacterData.Load(data, DatasetFormat.Folders, spec: null, charset);
        var expected = CharacterData.Split(charset, images, 0.25, 0.3, 9);

        using var loaded = TrainedModel.Load(dir.File("m.ocrf"));
        // quantize's path (the loaded model) and eval's (an engine's facts, here none, and the model file's path)
        var quantize = RecordedSplit.Select(images, loaded, "test", dir.File("m.ocrf"));
        var eval = RecordedSplit.Select(images, charset, "test", new Dictionary<string, string>(), dir.File("m.ocrf"));

        Assert.True(RecordedSplit.IsRecorded(loaded.Manifest));
        Assert.False(RecordedSplit.IsRecorded(loaded.Manifest.Training));
        Assert.Equal(expected.Test, quantize);
        Assert.Equal(expected.Test, eval);
        Assert.Equal(12, expected.Test.Count); // 30 % of 10 per class × 4 classes
    }

    [Fact]
    public void A_text_models_split_is_rebuilt_from_its_stored_specification_and_quantize_calibrates_on_its_train_part()
    {
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var spec = RunSpecification.Default(RunTask.Ctc, data) with
        {
            Model = new RunModel { Preset = "captcha-crnn", Overrides = RunSpecificationTests.TinyCrnn },
            Training = CtcTraining.Recipe with { Epochs = 1, BatchSize = 8, Threads = 1, ValidationFraction = 0.3, Seed = 11 },
        };
        var result = Runs.Train(spec, dir.File("m.ocrf"));
        using (result.Model) { }
        var config = CtcTraining.Config(spec.Model.Preset!, spec.Model.Overrides);
        var prepared = CtcTraining.Prepare(data, DatasetFormat.Auto, config, spec.Training);

        using var loaded = TrainedModel.Load(dir.File("m.ocrf"));
        var (train, validation, _) = CtcTraining.RecordedSplit(loaded, data, DatasetFormat.Auto, loaded.Manifest.Run!.Training, dir.File("m.ocrf"));

        Assert.Equal(prepared.Train.Select(s => s.Path), train.Select(s => s.Path));
        Assert.Equal(prepared.Validation.Select(s => s.Path), validation.Select(s => s.Path));
        Assert.Equal(result.ValidationCount, validation.Count);
        // A file that became unreadable since training is skipped and named, as every command does.
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(data)!, "zzbad.png"), "not a png");
        File.AppendAllLines(data, ["zzbad.png,abc"]);
        var (code, stdout, stderr) = Cli.CliProcess.Run(TimeSpan.FromMinutes(2), "quantize", "--model", dir.File("m.ocrf"),
            "--data", data, "--split", "train", "--recurrent", "float", "--out", dir.File("m.int8.onnx"));
        Assert.True(code == 0, stderr + stdout);
        // (Spectre may wrap the line at the console width.)
        Assert.Contains($"{train.Count} calibration images (the train part of", System.Text.RegularExpressions.Regex.Replace(stdout, @"\s+", " "));
        Assert.Matches(@"(?m)^warning: \S*zzbad\.png: ", stderr);
    }
}

using System.Text.Json;
using OcrForge.Data;
using OcrForge.IO;
using OcrForge.Tests.Classification;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Cli;

public class TrainSpecTests
{
    [Fact]
    public void Train_classify_runs_a_specification_file_with_the_options_given_on_the_command_line_overriding_it()
    {
        // Given four bar angles as classes a–d and a specification file that leaves most settings to the recipe
        using var dir = new TempDir();
        foreach (var (image, i) in TinyCharacters.Make(10).Select((image, i) => (image, i)))
        {
            var folder = Directory.CreateDirectory(dir.File("data/" + "abcd"[image.Class])).FullName;
            ImageWriter.WritePng(image.Image, Path.Combine(folder, $"{i:D3}.png"));
        }
        File.WriteAllText(dir.File("run.json"), JsonSerializer.Serialize(new
        {
            task = "classify",
            data = new { path = dir.File("data"), format = "folders", test_fraction = 0.2, validation_fraction = 0.3,
                seed = 11 },
            model = new { preset = "chars74k-cnn", overrides = new[] { new { key = "filters", value = "8,8,8,16,16,16" } } },
            training = new { epochs = 3, seed = 7, threads = 1 },
            classifier = new { loss = new { label_smoothing = 0.3, class_weights = true } },
        }));

        // When train classify runs it with --epochs, --label-smoothing, --val-fraction and --seed given
        var (code, stdout, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "train", "classify", "--spec", dir.File("run.json"),
            "--epochs", "1", "--label-smoothing", "0.05", "--val-fraction", "0.25", "--seed", "9", "--json",
            "--out", dir.File("c.ocrf"));

        // Then the command line wins where given, the file elsewhere, the recipe where neither says
        Assert.True(code == 0, stderr + stdout);
        using (var json = JsonDocument.Parse(stdout)) Assert.Equal(1, json.RootElement.GetProperty("epochs").GetArrayLength());
        var run = ModelFile.ReadManifest(dir.File("c.ocrf")).Run!;
        Assert.Equal(1, run.Training.Epochs);
        Assert.Equal(0.05, run.Classifier!.Loss.LabelSmoothing);
        Assert.True(run.Classifier.Loss.ClassWeights);
        Assert.Equal(9, run.Training.Seed);
        Assert.Equal(CharacterTraining.Recipe.BatchSize, run.Training.BatchSize);
        Assert.Equal(DatasetFormat.Folders, run.Data.Format);
        Assert.Equal(0.2, run.Data.TestFraction);
        // The split is the data's: --val-fraction replaces the file's data.validation_fraction.
        Assert.Equal(0.25, run.Data.ValidationFraction);
        Assert.Equal(0.25, run.Split.ValidationFraction);
        // --seed seeds the split too: it replaces the file's data.seed.
        Assert.Null(run.Data.Seed);
        Assert.Equal(9, run.Split.Seed);
        Assert.Equal([KeyValuePair.Create("filters", "8,8,8,16,16,16")], run.Model.Overrides);
    }

    [Fact]
    public void A_specification_of_the_other_task_or_no_data_at_all_is_a_one_line_error()
    {
        using var dir = new TempDir();
        RunSpecification.Default(RunTask.Classify, dir.Path).Save(dir.File("cls.json"));

        var other = CliProcess.Run("train", "ctc", "--spec", dir.File("cls.json"), "--out", dir.File("m.ocrf"));
        var none = CliProcess.Run("train", "ctc", "--out", dir.File("m.ocrf"));

        Assert.Equal((2, $"error: {dir.File("cls.json")}: a classify run; use `ocrforge train classify`\n"), (other.Code, other.Stderr));
        Assert.Equal((2, "error: --data: required (the dataset folder), unless --spec names it\n"), (none.Code, none.Stderr));
    }
}

using OcrForge.Compression.Quantization;
using OcrForge.Data;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Training;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Tests.Compression;

/// <summary>
/// Which images quantize calibrates on (<see cref="CalibrationSet"/>): a classifier that records its split calibrates
/// on its training part by default, any other model on all of the data; a text model has no test part; skipped files
/// are reported. Untrained tiny models: only the selection is under test.
/// </summary>
public class CalibrationSetTests
{
    private static readonly Charset Abcd = new(["a", "b", "c", "d"], hasBlank: false);

    /// <summary>A tiny classifier file that records its split (validation 0.25, test 0.3, seed 9) or, as files
    /// written before run specifications, records nothing.</summary>
    private static string Classifier(TempDir dir, string data, bool recorded)
    {
        using var model = TrainedModel.Create(TinyCharacters.TinyCnn, Abcd, TinyCharacters.Spec);
        if (recorded)
            model.Manifest.Run = new RunSpecification
            {
                Task = RunTask.Classify,
                Data = new RunData { Path = data, Format = DatasetFormat.Folders, TestFraction = 0.3 },
                Model = new RunModel { Preset = "chars74k-cnn", Overrides = RunSpecificationTests.TinyCnn },
                Training = CharacterTraining.Recipe with { ValidationFraction = 0.25, Seed = 9 },
            }.ForStorage();
        var path = dir.File(recorded ? "recorded.ocrf" : "old.ocrf");
        model.Save(path);
        return path;
    }

    [Fact]
    public void A_classifier_that_records_its_split_calibrates_on_its_train_part_and_any_other_on_all_images()
    {
        using var dir = new TempDir();
        var data = RunSpecificationTests.WriteCharacters(dir.File("data"));
        File.WriteAllText(Path.Combine(data, "a", "broken.png"), "not a png");
        using var recorded = TrainedModel.Load(Classifier(dir, data, recorded: true));
        using var old = TrainedModel.Load(Classifier(dir, data, recorded: false));
        var (_, images, _) = CharacterData.Load(data, DatasetFormat.Folders, spec: null, Abcd);
        var expected = CharacterData.Split(Abcd, images, 0.25, 0.3, 9);

        var train = CalibrationSet.Load(recorded, "recorded.ocrf", data, DatasetFormat.Folders, split: null, seed: 1);
        var all = CalibrationSet.Load(old, "old.ocrf", data, DatasetFormat.Folders, split: null, seed: 1);
        var test = CalibrationSet.Load(recorded, "recorded.ocrf", data, DatasetFormat.Folders, "test", seed: 1);

        Assert.Equal("train", CalibrationSet.DefaultSplit(recorded.Manifest));
        Assert.Equal("all", CalibrationSet.DefaultSplit(old.Manifest));
        Assert.Equal(expected.Train.Count, train.Images.Length);
        Assert.Equal($"the train part of {data}'s split", train.From);
        Assert.Equal(40, all.Images.Length);
        Assert.Equal($"all of {data}", all.From);
        Assert.Equal(expected.Test.Count, test.Images.Length);
        // The broken file is skipped, and said so, whichever part is calibrated on.
        Assert.Contains(train.Problems, p => p.ToString().Contains("broken.png"));
        Assert.Contains(all.Problems, p => p.ToString().Contains("broken.png"));
    }

    [Fact]
    public void The_calibration_order_is_seeded()
    {
        using var dir = new TempDir();
        var data = RunSpecificationTests.WriteCharacters(dir.File("data"));
        using var old = TrainedModel.Load(Classifier(dir, data, recorded: false));
        List<string> Order(int seed) => CalibrationSet.Load(old, "old.ocrf", data, DatasetFormat.Folders, "all", seed)
            .Images.Select(i => Convert.ToBase64String(i.Pixels)).ToList();

        Assert.Equal(Order(3), Order(3));
        Assert.NotEqual(Order(3), Order(4));
        Assert.Equal(Order(3).Order(), Order(4).Order());
    }

    [Fact]
    public void A_text_model_has_no_test_part_and_one_without_its_run_calibrates_on_all_only()
    {
        using var dir = new TempDir();
        var config = ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["rnn_hidden=16", "dense=16"]));
        using (var model = TrainedModel.Create(config, Charset.FromLabels(["abc12"], hasBlank: true),
            new PreprocessSpec(200, 50)))
            model.Save(dir.File("t.ocrf"));
        using var text = TrainedModel.Load(dir.File("t.ocrf"));

        var test = Assert.Throws<OcrForgeException>(
            () => CalibrationSet.Load(text, "t.ocrf", dir.Path, DatasetFormat.Auto, "test", seed: 1));
        var train = Assert.Throws<OcrForgeException>(
            () => CalibrationSet.Load(text, "t.ocrf", dir.Path, DatasetFormat.Auto, "train", seed: 1));

        Assert.Equal("all", CalibrationSet.DefaultSplit(text.Manifest));
        Assert.StartsWith("--split test: a text model's run has a train and a validation part", test.Message);
        Assert.StartsWith("t.ocrf: the model file does not record its training run", train.Message);
    }

    [Fact]
    public void Held_out_accuracy_counts_the_decoded_images_and_reports_the_skipped_ones()
    {
        using var dir = new TempDir();
        var data = RunSpecificationTests.WriteCharacters(dir.File("data"));
        File.WriteAllText(Path.Combine(data, "b", "broken.png"), "not a png");
        using var model = TrainedModel.Load(Classifier(dir, data, recorded: false));

        // The fp32 graph measured as the "int8" one: both accuracies must then be the same number.
        var heldOut = HeldOutAccuracy.Measure(model, OnnxExporter.Export(model), data, DatasetFormat.Folders);

        Assert.Equal(40, heldOut.Images);
        Assert.Equal(heldOut.Fp32, heldOut.Int8);
        Assert.InRange(heldOut.Fp32, 0, 1);
        Assert.Contains(heldOut.Problems, p => p.ToString().Contains("broken.png"));
    }
}

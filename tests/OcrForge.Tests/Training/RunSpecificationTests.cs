using OcrForge.Inference.Imaging;
using OcrForge.Compression.Pruning;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Tests.Classification;
using OcrForge.Training;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;

namespace OcrForge.Tests.Training;

/// <summary>Serial: the runs draw from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class RunSpecificationTests
{
    /// <summary>The tiny text lines' input with a small network: a run of a few seconds.</summary>
    internal static readonly KeyValuePair<string, string>[] TinyCrnn =
    [
        new("height", "16"), new("width", "64"), new("filters", "8,16"), new("kernels", "3,3"), new("pools", "2x2,2x1"),
        new("rnn_hidden", "16"),
    ];

    internal static readonly KeyValuePair<string, string>[] TinyCnn = [new("filters", "8,8,8,16,16,16")];

    private static RunSpecification Classifier(string data, double smoothing) => new()
    {
        Task = RunTask.Classify,
        Data = new RunData { Path = data, Format = DatasetFormat.Folders, TestFraction = 0.2 },
        Model = new RunModel { Preset = "chars74k-cnn", Overrides = TinyCnn },
        Training = CharacterTraining.Recipe with { Epochs = 2, BatchSize = 8, Seed = 6, ValidationFraction = 0.2, Threads = 1 },
        Classifier = new ClassifierRecipe { Loss = new ClassificationRecipe { LabelSmoothing = smoothing, ClassWeights = true } },
    };

    internal static string WriteCharacters(string dir)
    {
        string[] names = ["a", "b", "c", "d"];
        var images = TinyCharacters.Make(perClass: 10, seed: 8);
        for (int i = 0; i < images.Count; i++)
            ImageWriter.WritePng(images[i].Image, Path.Combine(Directory.CreateDirectory(Path.Combine(dir, names[images[i].Class])).FullName, $"{i}.png"));
        return dir;
    }

    [Fact]
    public void A_specification_survives_json_whole_with_its_overrides_in_order_and_its_recipe()
    {
        var spec = Classifier("/data/chars", 0.25) with
        {
            Model = new RunModel { Preset = "chars74k-cnn", Overrides = [new("growth", "1.3"), new("base_filters", "16")] },
            Data = new RunData { Path = "/data/chars", TestFraction = 0.1, LabeledFraction = 0.5, Unlabeled = "/data/extra" },
            Classifier = new ClassifierRecipe
            {
                Loss = new ClassificationRecipe { LabelSmoothing = 0.25, BalancedSampling = true },
                Resize = ResizeMode.Stretch,
                SemiSupervised = new SganOptions { EntropyWeight = 0.7, UnlabeledRatio = 3 },
            },
        };

        var json = spec.ToJson();
        var back = RunSpecification.Parse(json, "spec.json");

        Assert.Equal(json, back.ToJson());
        Assert.Equal(["growth", "base_filters"], back.Model.Overrides.Select(kv => kv.Key));
        Assert.Equal(0.25, back.Classifier!.Loss.LabelSmoothing);
        Assert.Equal(0.7, back.Classifier.SemiSupervised!.EntropyWeight);
        Assert.Equal(new SplitSettings(0.2, 0.1, 0.5, 6), back.Split);
        // Derived values are not written: a file cannot hold a split that disagrees with its own settings.
        Assert.DoesNotContain("\"split\"", json);
        Assert.DoesNotContain("checkpoint_path", json);
    }

    [Fact]
    public void What_a_specification_file_leaves_out_is_the_task_recipe_not_the_type_default()
    {
        var ctc = RunSpecification.Parse("""{ "task": "ctc", "data": { "path": "lines" }, "training": { "epochs": 3, "optimizer": "adamw" } }""", "a.json");
        var cls = RunSpecification.Parse("""{ "task": "classify", "data": { "path": "chars" }, "classifier": { "loss": { "class_weights": true } } }""", "b.json");

        Assert.Equal(3, ctc.Training.Epochs);
        Assert.Equal(OptimizerKind.AdamW, ctc.Training.Optimizer);
        Assert.Equal(CtcTraining.Recipe.LearningRate, ctc.Training.LearningRate);
        Assert.Equal(CtcTraining.Recipe.Schedule, ctc.Training.Schedule);
        Assert.Equal(CtcTraining.DefaultPreset, ctc.Model.Preset);
        Assert.Null(ctc.Classifier);
        Assert.Equal(0, ctc.Split.TestFraction);
        Assert.Equal(CharacterTraining.Recipe.BatchSize, cls.Training.BatchSize);
        Assert.Equal(CharacterTraining.Recipe.WeightDecay, cls.Training.WeightDecay);
        Assert.True(cls.Classifier!.Loss.ClassWeights);
        Assert.Equal(new ClassificationRecipe().LabelSmoothing, cls.Classifier.Loss.LabelSmoothing);
        Assert.Equal(CharacterTrainingRequest.DefaultTestFraction, cls.Split.TestFraction);
    }

    [Theory]
    [InlineData("""{ "task": "detect", "data": { "path": "x" } }""", "s.json: task 'detect' is not ctc or classify")]
    [InlineData("""{ "data": { "path": "x" } }""", "s.json: no \"task\" (ctc or classify)")]
    [InlineData("""{ "task": "ctc", "training": { "epochs": "many" } }""", "s.json: not a run specification")]
    [InlineData("""[1, 2]""", "s.json: expected a JSON object")]
    public void A_bad_specification_file_is_a_one_line_error_naming_it(string json, string start)
    {
        var error = Assert.Throws<OcrForgeException>(() => RunSpecification.Parse(json, "s.json"));

        Assert.StartsWith(start, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_setting_the_task_does_not_take_is_an_error()
    {
        var ctc = RunSpecification.Default(RunTask.Ctc, "lines");
        var cls = RunSpecification.Default(RunTask.Classify, "chars");

        Assert.Equal("classifier: a ctc run has no classifier recipe",
            Assert.Throws<OcrForgeException>(() => (ctc with { Classifier = new ClassifierRecipe() }).Validate()).Message);
        Assert.Equal("--test-fraction: ctc runs hold out a validation split only",
            Assert.Throws<OcrForgeException>(() => (ctc with { Data = ctc.Data with { TestFraction = 0.1 } }).Validate()).Message);
        Assert.Equal("--charset: only ctc runs take a charset",
            Assert.Throws<OcrForgeException>(() => (cls with { Data = cls.Data with { Charset = "abc" } }).Validate()).Message);
        Assert.Equal("--unlabeled: only used with --semi-supervised",
            Assert.Throws<OcrForgeException>(() => (cls with { Data = cls.Data with { Unlabeled = "u" } }).Validate()).Message);
        ctc.Validate();
        cls.Validate();
    }

    [Fact]
    public void A_ctc_run_returns_its_model_and_every_epoch_without_writing_a_model_file()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var spec = RunSpecification.Default(RunTask.Ctc, data) with
        {
            Model = new RunModel { Preset = "captcha-crnn", Overrides = TinyCrnn },
            Training = CtcTraining.Recipe with { Epochs = 2, BatchSize = 8, Threads = 1, RunDirectory = dir.File("run") },
        };

        var result = Runs.Train(spec);
        using var model = result.Model;

        Assert.Equal(2, result.Training.History.Count);
        Assert.InRange(result.Training.BestEpoch, 1, 2);
        Assert.Equal("validation", result.HeldOutSplit);
        Assert.InRange(result.HeldOut["sequence_accuracy"], 0, 1);
        Assert.Equal(40, result.TrainCount + result.ValidationCount);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.ocrf", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "log.csv")));
        // The model in memory carries the run it came from, as its file would.
        Assert.Equal(spec.ForStorage().ToJson(), model.Manifest.Run!.ToJson());
    }

    [Fact]
    public void A_run_without_a_model_file_or_a_run_directory_is_refused()
    {
        var spec = RunSpecification.Default(RunTask.Ctc, "lines");

        var error = Assert.Throws<OcrForgeException>(() => Runs.Train(spec));

        Assert.Contains("run directory", error.Message);
    }

    [Fact]
    public void A_classifier_run_stores_its_whole_specification_in_the_model_file()
    {
        using var dir = new TempDir();
        var spec = Classifier(WriteCharacters(dir.File("data")), smoothing: 0.25);

        var result = Runs.Train(spec, dir.File("c.ocrf"));
        using (result.Model) { }

        Assert.Equal("test", result.HeldOutSplit);
        Assert.Equal(8, result.Test!.Samples); // 20 % of 10 per class × 4 classes
        using var saved = TrainedModel.Load(dir.File("c.ocrf"));
        var run = saved.Manifest.Run!;
        Assert.Equal(0.25, run.Classifier!.Loss.LabelSmoothing);
        Assert.True(run.Classifier.Loss.ClassWeights);
        Assert.Equal(Path.GetFullPath(dir.File("data")), run.Data.Path);
        Assert.Equal(["filters"], run.Model.Overrides.Select(kv => kv.Key));
        Assert.Equal(new SplitSettings(0.2, 0.2, 1, 6), run.Split);
        Assert.Equal("", run.Training.RunDirectory);
        // The facts that files from before the specification carry are still written, for older readers and ONNX.
        Assert.Equal("0.2", saved.Manifest.Training["test_fraction"]);
    }

    [Fact]
    public void A_model_file_written_before_run_specifications_loads_with_none()
    {
        using var dir = new TempDir();
        using (var model = TrainedModel.Create(TinyCharacters.TinyCnn, new Charset(["a", "b"], hasBlank: false), TinyCharacters.Spec,
            new Dictionary<string, string> { ["seed"] = "1" }))
            model.Save(dir.File("m.ocrf"));
        RemoveRun(dir.File("m.ocrf"));

        using var loaded = TrainedModel.Load(dir.File("m.ocrf"));

        Assert.Null(loaded.Manifest.Run);
        Assert.Equal("1", loaded.Manifest.Training["seed"]);
    }

    /// <summary>Rewrites a model file's manifest as files before run specifications had it: no <c>run</c> key at all.</summary>
    internal static void RemoveRun(string path)
    {
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
        var entry = zip.GetEntry("model.json")!;
        System.Text.Json.Nodes.JsonObject manifest;
        using (var s = entry.Open()) manifest = System.Text.Json.Nodes.JsonNode.Parse(s)!.AsObject();
        Assert.True(manifest.Remove("run"));
        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry("model.json").Open());
        writer.Write(manifest.ToJsonString());
    }
}

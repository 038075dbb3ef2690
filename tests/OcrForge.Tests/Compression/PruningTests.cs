using System.Text.Json;
using OcrForge.Compression.Pruning;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Training;
using OcrForge.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Tests.Compression;

/// <summary>Serial: the end-to-end runs draw from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class PruningTests
{
    [Fact]
    public void Sparsity_rises_along_the_cubic_ramp_and_then_stays_at_the_target()
    {
        var schedule = new SparsitySchedule(0.8, RampSteps: 100);

        Assert.Equal(0, schedule.At(0));
        Assert.Equal(0.8 * (1 - 0.5 * 0.5 * 0.5), schedule.At(50), 12);
        Assert.Equal(0.8, schedule.At(100));
        Assert.Equal(0.8, schedule.At(1000));
        Assert.False(schedule.Reached(99));
        Assert.True(schedule.Reached(100));
        // Fast first, slow last: the first tenth of the ramp adds more than the last tenth.
        Assert.True(schedule.At(10) - schedule.At(0) > schedule.At(100) - schedule.At(90));
    }

    [Fact]
    public void The_smallest_weights_of_every_weight_tensor_go_to_zero_and_biases_stay()
    {
        using var model = (Cnn)TinyCharacters.TinyCnn.Build(4);
        var pruner = new MagnitudePruner(model);
        var weights = model.named_parameters().Where(p => p.parameter.dim() >= 2).ToList();
        var before = weights.ToDictionary(p => p.name, p => p.parameter.detach().abs().flatten().data<float>().ToArray());
        var biasesBefore = model.named_parameters().Where(p => p.parameter.dim() == 1).Select(p => p.parameter.detach().clone()).ToList();

        pruner.Apply(0.6);

        Assert.Equal(weights.Select(w => w.name), pruner.Layers);
        foreach (var (name, parameter) in weights)
        {
            var after = parameter.detach().flatten().data<float>().ToArray();
            var old = before[name];
            int k = (int)Math.Floor(0.6 * old.Length);
            Assert.Equal(k, after.Count(v => v == 0));
            // Every zeroed weight was no larger than every survivor.
            float largestZeroed = Enumerable.Range(0, old.Length).Where(i => after[i] == 0).Max(i => old[i]);
            float smallestKept = Enumerable.Range(0, old.Length).Where(i => after[i] != 0).Min(i => old[i]);
            Assert.True(largestZeroed <= smallestKept, $"{name}: zeroed {largestZeroed} > kept {smallestKept}");
        }
        Assert.All(model.named_parameters().Where(p => p.parameter.dim() == 1).Zip(biasesBefore),
            pair => Assert.Equal(pair.Second.data<float>().ToArray(), pair.First.parameter.detach().data<float>().ToArray()));
        Assert.All(pruner.Measure(), l => Assert.Equal(Math.Floor(0.6 * l.Total) / l.Total, l.Sparsity, 9));
    }

    [Theory]
    [InlineData(1.0, 0.0, true)]
    [InlineData(0.99, 0.98, false)]
    [InlineData(0.9566, 0.9336, false)]
    [InlineData(0.9, 0.84, true)]
    public void A_large_loss_comes_with_advice_and_a_small_one_does_not(double before, double after, bool advised)
    {
        var outcome = new PruneOutcome(null!, null!, "sequence_accuracy", before, after, 100, [], []);

        Assert.Equal(advised, outcome.Advice is not null);
        if (advised) Assert.Contains("--epochs", outcome.Advice);
    }

    [Fact]
    public void Only_epochs_at_the_target_sparsity_may_become_the_kept_weights()
    {
        using var dir = new TempDir();
        TorchRuntime.Seed(4);
        using var model = TinyText.Model.Build(TinyText.Charset.ClassCount);
        var (inner, resources) = TinyText.Task(model, TinyText.Make(32, 1), TinyText.Make(16, 2));
        using (resources)
        {
            // 4 steps per epoch, a ramp of 10 steps: epochs 1 and 2 end below the target (0.496 after step 8), 3 and 4 at it.
            var task = new PruningTask(inner, new SparsitySchedule(0.5, RampSteps: 10));
            Assert.False(task.Validate(CancellationToken.None).MayKeep);
            var kept = new List<bool>();
            var result = new Trainer(new TrainingOptions { RunDirectory = dir.Path, Epochs = 4, BatchSize = 8, Patience = 0, Seed = 4, Threads = 1 },
                new SyncProgress(p => { if (p.Finished is { } r) kept.Add(r.Metrics["sparsity"] >= 0.498); })).Fit(task);

            Assert.Equal([false, false, true, true], kept);
            Assert.True(task.Validate(CancellationToken.None).MayKeep);
            Assert.InRange(result.BestEpoch, 3, 4);
            Assert.InRange(MagnitudePruner.Overall(task.Pruner.Measure()), 0.49, 0.5);
        }
    }

    [Fact]
    public void Pruning_a_text_model_rebuilds_its_split_fine_tunes_to_the_target_and_writes_an_ordinary_model_file()
    {
        using var dir = new TempDir();
        var data = WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var modelPath = dir.File("m.ocrf");
        SaveTextModel(modelPath, data);

        var outcome = Pruning.Run(new PruneRequest { ModelPath = modelPath, Data = data, OutPath = dir.File("p.ocrf"), Sparsity = 0.7, Epochs = 3, Threads = 1 });
        using (outcome.Model) { }

        Assert.Equal("sequence_accuracy", outcome.MetricName);
        Assert.Equal(10, outcome.EvaluatedSamples); // the recorded validation fraction 0.25 of 40
        Assert.InRange(outcome.After, 0, 1);
        Assert.All(outcome.Layers, l => Assert.InRange(l.Sparsity, 0.7 - 1.0 / l.Total, 1));
        Assert.All(outcome.Training.History, h => Assert.True(h.Metrics.ContainsKey("sparsity")));
        using var pruned = TrainedModel.Load(dir.File("p.ocrf"));
        Assert.InRange(MagnitudePruner.Overall(new MagnitudePruner(pruned.Module).Measure()), 0.69, 0.71);
        Assert.Equal(modelPath, pruned.Manifest.Training["pruned_from"]);
        Assert.True(Pruning.CompressedSize(dir.File("p.ocrf")) > 0);
    }

    [Theory]
    [InlineData(PruneMethod.Magnitude)]
    [InlineData(PruneMethod.Channels)]
    public void An_interrupted_prune_resumes_and_ends_where_an_uninterrupted_one_ends(PruneMethod method)
    {
        using var dir = new TempDir();
        var data = WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        SaveTextModel(dir.File("m.ocrf"), data);
        PruneRequest Request(string output, bool resume = false) => new()
        {
            ModelPath = dir.File("m.ocrf"), Data = data, OutPath = dir.File(output), Method = method, Sparsity = 0.6, Epochs = 4, Threads = 1, Resume = resume,
        };

        // An uninterrupted run
        var full = Pruning.Run(Request("full.ocrf"));
        using (full.Model) { }
        // and one stopped after epoch 2, then resumed
        using var stop = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Finished?.Epoch == 2) stop.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Pruning.Run(Request("split.ocrf"), progress, stop.Token));
        Assert.False(File.Exists(dir.File("split.ocrf")));
        var resumed = Pruning.Run(Request("split.ocrf", resume: true));
        using (resumed.Model) { }

        Assert.Equal(2, resumed.Training.ResumedFromEpoch);
        Assert.Equal(full.Training.History.Select(h => h.ValidationLoss), resumed.Training.History.Select(h => h.ValidationLoss));
        Assert.Equal(full.After, resumed.After);
        Assert.Equal(Weights(dir.File("full.ocrf")), Weights(dir.File("split.ocrf")));
    }

    private static float[] Weights(string path)
    {
        using var model = TrainedModel.Load(path);
        using var scope = NewDisposeScope();
        return cat(model.Module.parameters().Select(p => p.detach().flatten()).ToList(), 0).data<float>().ToArray();
    }

    [Fact]
    public void Channel_pruning_a_text_model_fine_tunes_a_smaller_network_that_loads_from_its_own_file()
    {
        using var dir = new TempDir();
        var data = WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        SaveTextModel(dir.File("m.ocrf"), data);

        var outcome = Pruning.Run(new PruneRequest { ModelPath = dir.File("m.ocrf"), Data = data, OutPath = dir.File("c.ocrf"), Method = PruneMethod.Channels, Sparsity = 0.5, Epochs = 2, Threads = 1 });
        using (outcome.Model) { }

        Assert.Equal(TinyText.Model.Filters.Concat(TinyText.Model.RnnHidden).Select(f => (f, f / 2)), outcome.Channels.Select(c => (c.Before, c.After)));
        Assert.True(outcome.ParametersAfter < outcome.ParametersBefore);
        Assert.InRange(outcome.Before, 0, 1);
        Assert.InRange(outcome.After, 0, 1);
        using var pruned = TrainedModel.Load(dir.File("c.ocrf"));
        Assert.Equal(outcome.ParametersAfter, pruned.Module.ParameterCount());
        Assert.Equal("channels", pruned.Manifest.Training["pruning_method"]);
    }

    [Fact]
    public void Pruning_a_classifier_scores_its_recorded_test_split_and_keeps_the_record_for_eval()
    {
        using var dir = new TempDir();
        string[] names = ["a", "b", "c", "d"];
        var images = TinyCharacters.Make(perClass: 10, seed: 8);
        for (int i = 0; i < images.Count; i++)
            ImageWriter.WritePng(images[i].Image, Path.Combine(Directory.CreateDirectory(dir.File(Path.Combine("data", names[images[i].Class]))).FullName, $"{i}.png"));
        TorchRuntime.Seed(3);
        var options = new TrainingOptions { RunDirectory = "", BatchSize = 8, LearningRate = 1e-2, ValidationFraction = 0.2, Seed = 6 };
        using (var model = TrainedModel.Create(TinyCharacters.TinyCnn, new Charset(names, hasBlank: false), TinyCharacters.Spec, new Dictionary<string, string>
        {
            ["seed"] = "6",
            ["validation_fraction"] = "0.2",
            ["test_fraction"] = "0.2",
            ["labeled_fraction"] = "0.5",
            ["options"] = JsonSerializer.Serialize(options, ModelFile.Json),
        }))
            model.Save(dir.File("m.ocrf"));

        var outcome = Pruning.Run(new PruneRequest { ModelPath = dir.File("m.ocrf"), Data = dir.File("data"), Format = DatasetFormat.Folders, OutPath = dir.File("p.ocrf"), Sparsity = 0.5, Epochs = 2, Threads = 1 });
        using (outcome.Model) { }

        Assert.Equal("test_accuracy", outcome.MetricName);
        Assert.Equal(8, outcome.EvaluatedSamples); // 20 % of 10 per class × 4 classes
        Assert.All(outcome.Layers, l => Assert.InRange(l.Sparsity, 0.5 - 1.0 / l.Total, 1));
        using var pruned = TrainedModel.Load(dir.File("p.ocrf"));
        Assert.True(OcrForge.Training.Classification.RecordedSplit.IsRecorded(pruned.Manifest.Training));
        Assert.Equal("0.5", pruned.Manifest.Training["labeled_fraction"]);
    }

    [Fact]
    public void Pruning_a_model_that_does_not_record_its_training_is_a_one_line_error_naming_the_file()
    {
        using var dir = new TempDir();
        var data = WriteTextData(dir.File("data"), TinyText.Make(8, 1));
        using (var model = TrainedModel.Create(TinyText.Model, TinyText.Charset, new PreprocessSpec(TinyText.Width, TinyText.Height, 0.5f, 0.5f)))
            model.Save(dir.File("bare.ocrf"));

        var error = Assert.Throws<OcrForgeException>(() => Pruning.Run(new PruneRequest { ModelPath = dir.File("bare.ocrf"), Data = data, OutPath = dir.File("p.ocrf") }));
        Assert.Contains("bare.ocrf: the model file does not record its training options", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        var sparsity = Assert.Throws<OcrForgeException>(() => Pruning.Run(new PruneRequest { ModelPath = dir.File("bare.ocrf"), Data = data, OutPath = dir.File("p.ocrf"), Sparsity = 1 }));
        Assert.StartsWith("--sparsity 1:", sparsity.Message);
        Assert.False(File.Exists(dir.File("p.ocrf")));
    }

    internal static void SaveTextModel(string path, string data)
    {
        var samples = DatasetDecoder.Decode(DatasetReader.Read(data)).Samples;
        TorchRuntime.Seed(2);
        var options = new TrainingOptions { RunDirectory = "", BatchSize = 8, LearningRate = 3e-2, ValidationFraction = 0.25, Seed = 5 };
        using var model = TrainedModel.Create(TinyText.Model, TinyText.Charset, CtcTraining.Standardize(samples, TinyText.Model), new Dictionary<string, string>
        {
            ["seed"] = "5",
            ["options"] = JsonSerializer.Serialize(options, ModelFile.Json),
        });
        model.Save(path);
    }

    /// <summary>The samples as PNGs plus a path,label manifest (labels repeat, so they cannot be file names).</summary>
    internal static string WriteTextData(string dir, IReadOnlyList<Sample> samples)
    {
        Directory.CreateDirectory(dir);
        var lines = new List<string> { "path,label" };
        foreach (var s in samples)
        {
            ImageWriter.WritePng(s.Image, Path.Combine(dir, s.Path));
            lines.Add($"{s.Path},{s.Label}");
        }
        File.WriteAllLines(Path.Combine(dir, "labels.csv"), lines);
        return Path.Combine(dir, "labels.csv");
    }
}

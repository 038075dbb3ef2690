using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Training;
using OcrForge.Training;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;
using static TorchSharp.torch;

namespace OcrForge.Tests.Gan;

[Collection(SeededTorchCollection.Name)]
public class SganResumeTests
{
    private static readonly IReadOnlyList<LabeledImage> Train = TinyCharacters.Make(perClass: 12, seed: 4);
    private static readonly int[] Keep = [0, 1, 2, 3, 4, 5, 6, 7];

    [Fact]
    public void A_resumed_sgan_run_ends_where_the_uninterrupted_one_ends_generator_included()
    {
        // Given an uninterrupted 3-epoch SGAN run
        using var full = new TempDir();
        var uninterrupted = Run(full.Path, resume: false);

        // When a second run is cancelled after epoch 1 and then resumed
        using var split = new TempDir();
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => Run(split.Path, resume: false, new SyncProgress(p => { if (p.Finished?.Epoch == 1) cancel.Cancel(); }), cancel.Token));
        var resumed = Run(split.Path, resume: true);

        // Then the discriminator's weights, the losses and the generator's images are the same: had the generator
        // restarted from scratch at epoch 2, both would differ.
        Assert.Equal(1, resumed.Result.ResumedFromEpoch);
        Assert.Equal(uninterrupted.Result.History.Select(h => h.TrainLoss), resumed.Result.History.Select(h => h.TrainLoss));
        Assert.Equal(uninterrupted.Weights, resumed.Weights);
        Assert.Equal(uninterrupted.Samples, resumed.Samples);
    }

    [Fact]
    public void A_supervised_checkpoint_does_not_resume_as_an_sgan_run()
    {
        using var dir = new TempDir();
        var options = Options(dir.Path, resume: false);
        TorchRuntime.Seed(options.Seed);
        using (var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4))
        using (var task = new ClassificationTask(cnn, TinyCharacters.Spec, Train, Train, augmenter: null, new ClassificationRecipe(), ["a", "b", "c", "d"]))
            new Trainer(options with { Epochs = 1 }).Fit(task);

        var e = Assert.Throws<OcrForgeException>(() => Run(dir.Path, resume: true));

        Assert.EndsWith("checkpoint.ckpt: checkpoint is of a run without --semi-supervised; resume it the same way or drop --resume", e.Message);
    }

    private static TrainingOptions Options(string dir, bool resume) =>
        new() { RunDirectory = dir, Epochs = 3, BatchSize = 8, Patience = 0, Seed = 9, Threads = 1, Resume = resume };

    private static (TrainingResult Result, float[] Weights, byte[] Samples) Run(string dir, bool resume,
        IProgress<TrainingProgress>? progress = null, CancellationToken token = default)
    {
        var options = Options(dir, resume);
        var (labeled, unlabeled) = LabeledFraction.Hide(Train, Keep);
        TorchRuntime.Seed(options.Seed);
        using var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using var task = new SganTask(cnn, TinyCharacters.Spec, labeled, unlabeled, validation: labeled, augmenter: null,
            new SganOptions { NoiseSize = 16, SampleCount = 4 }, ["a", "b", "c", "d"]);
        var result = new Trainer(options, progress).Fit(task, token);
        using var scope = NewDisposeScope();
        var weights = cat(cnn.parameters().Select(p => p.detach().flatten()).ToList(), 0).data<float>().ToArray();
        return (result, weights, task.Samples().SelectMany(s => s.Pixels).ToArray());
    }
}

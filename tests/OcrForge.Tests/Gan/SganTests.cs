using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Classification;
using OcrForge.Training;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;
using static TorchSharp.torch;

namespace OcrForge.Tests.Gan;

/// <summary>
/// Tests that compare seeded runs bit for bit: torch's generator is process-wide, so they run alone, after the
/// parallel tests (another test drawing random numbers meanwhile would change theirs).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTorchCollection
{
    public const string Name = "Seeded torch runs";
}

[Collection(SeededTorchCollection.Name)]
public class SganTests
{
    [Fact]
    public void Generator_makes_32x32_images_in_the_tanh_range()
    {
        TorchRuntime.Seed(1);
        using var generator = new DcganGenerator(noiseSize: 16);
        using var scope = NewDisposeScope();
        var images = generator.forward(randn(5, 16));
        Assert.Equal(new long[] { 5, 1, 32, 32 }, images.shape);
        Assert.InRange(images.min().item<float>(), -1f, 1f);
        Assert.InRange(images.max().item<float>(), -1f, 1f);
        Assert.True(images.std().item<float>() > 0, "generator output is constant");
    }

    [Fact]
    public void Unsupervised_loss_is_the_real_fake_cross_entropy_of_the_logsumexp()
    {
        using var scope = NewDisposeScope();
        // Logits with logsumexp 0 give D = 1/2 for real and fake: −log ½ for each half.
        var half = tensor(new float[] { (float)Math.Log(0.5), (float)Math.Log(0.5) }).reshape(1, 2);
        Assert.Equal(Math.Log(2), SganLoss.Unsupervised(half, half).item<float>(), 5);
        // Confident and right (real scored high, fake low) costs little; the reverse costs a lot.
        var high = full(1, 3, 10f);
        var low = full(1, 3, -10f);
        Assert.True(SganLoss.Unsupervised(high, low).item<float>() < 1e-3);
        Assert.True(SganLoss.Unsupervised(low, high).item<float>() > 10);
        Assert.Equal(0.5, SganLoss.RealProbability(half).item<float>(), 5);
    }

    [Fact]
    public void Conditional_entropy_is_log_k_for_uniform_scores_and_near_zero_for_confident_ones()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(Math.Log(4), SganLoss.ConditionalEntropy(zeros(3, 4)).item<float>(), 5);
        var confident = tensor(new float[] { 20, 0, 0, 0, 0, 0, 20, 0 }).reshape(2, 4);
        Assert.True(SganLoss.ConditionalEntropy(confident).item<float>() < 1e-6);
    }

    [Fact]
    public void Pseudo_label_consistency_trains_confident_images_towards_their_predicted_class_and_ignores_the_rest()
    {
        using var scope = NewDisposeScope();
        // Two unlabelled images: the plain view of the first is confident in class 2 (p ≈ 1), the second is uniform.
        var plain = tensor(new float[] { 0, 0, 20, 0, 0, 0, 0, 0 }).reshape(2, 4);
        var augmented = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }).reshape(2, 4).requires_grad_(true);

        var (loss, confident) = SganLoss.PseudoLabelConsistency(augmented, plain, threshold: 0.95);

        // Only the first passes the threshold; the loss is its cross-entropy against class 2, averaged over both.
        Assert.Equal(0.5, confident, 6);
        var expected = -nn.functional.log_softmax(augmented.detach()[0], 0)[2].item<float>() / 2;
        Assert.Equal(expected, loss.item<float>(), 5);
        loss.backward();
        Assert.Equal(0f, augmented.grad!.select(0, 1).abs().sum().item<float>());
        Assert.True(augmented.grad!.select(0, 0).abs().sum().item<float>() > 0);
        // A threshold nothing reaches leaves no loss at all.
        Assert.Equal(0f, SganLoss.PseudoLabelConsistency(augmented, zeros(2, 4), threshold: 0.5).Loss.item<float>());
    }

    [Fact]
    public void Sgan_losses_are_finite_and_the_discriminator_losses_decrease_over_a_few_steps_on_a_tiny_set()
    {
        TorchRuntime.Seed(5);
        var data = TinyCharacters.Make(perClass: 8);
        using var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using var generator = new DcganGenerator(noiseSize: 16);
        using var optimizer = optim.Adam(cnn.parameters(), 3e-3);
        using var step = new SganStep(cnn, generator, new SganOptions { NoiseSize = 16 });
        using var x = Inputs(data);
        using var y = Targets(data);

        var losses = Enumerable.Range(0, 25).Select(_ => step.Step(x, y, x, optimizer)).ToList();

        Assert.All(losses, l => Assert.True(double.IsFinite(l.Supervised) && double.IsFinite(l.Unsupervised) && double.IsFinite(l.Generator)));
        // Averages over the first and last five steps, so one noisy step (fresh fakes every time) cannot decide.
        double First(Func<SganStepLosses, double> f) => losses.Take(5).Average(f);
        double Last(Func<SganStepLosses, double> f) => losses.TakeLast(5).Average(f);
        Assert.True(Last(l => l.Supervised) < 0.8 * First(l => l.Supervised), $"supervised {First(l => l.Supervised)} → {Last(l => l.Supervised)}");
        Assert.True(Last(l => l.Unsupervised) < First(l => l.Unsupervised), $"unsupervised {First(l => l.Unsupervised)} → {Last(l => l.Unsupervised)}");
        var samples = step.Sample(randn(4, 16));
        Assert.Equal(4, samples.Count);
        Assert.All(samples, s => Assert.Equal((32, 32), (s.Width, s.Height)));
    }

    [Fact]
    public void A_step_updates_batchnorm_running_statistics_from_real_images_only()
    {
        TorchRuntime.Seed(6);
        var data = TinyCharacters.Make(perClass: 4);
        using var x = Inputs(data);
        using var y = Targets(data);
        using var sgan = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using var reference = (Cnn)TinyCharacters.TinyCnn.Build(4);
        reference.load_state_dict(sgan.state_dict());
        using var generator = new DcganGenerator(noiseSize: 16);
        using var optimizer = optim.Adam(sgan.parameters(), 1e-3);
        using var step = new SganStep(sgan, generator, new SganOptions { NoiseSize = 16 });

        // When the SGAN takes a step and the reference sees the real batch once
        step.Step(x, y, x, optimizer);
        reference.train();
        using (var scope = NewDisposeScope()) reference.forward(cat([x, x], 0));

        // Then the first BatchNorm's running statistics agree: the generated images left no trace in them
        var a = sgan.modules().OfType<TorchSharp.Modules.BatchNorm2d>().First();
        var b = reference.modules().OfType<TorchSharp.Modules.BatchNorm2d>().First();
        Assert.True(a.running_mean!.allclose(b.running_mean!, rtol: 1e-4, atol: 1e-6));
        Assert.True(a.running_var!.allclose(b.running_var!, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void Labels_of_the_unlabelled_part_never_reach_the_loss()
    {
        // Given a training set where only 25 % keep their labels
        var train = TinyCharacters.Make(perClass: 8, seed: 2);
        var keep = LabeledFraction.Choose(train.Select(t => t.Class).ToList(), 0.25, seed: 4);
        // and a copy in which every hidden sample carries a wrong label
        var keepSet = keep.ToHashSet();
        var poisoned = train.Select((t, i) => keepSet.Contains(i) ? t : t with { Class = (t.Class + 1) % 4 }).ToList();

        // When the SGAN trains on each
        var clean = TrainSgan(train, keep);
        var dirty = TrainSgan(poisoned, keep);

        // Then the weights are identical: the hidden labels had no way in
        Assert.Equal(clean.Length, dirty.Length);
        Assert.Equal(clean, dirty);
        // (and the check can fail: the same run with one visible label changed moves the weights)
        var changed = train.Select((t, i) => i == keep[0] ? t with { Class = (t.Class + 1) % 4 } : t).ToList();
        Assert.NotEqual(clean, TrainSgan(changed, keep));
    }

    [Fact]
    public void Every_epoch_reports_the_gan_losses_and_the_discriminator_s_real_and_fake_scores()
    {
        var train = TinyCharacters.Make(perClass: 4, seed: 3);
        var (labeled, unlabeled) = LabeledFraction.Hide(train, LabeledFraction.Choose(train.Select(t => t.Class).ToList(), 0.5, seed: 1));
        using var dir = new TempDir();
        TorchRuntime.Seed(2);
        using var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using var task = new SganTask(cnn, TinyCharacters.Spec, labeled, unlabeled, validation: labeled, augmenter: null,
            new SganOptions { NoiseSize = 16, SampleCount = 4, EntropyWeight = 0.5 }, ["a", "b", "c", "d"]);

        var result = new Trainer(new TrainingOptions { RunDirectory = dir.Path, Epochs = 2, BatchSize = 8, Patience = 0, Seed = 2, Threads = 1 }).Fit(task);

        Assert.All(result.History, epoch =>
        {
            Assert.InRange(epoch.Metrics["sgan_d_real"], 0, 1);
            Assert.InRange(epoch.Metrics["sgan_d_fake"], 0, 1);
            Assert.True(epoch.Metrics["sgan_supervised"] > 0 && epoch.Metrics["sgan_unsupervised"] > 0 && epoch.Metrics["sgan_generator"] >= 0);
        });
    }

    [Fact]
    public void Balanced_sampling_and_class_weights_of_the_supervised_recipe_apply_to_the_sgan_too()
    {
        // Given a skewed labelled set: every image of class 0, two of each other class
        var train = TinyCharacters.Make(perClass: 8, seed: 5);
        var labeled = train.Where(t => t.Class == 0).Concat(train.Where(t => t.Class != 0).GroupBy(t => t.Class).SelectMany(g => g.Take(2))).ToList();
        var unlabeled = train.Except(labeled).Select(t => t.Image).ToList();

        // When the SGAN trains plain, with balanced sampling and with class weights
        var plain = TrainSganWith(labeled, unlabeled, new ClassificationRecipe { LabelSmoothing = 0 });
        var balanced = TrainSganWith(labeled, unlabeled, new ClassificationRecipe { LabelSmoothing = 0, BalancedSampling = true });
        var weighted = TrainSganWith(labeled, unlabeled, new ClassificationRecipe { LabelSmoothing = 0, ClassWeights = true });

        // Then each setting changes the run: neither is silently ignored
        Assert.NotEqual(plain, balanced);
        Assert.NotEqual(plain, weighted);
        // and a seeded run repeats, so the differences come from the settings
        Assert.Equal(balanced, TrainSganWith(labeled, unlabeled, new ClassificationRecipe { LabelSmoothing = 0, BalancedSampling = true }));
    }

    [Fact]
    public void More_unlabelled_images_per_labelled_one_change_the_run_and_a_ratio_below_one_is_refused()
    {
        var train = TinyCharacters.Make(perClass: 8, seed: 6);
        var labeled = train.Where((_, i) => i % 4 == 0).ToList();
        var unlabeled = train.Where((_, i) => i % 4 != 0).Select(t => t.Image).ToList();
        var plain = new ClassificationRecipe { LabelSmoothing = 0 };

        Assert.NotEqual(TrainSganWith(labeled, unlabeled, plain), TrainSganWith(labeled, unlabeled, plain, unlabeledRatio: 3));
        using var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4);
        var error = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => new SganTask(cnn, TinyCharacters.Spec, labeled, unlabeled, labeled, null,
            new SganOptions { NoiseSize = 16, UnlabeledRatio = 0 }, ["a", "b", "c", "d"]));
        Assert.Contains("--unlabeled-ratio", error.Message);
    }

    private static float[] TrainSganWith(IReadOnlyList<LabeledImage> labeled, IReadOnlyList<GrayImage> unlabeled, ClassificationRecipe supervision,
        int unlabeledRatio = 1)
    {
        using var dir = new TempDir();
        var options = new TrainingOptions { RunDirectory = dir.Path, Epochs = 1, BatchSize = 8, Patience = 0, Seed = 3, Threads = 1 };
        TorchRuntime.Seed(options.Seed);
        using var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using (var task = new SganTask(cnn, TinyCharacters.Spec, labeled, unlabeled, validation: labeled, augmenter: null,
            new SganOptions { NoiseSize = 16, SampleCount = 4, Supervision = supervision, UnlabeledRatio = unlabeledRatio }, ["a", "b", "c", "d"]))
            new Trainer(options).Fit(task);
        using var scope = NewDisposeScope();
        return cat(cnn.parameters().Select(p => p.detach().flatten()).ToList(), 0).data<float>().ToArray();
    }

    private static float[] TrainSgan(IReadOnlyList<LabeledImage> train, int[] keep)
    {
        var (labeled, unlabeled) = LabeledFraction.Hide(train, keep);
        using var dir = new TempDir();
        var options = new TrainingOptions { RunDirectory = dir.Path, Epochs = 2, BatchSize = 8, Patience = 0, Seed = 9, Threads = 1 };
        TorchRuntime.Seed(options.Seed);
        using var cnn = (Cnn)TinyCharacters.TinyCnn.Build(4);
        using (var task = new SganTask(cnn, TinyCharacters.Spec, labeled, unlabeled, validation: labeled, augmenter: null,
            // With pseudo-labels on (a threshold the tiny model passes), so their path is covered too.
            new SganOptions { NoiseSize = 16, SampleCount = 4, ConsistencyWeight = 1, ConfidenceThreshold = 0.3 }, ["a", "b", "c", "d"]))
        {
            var history = new Trainer(options).Fit(task).History;
            Assert.True(history.Max(e => e.Metrics["sgan_confident"]) > 0, "no unlabelled image got a pseudo-label");
        }
        using var scope = NewDisposeScope();
        return cat(cnn.parameters().Select(p => p.detach().flatten()).ToList(), 0).data<float>().ToArray();
    }

    private static Tensor Inputs(IReadOnlyList<LabeledImage> data)
    {
        using var batches = ClassifierBatches.Images(data.Select(d => d.Image).ToList(), TinyCharacters.Spec, null);
        return batches.Get(Enumerable.Range(0, data.Count).ToList(), null);
    }

    private static Tensor Targets(IReadOnlyList<LabeledImage> data) => tensor(data.Select(d => (long)d.Class).ToArray());
}

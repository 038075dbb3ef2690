using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training.Classification;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Training.SemiSupervised;

/// <summary>Settings of the semi-supervised GAN on top of the classifier recipe.</summary>
public sealed record SganOptions
{
    public int NoiseSize { get; init; } = 100;
    /// <summary>Weight of the unsupervised (real/fake) loss next to the supervised cross-entropy.</summary>
    public double UnsupervisedWeight { get; init; } = 1.0;
    /// <summary>DCGAN's Adam settings for the generator.</summary>
    public double GeneratorLearningRate { get; init; } = 2e-4;
    /// <summary>Images in the per-epoch sample grid (fixed noise, so epochs are comparable).</summary>
    public int SampleCount { get; init; } = 64;
}

/// <summary>Losses of one SGAN step, for logs and tests.</summary>
public readonly record struct SganStepLosses(double Supervised, double Unsupervised, double Generator, double SupervisedAccuracy);

/// <summary>
/// One SGAN update over a labelled batch, an unlabelled batch and a batch of generated images: the discriminator
/// (the <see cref="Cnn"/>; its K logits plus the implicit fake logit) on cross-entropy + the unsupervised loss, then
/// the generator on feature matching. Only images enter <see cref="Step"/> for the unlabelled part, never labels.
/// </summary>
public sealed class SganStep : IDisposable
{
    private readonly Cnn _discriminator;
    private readonly DcganGenerator _generator;
    private readonly optim.Optimizer _dOptimizer;
    private readonly optim.Optimizer _gOptimizer;
    private readonly SganOptions _options;

    public SganStep(Cnn discriminator, DcganGenerator generator, optim.Optimizer discriminatorOptimizer, SganOptions options)
    {
        _discriminator = discriminator;
        _generator = generator;
        _dOptimizer = discriminatorOptimizer;
        _gOptimizer = optim.Adam(generator.parameters(), options.GeneratorLearningRate, beta1: 0.5, beta2: 0.999);
        _options = options;
    }

    public optim.Optimizer DiscriminatorOptimizer => _dOptimizer;

    /// <param name="labeled">[B, 1, H, W] labelled images.</param>
    /// <param name="targets">[B] their classes.</param>
    /// <param name="unlabeled">[U, 1, H, W] unlabelled images.</param>
    public SganStepLosses Step(Tensor labeled, Tensor targets, Tensor unlabeled)
    {
        using var scope = NewDisposeScope();
        int fakeCount = (int)unlabeled.shape[0];

        // Discriminator. Real images go through one forward; generated ones through another, also with batch
        // statistics (the same path as real ones: a different normalisation would let D tell fakes by the path, and
        // then call every real image fake at test time) but without touching the running statistics, which the
        // saved classifier uses and which must describe real characters only.
        _discriminator.train();
        int b = (int)labeled.shape[0];
        var realFeatures = _discriminator.Features(cat([labeled, unlabeled], 0));
        var realLogits = _discriminator.Classify(realFeatures);
        var labeledLogits = realLogits.narrow(0, 0, b);
        var unlabeledLogits = realLogits.narrow(0, b, fakeCount);
        var fake = _generator.forward(NoiseBatch(fakeCount));
        var fakeLogits = WithoutStatisticsUpdate(() => _discriminator.forward(fake.detach()));
        var supervised = SganLoss.Supervised(labeledLogits, targets);
        var unsupervised = SganLoss.Unsupervised(unlabeledLogits, fakeLogits);
        var dLoss = supervised + _options.UnsupervisedWeight * unsupervised;
        _dOptimizer.zero_grad();
        dLoss.backward();
        _dOptimizer.step();

        // Generator: match the mean pooled features of the real unlabelled batch (Salimans et al. §3.1).
        _generator.train();
        var target = realFeatures.narrow(0, b, fakeCount).detach();
        var generated = _generator.forward(NoiseBatch(fakeCount));
        var fakeFeatures = WithoutStatisticsUpdate(() => _discriminator.Features(generated));
        var gLoss = SganLoss.FeatureMatching(target, fakeFeatures);
        _gOptimizer.zero_grad();
        gLoss.backward();
        _gOptimizer.step();

        double accuracy = labeledLogits.argmax(1).eq(targets).to_type(ScalarType.Float32).mean().item<float>();
        return new SganStepLosses(supervised.item<float>(), unsupervised.item<float>(), gLoss.item<float>(), accuracy);
    }

    /// <summary>
    /// Generated images for <paramref name="noise"/> as 8-bit pictures. The generator stays in train mode: it is only
    /// ever used with batch statistics, which is what the discriminator sees (its running statistics are never used).
    /// </summary>
    public IReadOnlyList<GrayImage> Sample(Tensor noise)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // tanh range [−1, 1] → bytes 0–255.
        var images = ((_generator.forward(noise) + 1) * 127.5).clamp(0, 255).to_type(ScalarType.Byte).contiguous();
        int n = (int)images.shape[0], h = (int)images.shape[2], w = (int)images.shape[3];
        var bytes = images.data<byte>().ToArray();
        return Enumerable.Range(0, n).Select(i => new GrayImage(w, h, bytes[(i * w * h)..((i + 1) * w * h)])).ToList();
    }

    private Tensor NoiseBatch(int count) => randn(count, _generator.NoiseSize);

    /// <summary>Runs a forward in train mode with BatchNorm momentum 0: running = 1·running + 0·batch, i.e. unchanged.</summary>
    private T WithoutStatisticsUpdate<T>(Func<T> forward)
    {
        var norms = _discriminator.modules().OfType<TorchSharp.Modules.BatchNorm2d>().ToList();
        var momenta = norms.Select(n => n.momentum).ToList();
        foreach (var n in norms) n.momentum = 0.0;
        try { return forward(); }
        finally { for (int i = 0; i < norms.Count; i++) norms[i].momentum = momenta[i]; }
    }

    public void Dispose() => _gOptimizer.Dispose();
}

/// <summary>
/// Trains a semi-supervised GAN whose discriminator is the classifier: epochs, schedule, augmentation and
/// best-validation selection are those of <see cref="ClassifierTrainer"/>, so SGAN and the supervised baseline
/// differ only in the unlabelled and generated images.
/// </summary>
public sealed class SganTrainer(ClassifierTrainingOptions options, SganOptions sgan)
{
    public IReadOnlyList<EpochReport> Train(Cnn model, PreprocessSpec spec, IReadOnlyList<LabeledImage> labeled, IReadOnlyList<GrayImage> unlabeled,
        IReadOnlyList<LabeledImage> validation, IProgress<EpochReport>? progress = null,
        Action<int, IReadOnlyList<GrayImage>>? onSamples = null, CancellationToken cancellationToken = default)
    {
        if (spec.Width != DcganGenerator.Side || spec.Height != DcganGenerator.Side)
            throw new Inference.OcrForgeException($"--semi-supervised: the generator makes {DcganGenerator.Side}×{DcganGenerator.Side} images; the preset's input is {spec.Width}×{spec.Height}");
        var o = options;
        var batches = new ImageBatches(spec, o.Augment is null ? null : new Augmenter(o.Augment), o.Seed);
        var rng = new Random(o.Seed);
        using var generator = new DcganGenerator(sgan.NoiseSize);
        using var dOptimizer = ClassifierTrainer.CreateOptimizer(model, o);
        using var step = new SganStep(model, generator, dOptimizer, sgan);
        using var fixedNoise = randn(sgan.SampleCount, sgan.NoiseSize);
        int samplesPerEpoch = o.SamplesPerEpoch ?? Math.Max(labeled.Count, unlabeled.Count);
        int steps = ClassifierTrainer.StepsPerEpoch(samplesPerEpoch, o.BatchSize);
        var schedule = new WarmupCosine(o.LearningRate, o.WarmupEpochs, o.Epochs, steps);
        var labeledStream = new CyclingOrder(labeled.Count, rng);
        var unlabeledStream = new CyclingOrder(unlabeled.Count, rng);

        var selection = new BestEpoch(validation.Count > 0, o.Patience);
        var reports = new List<EpochReport>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            double supervised = 0, accuracy = 0;
            for (int s = 0; s < steps; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                schedule.Apply(dOptimizer, epoch, s);
                using var scope = NewDisposeScope();
                var lab = labeledStream.Next(o.BatchSize).Select(i => labeled[i]).ToList();
                var unl = unlabeledStream.Next(o.BatchSize).Select(i => unlabeled[i]).ToList();
                int position = s * o.BatchSize;
                var losses = step.Step(
                    batches.Inputs(lab.Select(l => l.Image).ToList(), epoch, position),
                    ImageBatches.Targets(lab.Select(l => l.Class)),
                    // Offset positions so unlabelled images draw other augmentations than labelled ones.
                    batches.Inputs(unl, epoch, samplesPerEpoch + position));
                supervised += losses.Supervised;
                accuracy += losses.SupervisedAccuracy;
            }
            onSamples?.Invoke(epoch + 1, step.Sample(fixedNoise));
            var (valLoss, valAccuracy) = validation.Count > 0 ? ClassifierTrainer.Evaluate(model, spec, validation, o.BatchSize * 4) : (double.NaN, double.NaN);
            var report = new EpochReport(epoch + 1, o.Epochs, supervised / steps, accuracy / steps, valLoss, valAccuracy, schedule.Current, clock.Elapsed);
            reports.Add(report);
            progress?.Report(report);
            if (selection.Update(model, epoch, valAccuracy)) break;
        }
        selection.Restore(model);
        return reports;
    }
}

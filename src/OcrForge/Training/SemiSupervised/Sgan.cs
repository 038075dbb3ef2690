using OcrForge.Runtime;
using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Training.Classification;
using static TorchSharp.torch;

namespace OcrForge.Training.SemiSupervised;

/// <summary>
/// Settings of the semi-supervised GAN on top of the classifier recipe; as an <see cref="ISemiSupervisedMethod"/> it
/// makes the <see cref="SganTask"/> a classifier run trains.
/// </summary>
public sealed record SganOptions : ISemiSupervisedMethod
{
    public int NoiseSize { get; init; } = 100;
    /// <summary>Weight of the unsupervised (real/fake) loss next to the supervised cross-entropy.</summary>
    public double UnsupervisedWeight { get; init; } = 1.0;
    /// <summary>
    /// Weight of the class entropy on unlabelled images, part of the unsupervised loss (0 = the plain SGAN of
    /// Salimans et al.; see <see cref="SganLoss.ConditionalEntropy"/>). 0.3 measured best on GoodImg with 10 % of the
    /// labels (87.1 % vs 86.0 % without, 83.3 % with 1.0 and the slower generator; docs/results-cls.md).
    /// </summary>
    public double EntropyWeight { get; init; } = 0.3;
    /// <summary>
    /// The generator's Adam learning rate (β1 = 0.5 as DCGAN). DCGAN's 2e-4 is too slow next to the classifier
    /// recipe's discriminator (peak 2e-3): on GoodImg the discriminator won outright by epoch 6 (D(fake) → 0.01, the
    /// unsupervised loss → 0), leaving a plain classifier; 1e-3 keeps the game going (docs/results-cls.md).
    /// </summary>
    public double GeneratorLearningRate { get; init; } = 1e-3;
    /// <summary>
    /// Weight of the pseudo-label consistency on unlabelled images (<see cref="SganLoss.PseudoLabelConsistency"/>),
    /// next to the cross-entropy and the unsupervised loss; 0 = none.
    /// </summary>
    public double ConsistencyWeight { get; init; } = 0;
    /// <summary>Confidence the plain view needs before its class becomes the augmented view's target (FixMatch's
    /// 0.95).</summary>
    public double ConfidenceThreshold { get; init; } = 0.95;
    /// <summary>
    /// Unlabelled (and generated) images per labelled image in a batch: FixMatch's μ. Above 1 the unlabelled set weighs
    /// more against a labelled set that the budget cycles through hundreds of times.
    /// </summary>
    public int UnlabeledRatio { get; init; } = 1;
    /// <summary>Images in the per-epoch sample grid (fixed noise, so epochs are comparable).</summary>
    public int SampleCount { get; init; } = 64;
    /// <summary>Samples per epoch; null = the larger of the labelled and unlabelled sets.</summary>
    public int? SamplesPerEpoch { get; init; }
    /// <summary>
    /// How the labelled images are drawn and weighed (label smoothing, balanced sampling, class weights): the
    /// supervised baseline's recipe, for a like-for-like comparison. Its samples per epoch are not used here.
    /// </summary>
    public ClassificationRecipe Supervision { get; init; } = new() { LabelSmoothing = 0 };

    /// <summary>The run's supervised recipe, and its budget unless <see cref="SamplesPerEpoch"/> is set.</summary>
    ITrainingTask ISemiSupervisedMethod.CreateTask(SemiSupervisedInputs inputs) =>
        new SganTask(inputs.Classifier, inputs.Spec, inputs.Labeled, inputs.Unlabeled, inputs.Validation,
            inputs.Augmenter, this with
            {
                SamplesPerEpoch = SamplesPerEpoch ?? inputs.SamplesPerEpoch,
                Supervision = inputs.Recipe,
            }, inputs.Labels);
}

/// <summary>
/// The semi-supervised GAN as a <see cref="Trainer"/> task: the trainer's optimizer, schedule, checkpoints and early
/// stopping drive the discriminator (the classifier); each batch first takes a generator step of its own. Every
/// batch pairs labelled images (the trainer's indices, cycling, or drawn class-balanced) with
/// <see cref="SganOptions.UnlabeledRatio"/> times as many unlabelled images drawn from the seeded generator — images
/// only: the unlabelled set has no labels to give.
/// </summary>
public sealed class SganTask : ITrainingTask, ICheckpointedTask, IGeneratedSamples, IDisposable
{
    private readonly ImageBatches _labeled;
    private readonly int[] _classes;
    private readonly ImageBatches _unlabeled;
    /// <summary>The unlabelled images plain and strongly augmented, when the pseudo-label consistency is on.</summary>
    private readonly (ImageBatches Plain, ImageBatches Strong)? _consistency;
    private readonly ClassifierValidation _validation;
    private readonly DcganGenerator _generator;
    private readonly SganStep _step;
    private readonly Tensor _fixedNoise;
    private readonly int _count;
    private readonly int _ratio;
    private readonly BalancedSampler? _sampler;
    private readonly Tensor? _classWeights;
    private double _supervisedSum, _unsupervisedSum, _generatorSum, _realSum, _fakeSum, _consistencySum, _confidentSum;
    private int _batches;

    public SganTask(Cnn discriminator, PreprocessSpec spec, IReadOnlyList<LabeledImage> labeled,
        IReadOnlyList<GrayImage> unlabeled, IReadOnlyList<LabeledImage> validation, Augmenter? augmenter,
        SganOptions options, IReadOnlyList<string> labels)
    {
        if (spec.Width != DcganGenerator.Side || spec.Height != DcganGenerator.Side)
            throw new Inference.OcrForgeException($"--semi-supervised: the generator makes "
                + $"{DcganGenerator.Side}×{DcganGenerator.Side} images; "
                + $"the preset's input is {spec.Width}×{spec.Height}");
        if (options.UnlabeledRatio < 1)
            throw new Inference.OcrForgeException($"--unlabeled-ratio {options.UnlabeledRatio}: expected at least 1");
        if (unlabeled.Count == 0)
            throw new Inference.OcrForgeException("--semi-supervised needs unlabelled images: "
                + "pass --labeled-fraction below 1 or --unlabeled DIR");
        Model = discriminator;
        _labeled = ClassifierBatches.Images(labeled.Select(l => l.Image).ToList(), spec, augmenter);
        _classes = labeled.Select(l => l.Class).ToArray();
        _unlabeled = ClassifierBatches.Images(unlabeled, spec, augmenter);
        if (options.ConsistencyWeight > 0)
            _consistency = (ClassifierBatches.Images(unlabeled, spec, null),
                ClassifierBatches.Images(unlabeled, spec, new Augmenter(AugmentOptions.CharactersStrong)));
        _validation = new ClassifierValidation(discriminator, spec, validation, labels);
        _generator = new DcganGenerator(options.NoiseSize);
        _sampler = options.Supervision.BalancedSampling ? new BalancedSampler(_classes) : null;
        _classWeights = options.Supervision.ClassWeights
            ? tensor(ClassBalance.InverseFrequencyWeights(_classes, discriminator.ClassCount)).DetachFromDisposeScope()
            : null;
        _step = new SganStep(discriminator, _generator, options, _classWeights);
        _fixedNoise = randn(options.SampleCount, options.NoiseSize).DetachFromDisposeScope();
        _count = options.SamplesPerEpoch ?? Math.Max(labeled.Count, unlabeled.Count);
        _ratio = options.UnlabeledRatio;
    }

    public OcrModule Model { get; }
    public int TrainingCount => _count;

    public BatchLoss Loss(IReadOnlyList<int> batch, Random augmentation)
    {
        // As in the supervised task: with balanced sampling the trainer's indices only count draws.
        var labeledIndices = batch.Select(i => _sampler?.Draw(augmentation) ?? i % _classes.Length).ToList();
        var unlabeledIndices = Enumerable.Range(0, batch.Count * _ratio)
            .Select(_ => augmentation.Next(_unlabeled.Count))
            .ToList();
        var labeled = _labeled.Get(labeledIndices, augmentation);
        var targets = tensor(labeledIndices.Select(i => (long)_classes[i]).ToArray());
        var unlabeled = _unlabeled.Get(unlabeledIndices, augmentation);
        var views = _consistency is var (plain, strong)
            ? new ConsistencyViews(plain.Get(unlabeledIndices, null), strong.Get(unlabeledIndices, augmentation))
            : null;
        _generatorSum += _step.TrainGenerator(unlabeled);
        var d = _step.DiscriminatorLoss(labeled, targets, unlabeled, views);
        _supervisedSum += d.Supervised;
        _unsupervisedSum += d.Unsupervised;
        _realSum += d.RealProbability;
        _fakeSum += d.FakeProbability;
        _consistencySum += d.Consistency;
        _confidentSum += d.Confident;
        _batches++;
        return new BatchLoss(d.Loss, batch.Count, d.Correct);
    }

    /// <summary>
    /// Validation of the classifier, plus the epoch's mean SGAN losses and D(x) on real and generated images: a
    /// discriminator that wins outright (real → 1, fake → 0, unsupervised loss → 0) no longer learns from the
    /// unlabelled images, which these numbers show.
    /// </summary>
    public ValidationResult Validate(CancellationToken cancellationToken)
    {
        var result = _validation.Run(cancellationToken);
        var metrics = new Dictionary<string, double>(result.Metrics);
        if (_batches > 0)
        {
            metrics["sgan_supervised"] = _supervisedSum / _batches;
            metrics["sgan_unsupervised"] = _unsupervisedSum / _batches;
            metrics["sgan_generator"] = _generatorSum / _batches;
            metrics["sgan_d_real"] = _realSum / _batches;
            metrics["sgan_d_fake"] = _fakeSum / _batches;
            if (_consistency is not null)
            {
                metrics["sgan_consistency"] = _consistencySum / _batches;
                metrics["sgan_confident"] = _confidentSum / _batches;
            }
        }
        (_supervisedSum, _unsupervisedSum, _generatorSum, _realSum, _fakeSum, _consistencySum, _confidentSum,
            _batches) = (0, 0, 0, 0, 0, 0, 0, 0);
        return result with { Metrics = metrics };
    }

    /// <summary>The generator's images for a fixed noise batch: one grid per epoch shows its progress.</summary>
    public IReadOnlyList<GrayImage> Samples() => _step.Sample(_fixedNoise);

    public void SaveState(BinaryWriter writer) => _step.SaveGenerator(writer);

    public void LoadState(BinaryReader reader) => _step.LoadGenerator(reader);

    public void Dispose()
    {
        _labeled.Dispose();
        _unlabeled.Dispose();
        if (_consistency is var (plain, strong))
        {
            plain.Dispose();
            strong.Dispose();
        }
        _validation.Dispose();
        _step.Dispose();
        _generator.Dispose();
        _fixedNoise.Dispose();
        _classWeights?.Dispose();
    }
}

/// <summary>
/// The discriminator's loss on one batch (attached to the graph), its parts, and the mean D(x) it gives the
/// unlabelled real and the generated images, the pseudo-label consistency loss and the share of unlabelled images
/// confident enough for a pseudo-label (both 0 when the consistency is off).
/// </summary>
public sealed record DiscriminatorLoss(Tensor Loss, double Supervised, double Unsupervised, int Correct,
    double RealProbability, double FakeProbability, double Consistency, double Confident);

/// <summary>
/// The unlabelled batch twice more for the pseudo-label consistency: plain (its prediction gives the pseudo-labels)
/// and strongly augmented (trained to agree with them). [U, 1, H, W] each, same images in the same order.
/// </summary>
public sealed record ConsistencyViews(Tensor Plain, Tensor Strong);

/// <summary>Losses of one full SGAN update, for logs and tests.</summary>
public readonly record struct SganStepLosses(double Supervised, double Unsupervised, double Generator);

/// <summary>
/// The two halves of an SGAN update over a labelled batch, an unlabelled batch and generated images: the generator
/// on feature matching, and the discriminator's loss (the <see cref="Cnn"/>'s K logits plus the implicit fake logit)
/// = cross-entropy + the unsupervised loss. Only images enter for the unlabelled part, never labels.
/// </summary>
public sealed class SganStep : IDisposable
{
    private readonly Cnn _discriminator;
    private readonly DcganGenerator _generator;
    private readonly TorchSharp.Modules.Adam _gOptimizer;
    private readonly SganOptions _options;
    private readonly Tensor? _classWeights;

    /// <param name="classWeights">[K] weights of the supervised cross-entropy, or null; owned by the caller.</param>
    public SganStep(Cnn discriminator, DcganGenerator generator, SganOptions options, Tensor? classWeights = null)
    {
        _classWeights = classWeights;
        _discriminator = discriminator;
        _generator = generator;
        _gOptimizer = optim.Adam(generator.parameters(), options.GeneratorLearningRate, beta1: 0.5, beta2: 0.999);
        _options = options;
    }

    /// <summary>
    /// One generator step: match the mean pooled discriminator features of the real unlabelled batch (Salimans et
    /// al. §3.1). Leaves the discriminator's gradients at zero, so the caller's discriminator step starts clean.
    /// </summary>
    public double TrainGenerator(Tensor unlabeled)
    {
        using var scope = NewDisposeScope();
        _discriminator.train();
        _generator.train();
        Tensor target;
        using (no_grad()) target = WithoutStatisticsUpdate(() => _discriminator.Features(unlabeled));
        var generated = _generator.forward(NoiseBatch((int)unlabeled.shape[0]));
        var loss = SganLoss.FeatureMatching(target, WithoutStatisticsUpdate(() => _discriminator.Features(generated)));
        _gOptimizer.zero_grad();
        KernelGate.Backward(loss);
        _gOptimizer.step();
        _discriminator.zero_grad();
        return loss.item<float>();
    }

    /// <param name="labeled">[B, 1, H, W] labelled images.</param>
    /// <param name="targets">[B] their classes.</param>
    /// <param name="unlabeled">[U, 1, H, W] unlabelled images.</param>
    /// <param name="views">The unlabelled images' views for the pseudo-label consistency; null when its weight is
    /// 0.</param>
    public DiscriminatorLoss DiscriminatorLoss(Tensor labeled, Tensor targets, Tensor unlabeled,
        ConsistencyViews? views = null)
    {
        // Real images go through one forward; generated ones through another, also with batch statistics (the same
        // path as real ones: a different normalisation would let D tell fakes by the path, and then call every real
        // image fake at test time) but without touching the running statistics, which the saved classifier uses and
        // which must describe real characters only.
        _discriminator.train();
        int b = (int)labeled.shape[0], u = (int)unlabeled.shape[0];
        var realLogits = _discriminator.forward(cat([labeled, unlabeled], 0));
        var labeledLogits = realLogits.narrow(0, 0, b);
        var unlabeledLogits = realLogits.narrow(0, b, u);
        Tensor fake;
        using (no_grad()) fake = _generator.forward(NoiseBatch(u));
        var fakeLogits = WithoutStatisticsUpdate(() => _discriminator.forward(fake));
        var supervised =
            SganLoss.Supervised(labeledLogits, targets, _options.Supervision.LabelSmoothing, _classWeights);
        var unsupervised = SganLoss.Unsupervised(unlabeledLogits, fakeLogits);
        if (_options.EntropyWeight > 0)
            unsupervised += _options.EntropyWeight * SganLoss.ConditionalEntropy(unlabeledLogits);
        var loss = supervised + _options.UnsupervisedWeight * unsupervised;
        double confident = 0, consistencyValue = 0;
        if (_options.ConsistencyWeight > 0 && views is not null)
        {
            // Strong views run with batch statistics but leave the running ones to the real images as they come.
            var strongLogits = WithoutStatisticsUpdate(() => _discriminator.forward(views.Strong));
            var (consistency, share) = SganLoss.PseudoLabelConsistency(strongLogits, PlainPrediction(views.Plain),
                _options.ConfidenceThreshold);
            loss += _options.ConsistencyWeight * consistency;
            (confident, consistencyValue) = (share, consistency.item<float>());
        }
        int correct = (int)labeledLogits.argmax(1).eq(targets).sum().item<long>();
        double realScore, fakeScore;
        using (no_grad())
        {
            realScore = SganLoss.RealProbability(unlabeledLogits).mean().item<float>();
            fakeScore = SganLoss.RealProbability(fakeLogits).mean().item<float>();
        }
        return new DiscriminatorLoss(loss, supervised.item<float>(), unsupervised.item<float>(), correct, realScore,
            fakeScore, consistencyValue, confident);
    }

    /// <summary>
    /// The classifier's prediction as at inference (eval mode: no input noise or dropout, running BatchNorm
    /// statistics), so a pseudo-label is what the saved model would answer for that image now.
    /// </summary>
    private Tensor PlainPrediction(Tensor images)
    {
        using var noGrad = no_grad();
        _discriminator.eval();
        try { return _discriminator.forward(images); }
        finally { _discriminator.train(); }
    }

    /// <summary>A full update with an explicit discriminator optimizer (the trainer's job in
    /// <see cref="SganTask"/>).</summary>
    public SganStepLosses Step(Tensor labeled, Tensor targets, Tensor unlabeled, optim.Optimizer discriminatorOptimizer,
        ConsistencyViews? views = null)
    {
        using var scope = NewDisposeScope();
        double g = TrainGenerator(unlabeled);
        var d = DiscriminatorLoss(labeled, targets, unlabeled, views);
        discriminatorOptimizer.zero_grad();
        KernelGate.Backward(d.Loss);
        discriminatorOptimizer.step();
        return new SganStepLosses(d.Supervised, d.Unsupervised, g);
    }

    /// <summary>
    /// Generated images for <paramref name="noise"/> as 8-bit pictures. The generator stays in train mode: it is only
    /// ever used with batch statistics, which is what the discriminator sees (its running statistics are never used).
    /// </summary>
    public IReadOnlyList<GrayImage> Sample(Tensor noise)
    {
        // `+ 1` and `* 127.5` pass temporary Scalars to libtorch: no collection may free them mid-call.
        using var pause = Runtime.CollectionPause.Begin();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // tanh range [−1, 1] → bytes 0–255.
        var images = ((_generator.forward(noise) + 1) * 127.5).clamp(0, 255).to_type(ScalarType.Byte).contiguous();
        int n = (int)images.shape[0], h = (int)images.shape[2], w = (int)images.shape[3];
        var bytes = images.data<byte>().ToArray();
        return Enumerable.Range(0, n).Select(i => new GrayImage(w, h, bytes[(i * w * h)..((i + 1) * w * h)])).ToList();
    }

    /// <summary>The generator's weights, then its optimizer's moments: what a resumed run needs to continue it
    /// exactly.</summary>
    public void SaveGenerator(BinaryWriter writer)
    {
        _generator.save(writer);
        _gOptimizer.save_state_dict(writer);
    }

    public void LoadGenerator(BinaryReader reader)
    {
        _generator.load(reader, strict: true);
        _gOptimizer.load_state_dict(reader);
    }

    private Tensor NoiseBatch(int count) => randn(count, _generator.NoiseSize);

    /// <summary>Runs a forward in train mode with BatchNorm momentum 0: running = 1·running + 0·batch, i.e.
    /// unchanged.</summary>
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

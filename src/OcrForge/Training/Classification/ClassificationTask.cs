using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Training.Classification;

/// <summary>What a classifier run adds to the shared <see cref="TrainingOptions"/>.</summary>
public sealed record ClassificationRecipe
{
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Draw every class equally often (see <see cref="BalancedSampler"/>).</summary>
    public bool BalancedSampling { get; init; }
    /// <summary>Weight the loss by inverse class frequency.</summary>
    public bool ClassWeights { get; init; }
    /// <summary>
    /// Samples per epoch (cycling through the labelled set); null = one pass. Set to the whole training split when only
    /// a fraction is labelled, so the supervised baseline and the SGAN take the same number of steps per epoch.
    /// </summary>
    public int? SamplesPerEpoch { get; init; }
}

/// <summary>
/// Character classification for <see cref="Trainer"/>: cross-entropy with label smoothing (optionally class-weighted)
/// on augmented batches; validation reports accuracy and top-3 accuracy.
/// </summary>
public sealed class ClassificationTask : ITrainingTask, IDisposable
{
    private readonly ImageBatches _train;
    private readonly int[] _trainClasses;
    private readonly Validation _validation;
    private readonly ClassificationRecipe _recipe;
    private readonly BalancedSampler? _sampler;
    private readonly Tensor? _weights;

    public ClassificationTask(OcrModule model, PreprocessSpec spec, IReadOnlyList<LabeledImage> train, IReadOnlyList<LabeledImage> validation,
        Augmenter? augmenter, ClassificationRecipe recipe, IReadOnlyList<string> labels)
    {
        Model = model;
        _recipe = recipe;
        _train = Batches(train.Select(t => t.Image).ToList(), spec, augmenter);
        _trainClasses = train.Select(t => t.Class).ToArray();
        _validation = new Validation(model, spec, validation, labels);
        _sampler = recipe.BalancedSampling ? new BalancedSampler(_trainClasses) : null;
        _weights = recipe.ClassWeights ? tensor(ClassBalance.InverseFrequencyWeights(_trainClasses, model.ClassCount)).DetachFromDisposeScope() : null;
    }

    public OcrModule Model { get; }
    public int TrainingCount => _recipe.SamplesPerEpoch ?? _trainClasses.Length;

    public BatchLoss Loss(IReadOnlyList<int> batch, Random augmentation)
    {
        // With balanced sampling the trainer's indices only count draws; the sample comes from the seeded generator.
        var indices = batch.Select(i => _sampler?.Draw(augmentation) ?? i % _trainClasses.Length).ToList();
        var targets = tensor(indices.Select(i => (long)_trainClasses[i]).ToArray());
        var logits = Model.forward(_train.Get(indices, augmentation));
        var loss = nn.functional.cross_entropy(logits, targets, _weights, label_smoothing: _recipe.LabelSmoothing);
        int correct = (int)logits.argmax(1).eq(targets).sum().item<long>();
        return new BatchLoss(loss, indices.Count, correct);
    }

    public ValidationResult Validate(CancellationToken cancellationToken) => _validation.Run(cancellationToken);

    /// <summary>Class scores of prepared images accumulated into metrics, in eval mode without gradients.</summary>
    public ClassificationMetrics Score(IReadOnlyList<LabeledImage> samples, CancellationToken cancellationToken = default) =>
        _validation.Score(samples, cancellationToken).Metrics;

    /// <summary>Image-only batches; the training code never needs a sample's label through them.</summary>
    internal static ImageBatches Batches(IReadOnlyList<GrayImage> images, PreprocessSpec spec, Augmenter? augmenter) =>
        new(images.Select((image, i) => new Sample(image, "", $"image {i}")).ToList(), spec, augmenter);

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
        _weights?.Dispose();
    }

    /// <summary>Validation (loss, accuracy, top-3) over a fixed labelled set; shared with the SGAN task.</summary>
    internal sealed class Validation(OcrModule model, PreprocessSpec spec, IReadOnlyList<LabeledImage> set, IReadOnlyList<string> labels) : IDisposable
    {
        private const int BatchSize = 256;
        private readonly ImageBatches _batches = Batches(set.Select(s => s.Image).ToList(), spec, null);

        public ValidationResult Run(CancellationToken cancellationToken)
        {
            var (loss, metrics) = Score(set, cancellationToken, _batches);
            return new ValidationResult(loss, metrics.Accuracy, new Dictionary<string, double> { ["top3_accuracy"] = metrics.Top3Accuracy });
        }

        public (double Loss, ClassificationMetrics Metrics) Score(IReadOnlyList<LabeledImage> samples, CancellationToken cancellationToken, ImageBatches? prepared = null)
        {
            using var own = prepared is null ? Batches(samples.Select(s => s.Image).ToList(), spec, null) : null;
            var batches = prepared ?? own!;
            var metrics = new ClassificationMetrics(labels);
            bool wasTraining = model.training;
            model.eval();
            using var noGrad = no_grad();
            double lossSum = 0;
            for (int start = 0; start < samples.Count; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(start, Math.Min(BatchSize, samples.Count - start)).ToList();
                var classes = indices.Select(i => samples[i].Class).ToArray();
                var logits = model.forward(batches.Get(indices, null)).contiguous();
                lossSum += nn.functional.cross_entropy(logits, tensor(classes.Select(c => (long)c).ToArray()), reduction: nn.Reduction.Sum).item<float>();
                metrics.AddBatch(classes, logits.data<float>().ToArray());
            }
            model.train(wasTraining);
            return (samples.Count == 0 ? double.NaN : lossSum / samples.Count, metrics);
        }

        public void Dispose() => _batches.Dispose();
    }
}

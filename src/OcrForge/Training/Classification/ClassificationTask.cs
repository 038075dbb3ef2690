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
    private readonly ClassifierValidation _validation;
    private readonly ClassificationRecipe _recipe;
    private readonly BalancedSampler? _sampler;
    private readonly Tensor? _weights;

    public ClassificationTask(OcrModule model, PreprocessSpec spec, IReadOnlyList<LabeledImage> train,
        IReadOnlyList<LabeledImage> validation, Augmenter? augmenter, ClassificationRecipe recipe,
        IReadOnlyList<string> labels)
    {
        Model = model;
        _recipe = recipe;
        _train = ClassifierBatches.Images(train.Select(t => t.Image).ToList(), spec, augmenter);
        _trainClasses = train.Select(t => t.Class).ToArray();
        _validation = new ClassifierValidation(model, spec, validation, labels);
        _sampler = recipe.BalancedSampling ? new BalancedSampler(_trainClasses) : null;
        _weights = recipe.ClassWeights
            ? tensor(ClassBalance.InverseFrequencyWeights(_trainClasses, model.ClassCount)).DetachFromDisposeScope()
            : null;
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
    public ClassificationMetrics Score(IReadOnlyList<LabeledImage> samples,
        CancellationToken cancellationToken = default) =>
        _validation.Score(samples, cancellationToken).Metrics;

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
        _weights?.Dispose();
    }
}

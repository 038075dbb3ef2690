using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Training.Classification;

/// <summary>
/// The pieces every way of training a classifier shares (<see cref="ClassificationTask"/>, the SGAN of
/// <c>SemiSupervised/</c>): its image batches and its validation. They live apart from both tasks so that neither
/// reaches into the other.
/// </summary>
internal static class ClassifierBatches
{
    /// <summary>Image-only batches; the training code never needs a sample's label through them.</summary>
    internal static ImageBatches Images(IReadOnlyList<GrayImage> images, PreprocessSpec spec, Augmenter? augmenter) =>
        new(images.Select((image, i) => new Sample(image, "", $"image {i}")).ToList(), spec, augmenter);
}

/// <summary>
/// Validation (loss, accuracy, top-3) over a fixed labelled set: the supervised task, the SGAN and the final test
/// score a classifier the same way.
/// </summary>
internal sealed class ClassifierValidation(OcrModule model, PreprocessSpec spec, IReadOnlyList<LabeledImage> set,
    IReadOnlyList<string> labels) : IDisposable
{
    private const int BatchSize = 256;
    private readonly ImageBatches _batches = ClassifierBatches.Images(set.Select(s => s.Image).ToList(), spec, null);

    public ValidationResult Run(CancellationToken cancellationToken)
    {
        var (loss, metrics) = Score(set, cancellationToken, _batches);
        return new ValidationResult(loss, metrics.Accuracy,
            new Dictionary<string, double> { ["top3_accuracy"] = metrics.Top3Accuracy });
    }

    public (double Loss, ClassificationMetrics Metrics) Score(IReadOnlyList<LabeledImage> samples,
        CancellationToken cancellationToken, ImageBatches? prepared = null)
    {
        using var own = prepared is null
            ? ClassifierBatches.Images(samples.Select(s => s.Image).ToList(), spec, null)
            : null;
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
            var targets = tensor(classes.Select(c => (long)c).ToArray());
            lossSum += nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum).item<float>();
            metrics.AddBatch(classes, logits.data<float>().ToArray());
        }
        model.train(wasTraining);
        return (samples.Count == 0 ? double.NaN : lossSum / samples.Count, metrics);
    }

    public void Dispose() => _batches.Dispose();
}

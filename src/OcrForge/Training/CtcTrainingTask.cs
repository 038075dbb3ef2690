using OcrForge.Inference;
using OcrForge.Inference.Decoding;
using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>Text-line recognition with CTC: labels become class sequences (blank = 0); validation reports
/// <see cref="TextMetrics"/>.</summary>
public sealed class CtcTrainingTask : ITrainingTask, IBatchArrangement
{
    /// <summary>Batches sorted by width together: enough to find similar widths, few enough to stay a random
    /// mix.</summary>
    private const int BucketBatches = 16;
    private const int ValidationBatch = 64;
    private readonly ImageBatches _train, _validation;
    private readonly int[][] _trainTargets;
    private readonly Charset _charset;

    public CtcTrainingTask(OcrModule model, Charset charset, ImageBatches train, ImageBatches validation)
    {
        if (!charset.HasBlank)
            throw new ArgumentException("a CTC model needs a charset with the blank", nameof(charset));
        Model = model;
        _charset = charset;
        _train = train;
        _validation = validation;
        _trainTargets = Enumerable.Range(0, train.Count).Select(i => charset.Encode(train[i].Label)).ToArray();
    }

    public OcrModule Model { get; }
    public int TrainingCount => _train.Count;

    public BatchLoss Loss(IReadOnlyList<int> batch, Random augmentation)
    {
        var logits = Model.forward(_train.Get(batch, augmentation));
        var targets = batch.Select(i => _trainTargets[i]).ToList();
        var frames = _train.Frames(batch);
        var predicted = CtcLoss.GreedyClasses(logits.detach(), frames);
        int correct = predicted.Zip(targets, (p, t) => p.AsSpan().SequenceEqual(t)).Count(ok => ok);
        return new BatchLoss(CtcLoss.Compute(logits, targets, frames), batch.Count, correct);
    }

    /// <summary>
    /// Variable width: every run of <see cref="BucketBatches"/> batches of the shuffled order is sorted by image width
    /// and cut into batches, which are then shuffled (seeded by the order itself), so a batch is padded to a width
    /// near its own images' rather than to the longest line of a random draw. Fixed-size sets keep the order.
    /// </summary>
    public int[] Arrange(int[] shuffled, int batchSize)
    {
        if (!_train.VariableWidth || batchSize <= 1) return shuffled;
        var batches = shuffled.Chunk(batchSize * BucketBatches)
            .SelectMany(bucket => bucket.OrderBy(i => _train[i].Image.Width).ThenBy(i => i).Chunk(batchSize))
            .ToArray();
        // The last, possibly short, batch stays last: the trainer expects only the final batch to be short.
        var full = batches.Where(b => b.Length == batchSize).ToArray();
        new Random(shuffled.Length == 0 ? 0 : shuffled[0]).Shuffle(full);
        return [.. full.SelectMany(b => b), .. batches.Where(b => b.Length < batchSize).SelectMany(b => b)];
    }

    public ValidationResult Validate(CancellationToken cancellationToken)
    {
        var (loss, metrics) = Evaluate(Model, _charset, _validation, cancellationToken);
        return new ValidationResult(loss, metrics.SequenceAccuracy, metrics.ToDictionary());
    }

    /// <summary>Mean CTC loss and greedy-decoding metrics of a model over a set, in eval mode without
    /// gradients.</summary>
    public static (double Loss, TextMetrics Metrics) Evaluate(OcrModule model, Charset charset, ImageBatches set,
        CancellationToken cancellationToken = default)
    {
        bool wasTraining = model.training;
        model.eval();
        using var noGrad = no_grad();
        var metrics = new TextMetrics();
        double lossSum = 0;
        for (int start = 0; start < set.Count; start += ValidationBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(ValidationBatch, set.Count - start)).ToList();
            var logits = model.forward(set.Get(indices, null));
            var labels = indices.Select(i => set[i].Label).ToList();
            var own = set.Frames(indices);
            lossSum += CtcLoss.Compute(logits, labels.Select(charset.Encode).ToList(), own).item<float>()
                * indices.Count;
            int frames = (int)logits.shape[1], classes = (int)logits.shape[2];
            var logProbs = logits.log_softmax(2).contiguous().data<float>().ToArray();
            for (int i = 0; i < indices.Count; i++)
            {
                int f = own is null ? frames : Math.Min(own[i], frames);
                var text = CtcDecoder.Greedy(logProbs.AsSpan(i * frames * classes, f * classes), f, classes, charset)
                    .Text;
                metrics.Add(text, labels[i]);
            }
        }
        model.train(wasTraining);
        return (set.Count == 0 ? double.NaN : lossSum / set.Count, metrics);
    }
}

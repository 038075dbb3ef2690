using OcrForge.Data;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Training.Classification;

public enum OptimizerKind { AdamW, Adam, Sgd }

/// <summary>The recipe of a classifier training run. The defaults are the best measured on Chars74K (docs/results-cls.md).</summary>
public sealed record ClassifierTrainingOptions
{
    public int Epochs { get; init; } = 40;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-3;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Epochs of linear warm-up before the cosine decay to zero.</summary>
    public int WarmupEpochs { get; init; } = 2;
    public double LabelSmoothing { get; init; } = 0.1;
    public AugmentOptions? Augment { get; init; } = AugmentOptions.Characters;
    public bool BalancedSampling { get; init; }
    public bool ClassWeights { get; init; }
    /// <summary>Stop after this many epochs without a better validation accuracy; 0 = never.</summary>
    public int Patience { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>
    /// Samples drawn per epoch (cycling through the labelled set); null = one pass. Set to the whole training split
    /// when only a fraction is labelled, so the baseline and the SGAN take the same number of steps per epoch.
    /// </summary>
    public int? SamplesPerEpoch { get; init; }
}

/// <summary>One epoch's numbers, reported through <see cref="IProgress{T}"/>.</summary>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double TrainAccuracy, double ValidationLoss,
    double ValidationAccuracy, double LearningRate, TimeSpan Elapsed);

/// <summary>
/// Supervised training of a <see cref="Cnn"/> on prepared character images: AdamW with warm-up + cosine schedule,
/// label smoothing, on-the-fly augmentation, optional balanced sampling or class weights. Keeps the weights of the
/// epoch with the best validation accuracy.
/// </summary>
public sealed class ClassifierTrainer(ClassifierTrainingOptions options)
{
    public ClassifierTrainingOptions Options { get; } = options;

    public IReadOnlyList<EpochReport> Train(Cnn model, PreprocessSpec spec, IReadOnlyList<LabeledImage> train,
        IReadOnlyList<LabeledImage> validation, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = Options;
        var batches = new ImageBatches(spec, o.Augment is null ? null : new Augmenter(o.Augment), o.Seed);
        var rng = new Random(o.Seed);
        var sampler = o.BalancedSampling ? new BalancedSampler(train.Select(t => t.Class).ToList()) : null;
        using var weights = o.ClassWeights ? tensor(ClassBalance.InverseFrequencyWeights(train.Select(t => t.Class).ToList(), model.ClassCount)) : null;
        using var optimizer = CreateOptimizer(model, o);
        int samplesPerEpoch = o.SamplesPerEpoch ?? train.Count;
        var schedule = new WarmupCosine(o.LearningRate, o.WarmupEpochs, o.Epochs, StepsPerEpoch(samplesPerEpoch, o.BatchSize));
        var stream = new CyclingOrder(train.Count, rng);

        var selection = new BestEpoch(validation.Count > 0, o.Patience);
        var reports = new List<EpochReport>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var order = sampler?.Epoch(rng, samplesPerEpoch) ?? stream.Next(samplesPerEpoch);
            model.train();
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int start = 0, step = 0; start < order.Length; start += o.BatchSize, step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.Skip(start).Take(o.BatchSize).Select(i => train[i]).ToList();
                // A batch of one breaks BatchNorm's batch statistics; such a tail is dropped.
                if (batch.Count < 2) continue;
                schedule.Apply(optimizer, epoch, step);
                using var scope = NewDisposeScope();
                var x = batches.Inputs(batch.Select(b => b.Image).ToList(), epoch, start);
                var y = ImageBatches.Targets(batch.Select(b => b.Class));
                var logits = model.forward(x);
                var loss = nn.functional.cross_entropy(logits, y, weights, label_smoothing: o.LabelSmoothing);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * batch.Count;
                correct += (int)logits.argmax(1).eq(y).sum().item<long>();
                seen += batch.Count;
            }
            var (valLoss, valAccuracy) = validation.Count > 0 ? Evaluate(model, spec, validation, o.BatchSize * 4) : (double.NaN, double.NaN);
            var report = new EpochReport(epoch + 1, o.Epochs, lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen),
                valLoss, valAccuracy, schedule.Current, clock.Elapsed);
            reports.Add(report);
            progress?.Report(report);
            if (selection.Update(model, epoch, valAccuracy)) break;
        }
        selection.Restore(model);
        return reports;
    }

    /// <summary>Mean cross-entropy and accuracy of the model in eval mode (no augmentation).</summary>
    public static (double Loss, double Accuracy) Evaluate(OcrModule model, PreprocessSpec spec, IReadOnlyList<LabeledImage> samples, int batchSize = 256)
    {
        var batches = new ImageBatches(spec, null, 0);
        model.eval();
        double lossSum = 0;
        long correct = 0;
        using var noGrad = no_grad();
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = samples.Skip(start).Take(batchSize).ToList();
            var x = batches.Inputs(batch.Select(b => b.Image).ToList());
            var y = ImageBatches.Targets(batch.Select(b => b.Class));
            var logits = model.forward(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return (lossSum / samples.Count, (double)correct / samples.Count);
    }

    /// <summary>Class scores [N, classes] of prepared images, accumulated into <paramref name="metrics"/>.</summary>
    public static void Score(OcrModule model, PreprocessSpec spec, IReadOnlyList<LabeledImage> samples, ClassificationMetrics metrics, int batchSize = 256)
    {
        var batches = new ImageBatches(spec, null, 0);
        model.eval();
        using var noGrad = no_grad();
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = samples.Skip(start).Take(batchSize).ToList();
            var logits = model.forward(batches.Inputs(batch.Select(b => b.Image).ToList())).contiguous();
            metrics.AddBatch(batch.Select(b => b.Class).ToArray(), logits.data<float>().ToArray());
        }
    }

    internal static int StepsPerEpoch(int samples, int batchSize) => (samples + batchSize - 1) / batchSize;

    internal static optim.Optimizer CreateOptimizer(nn.Module module, ClassifierTrainingOptions o) => o.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(module.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(module.parameters(), o.LearningRate, momentum: 0.9, weight_decay: o.WeightDecay, nesterov: true),
        _ => optim.AdamW(module.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
    };
}

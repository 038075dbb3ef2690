using System.Diagnostics;
using System.Text.Json;
using OcrForge.IO;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// The training loop shared by every task: seeded shuffling, optimizer and learning-rate schedule, gradient clipping,
/// validation after every epoch (of an exponential moving average of the weights, if asked), early stopping that
/// restores the best weights, an atomic checkpoint per epoch that <see cref="TrainingOptions.Resume"/> continues from,
/// a CSV log and TensorBoard events, progress through <see cref="IProgress{T}"/>. Cancelling stops before the next
/// batch; the last complete epoch stays checkpointed.
/// <see cref="RunControl"/> lets the caller stop after any epoch, or keep the finished epochs when cancelling.
/// </summary>
public sealed class Trainer(TrainingOptions options, IProgress<TrainingProgress>? progress = null,
    RunControl? control = null)
{
    public TrainingOptions Options { get; } = options.Validate();

    public TrainingResult Fit(ITrainingTask task, CancellationToken cancellationToken = default)
    {
        TorchRuntime.Initialize(Options.Threads);
        var model = task.Model;
        int steps = (task.TrainingCount + Options.BatchSize - 1) / Options.BatchSize;
        if (steps == 0) throw new Inference.OcrForgeException("training set is empty: nothing to train on");

        using var optimizer = OptimizerFactory.Create(Options.Optimizer, model.parameters(), Options.LearningRate,
            Options.WeightDecay, Options.Momentum);
        var schedule = new LearningRateSchedule(Options.Schedule, Options.LearningRate, Options.Epochs, steps);
        using var best = new BestWeights(Options.Patience);
        using var average = Options.Ema > 0 ? new WeightAverage(model, Options.Ema) : null;
        var configJson = JsonSerializer.Serialize(new { model.Config, model.ClassCount }, ModelFile.Json);
        var history = new List<EpochRecord>();
        int start = 0;

        Directory.CreateDirectory(Options.RunDirectory);
        if (Options.Resume && File.Exists(Options.CheckpointPath))
        {
            var state = Checkpoint.Load(Options.CheckpointPath, configJson, Options.Optimizer, model, optimizer, best,
                task as ICheckpointedTask, average);
            start = state.CompletedEpochs;
            history.AddRange(state.History);
            schedule.Plateau = state.Plateau;
        }
        int resumedFrom = start;

        using var events = new TensorBoardWriter(Options.RunDirectory);
        var clock = Stopwatch.StartNew();
        var trainingTime = TimeSpan.Zero;
        var stop = TrainingStop.Completed;
        for (int epoch = start; epoch < Options.Epochs && stop == TrainingStop.Completed; epoch++)
        {
            if (best.ShouldStop)
            {
                stop = TrainingStop.NoImprovement;
                break;
            }
            try
            {
                var epochClock = Stopwatch.StartNew();
                var order = Enumerable.Range(0, task.TrainingCount).ToArray();
                // Order, augmentation and torch's generator (dropout) all derive from (seed, epoch): epoch k of a
                // resumed run sees exactly what epoch k of an uninterrupted run saw.
                new Random(EpochSeed(epoch, 1)).Shuffle(order);
                if (task is IBatchArrangement arrangement) order = arrangement.Arrange(order, Options.BatchSize);
                var augmentation = new Random(EpochSeed(epoch, 2));
                manual_seed(EpochSeed(epoch, 3));

                model.train();
                double lossSum = 0, lr = 0;
                int seen = 0, correct = 0, judged = 0;
                for (int step = 0; step < steps; step++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = new ArraySegment<int>(order, step * Options.BatchSize,
                        Math.Min(Options.BatchSize, order.Length - step * Options.BatchSize));
                    lr = schedule.Rate(epoch, step);
                    OptimizerFactory.SetLearningRate(optimizer, lr);
                    using (CollectionPause.Begin())
                    using (var scope = NewDisposeScope())
                    {
                        optimizer.zero_grad();
                        var result = task.Loss(batch, augmentation);
                        KernelGate.Backward(result.Loss);
                        if (Options.GradClip > 0) nn.utils.clip_grad_norm_(model.parameters(), Options.GradClip);
                        optimizer.step();
                        (task as IStepObserver)?.AfterStep(epoch, step, steps);
                        average?.Update(model);
                        lossSum += result.Loss.item<float>() * result.Samples;
                        seen += result.Samples;
                        if (result.Correct is int c) { correct += c; judged += result.Samples; }
                    }
                    var elapsed = epochClock.Elapsed;
                    progress?.Report(new TrainingProgress(epoch + 1, Options.Epochs, step + 1, steps, lossSum / seen,
                        judged > 0 ? (double)correct / judged : double.NaN, seen / elapsed.TotalSeconds,
                        Eta(trainingTime, epoch - start, elapsed, (double)(step + 1) / steps, Options.Epochs - epoch)));
                }
                double trainSeconds = epochClock.Elapsed.TotalSeconds;

                // With a weight average, the average is what gets validated and kept as the best weights; training
                // continues from the raw weights.
                average?.Swap(model);
                var validation = task.Validate(cancellationToken);
                schedule.EndEpoch(validation.Loss);
                if (validation.MayKeep) best.Update(epoch + 1, validation.Loss, model);
                average?.Swap(model);
                trainingTime += epochClock.Elapsed;

                var record = new EpochRecord(epoch + 1, lossSum / seen,
                    judged > 0 ? (double)correct / judged : double.NaN, validation.Loss, validation.Accuracy,
                    validation.Metrics, lr, epochClock.Elapsed.TotalSeconds, seen / trainSeconds);
                history.Add(record);
                Checkpoint.Save(Options.CheckpointPath, new CheckpointState(epoch + 1, configJson,
                    Options.Optimizer.ToString(), schedule.Plateau, history),
                    model, optimizer, best, task as ICheckpointedTask, average);
                CsvLog.Write(Options.CsvLogPath, history);
                events.Scalars(epoch + 1, Scalars(record));
                progress?.Report(new TrainingProgress(epoch + 1, Options.Epochs, steps, steps, record.TrainLoss,
                    record.TrainAccuracy, record.ImagesPerSecond,
                    Eta(trainingTime, epoch + 1 - start, TimeSpan.Zero, 0, Options.Epochs - epoch - 1), record));
                if (control?.AfterEpoch?.Invoke(record) == EpochDecision.Stop) stop = TrainingStop.Callback;
            }
            catch (OperationCanceledException) when (control is { KeepOnCancel: true }
                && cancellationToken.IsCancellationRequested && history.Count > 0)
            {
                // The unfinished epoch is dropped: the kept result is the finished epochs and their best weights,
                // as the checkpoint already holds them.
                stop = TrainingStop.Cancelled;
            }
        }

        best.Restore(model);
        model.eval();
        bool stoppedEarly = history.Count > 0 && history[^1].Epoch < Options.Epochs;
        return new TrainingResult(history,
            best.BestEpoch == 0 && history.Count > 0 ? history[^1].Epoch : best.BestEpoch,
            stoppedEarly, clock.Elapsed, resumedFrom) { Stop = stop };
    }

    /// <summary>A stream-specific seed for an epoch; plain arithmetic, as string or HashCode hashing differs per
    /// process.</summary>
    private int EpochSeed(int epoch, int stream) =>
        unchecked(Options.Seed * 1_000_003 + epoch * 7_919 + stream * 104_729);

    /// <summary>Remaining time from the mean of the finished epochs (or the current one's pace before the first
    /// ends).</summary>
    private static TimeSpan Eta(TimeSpan finished, int finishedEpochs, TimeSpan current, double currentFraction,
        int epochsLeft)
    {
        double perEpoch = finishedEpochs > 0 ? finished.TotalSeconds / finishedEpochs
            : currentFraction > 0 ? current.TotalSeconds / currentFraction : 0;
        return TimeSpan.FromSeconds(Math.Max(0, perEpoch * (epochsLeft - currentFraction)));
    }

    private static IEnumerable<KeyValuePair<string, double>> Scalars(EpochRecord r)
    {
        yield return new("loss/train", r.TrainLoss);
        yield return new("loss/validation", r.ValidationLoss);
        if (!double.IsNaN(r.TrainAccuracy)) yield return new("accuracy/train", r.TrainAccuracy);
        yield return new("accuracy/validation", r.ValidationAccuracy);
        foreach (var (name, value) in r.Metrics) yield return new($"metrics/{name}", value);
        yield return new("lr", r.LearningRate);
        yield return new("speed/images_per_second", r.ImagesPerSecond);
    }
}

using OcrForge.Runtime;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

public class TrainerTests
{
    private static TrainingOptions Options(string dir, int epochs = 4, bool resume = false, double ema = 0) => new()
    {
        Ema = ema,
        RunDirectory = dir,
        Epochs = epochs,
        BatchSize = 8,
        LearningRate = 3e-3,
        Patience = 0,
        Seed = 7,
        Resume = resume,
        Schedule = ScheduleKind.Cosine,
        GradClip = 5,
        Threads = 1,
    };

    private static TrainingResult Train(TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken token = default)
    {
        TorchRuntime.Seed(options.Seed);
        using var model = TinyText.Model.Build(TinyText.Charset.ClassCount);
        var (task, resources) = TinyText.Task(model, TinyText.Make(32, 1), TinyText.Make(16, 2));
        using (resources) return new Trainer(options, progress).Fit(task, token);
    }

    [Fact]
    public void Tiny_model_overfits_32_images_to_100_percent()
    {
        // Given 32 tiny text lines, trained and validated on the same images
        using var dir = new TempDir();
        TorchRuntime.Seed(3);
        using var model = TinyText.Model.Build(TinyText.Charset.ClassCount);
        var images = TinyText.Make(32, 1);
        var (task, resources) = TinyText.Task(model, images, images);
        using (resources)
        {
            // When trained until every line is read (stopping there keeps the test to seconds)
            using var done = new CancellationTokenSource();
            var progress = new SyncProgress(p => { if (p.Finished?.Metrics["sequence_accuracy"] == 1.0) done.Cancel(); });
            var options = new TrainingOptions { RunDirectory = dir.Path, Epochs = 80, BatchSize = 8, LearningRate = 1e-2, Patience = 0, Seed = 3, Threads = 1 };
            Assert.Throws<OperationCanceledException>(() => new Trainer(options, progress).Fit(task, done.Token));

            // Then the model reads every line exactly
            var result = task.Validate(CancellationToken.None);
            Assert.Equal(1.0, result.Metrics["sequence_accuracy"]);
            Assert.Equal(0.0, result.Metrics["cer"]);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_metrics()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var first = Train(Options(a.Path, epochs: 2));
        var second = Train(Options(b.Path, epochs: 2));
        Assert.Equal(first.History.Select(h => h.ValidationLoss), second.History.Select(h => h.ValidationLoss));
        Assert.Equal(first.History.Select(h => h.TrainLoss), second.History.Select(h => h.TrainLoss));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.9)]
    public void Resume_after_cancel_matches_an_uninterrupted_run(double ema)
    {
        // Given an uninterrupted 4-epoch run (with a weight average or without)
        using var full = new TempDir();
        var uninterrupted = Train(Options(full.Path, ema: ema));

        // When a second run is cancelled after epoch 2 and then resumed
        using var split = new TempDir();
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Finished?.Epoch == 2) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Train(Options(split.Path, ema: ema), progress, cancel.Token));
        Assert.Equal(2, Checkpoint.ReadState(Path.Combine(split.Path, "checkpoint.ckpt")).CompletedEpochs);
        var resumed = Train(Options(split.Path, resume: true, ema: ema));

        // Then it continues at epoch 3 and ends where the uninterrupted run ended
        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal(uninterrupted.History.Select(h => h.Epoch), resumed.History.Select(h => h.Epoch));
        Assert.Equal(uninterrupted.History.Select(h => h.ValidationLoss), resumed.History.Select(h => h.ValidationLoss));
        Assert.Equal(File.ReadAllLines(Path.Combine(full.Path, "log.csv")).Select(DropTiming), File.ReadAllLines(Path.Combine(split.Path, "log.csv")).Select(DropTiming));
    }

    [Fact]
    public void With_a_weight_average_the_average_is_validated_and_the_run_differs_from_the_raw_weights()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var raw = Train(Options(a.Path, epochs: 2));
        var averaged = Train(Options(b.Path, epochs: 2, ema: 0.9));

        // Training follows the raw weights in both runs, so the first epoch's training loss is the same;
        // what is validated differs.
        Assert.Equal(raw.History[0].TrainLoss, averaged.History[0].TrainLoss);
        Assert.NotEqual(raw.History[0].ValidationLoss, averaged.History[0].ValidationLoss);
    }

    [Fact]
    public void Early_stopping_restores_the_best_weights()
    {
        using var dir = new TempDir();
        TorchRuntime.Seed(5);
        using var model = TinyText.Model.Build(TinyText.Charset.ClassCount);
        var (task, resources) = TinyText.Task(model, TinyText.Make(32, 1), TinyText.Make(16, 2));
        using (resources)
        {
            // A learning rate this high makes validation loss bounce, so patience 1 stops early.
            var result = new Trainer(new TrainingOptions { RunDirectory = dir.Path, Epochs = 30, BatchSize = 8, LearningRate = 0.5, Optimizer = OptimizerKind.Sgd, Patience = 1, Seed = 5, Threads = 1 }).Fit(task);
            Assert.True(result.StoppedEarly);
            Assert.Equal(result.BestEpoch + 1, result.History[^1].Epoch);
            // The model now holds the best epoch's weights: its validation loss is that epoch's.
            var after = task.Validate(CancellationToken.None);
            Assert.Equal(result.Best.ValidationLoss, after.Loss, 4);
        }
    }

    [Theory]
    [InlineData(ScheduleKind.Cosine)]
    [InlineData(ScheduleKind.OneCycle)]
    public void Schedules_start_peak_and_end_where_documented(ScheduleKind kind)
    {
        var s = new LearningRateSchedule(kind, 0.01, epochs: 10, stepsPerEpoch: 10);
        double first = s.Rate(0, 0), last = s.Rate(9, 9);
        double peak = Enumerable.Range(0, 100).Max(i => s.Rate(i / 10, i % 10));
        Assert.Equal(0.01, peak, 6);
        Assert.True(last < 1e-5, $"last {last}");
        Assert.Equal(kind == ScheduleKind.OneCycle ? 0.01 / 25 : 0.01, first, 6);
    }

    [Fact]
    public void Plateau_schedule_decays_after_patience_epochs_without_improvement()
    {
        var s = new LearningRateSchedule(ScheduleKind.Plateau, 0.01, 10, 10);
        s.EndEpoch(1.0);
        for (int i = 0; i < LearningRateSchedule.PlateauPatience; i++) s.EndEpoch(2.0);
        Assert.Equal(0.002, s.Rate(5, 0), 9);
    }

    private static string DropTiming(string csvLine) => string.Join(',', csvLine.Split(',')[..^2]);
}

public class CheckpointTests
{
    [Fact]
    public void Resuming_with_another_model_or_optimizer_is_a_one_line_error_naming_the_checkpoint()
    {
        using var dir = new TempDir();
        var options = new TrainingOptions { RunDirectory = dir.Path, Epochs = 1, BatchSize = 8, Patience = 0, Seed = 1, Threads = 1 };
        Fit(options, TinyText.Model);

        var otherOptimizer = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => Fit(options with { Resume = true, Epochs = 2, Optimizer = OptimizerKind.Sgd }, TinyText.Model));
        Assert.Contains("checkpoint.ckpt: checkpoint was trained with --optimizer adam", otherOptimizer.Message);
        var otherModel = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => Fit(options with { Resume = true, Epochs = 2 }, TinyText.Model with { RnnHidden = [8] }));
        Assert.Contains("checkpoint is of a different model", otherModel.Message);

        var withAverage = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => Fit(options with { Resume = true, Epochs = 2, Ema = 0.99 }, TinyText.Model));
        Assert.Contains("checkpoint is of a run without --ema", withAverage.Message);

        File.WriteAllText(options.CheckpointPath, "garbage");
        var damaged = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => Fit(options with { Resume = true, Epochs = 2 }, TinyText.Model));
        Assert.Contains("not a training checkpoint", damaged.Message);
    }

    private static void Fit(TrainingOptions options, OcrForge.Models.CrnnConfig config)
    {
        OcrForge.Runtime.TorchRuntime.Seed(1);
        using var model = config.Build(TinyText.Charset.ClassCount);
        var (task, resources) = TinyText.Task(model, TinyText.Make(16, 1), TinyText.Make(8, 2));
        using (resources) new Trainer(options).Fit(task);
    }
}

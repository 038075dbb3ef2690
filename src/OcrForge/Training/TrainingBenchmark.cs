using System.Diagnostics;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>Training throughput of the full pipeline next to a bare TorchSharp loop over the same model and
/// images.</summary>
public sealed record TrainingBenchmarkResult(
    string Preset,
    int Images,
    int BatchSize,
    int Threads,
    long Parameters,
    double BareImagesPerSecond,
    double PipelineStepImagesPerSecond,
    double PipelineEpochImagesPerSecond)
{
    /// <summary>How much slower the pipeline's training steps are than the bare loop (0.03 = 3 %).</summary>
    public double StepOverhead => 1 - PipelineStepImagesPerSecond / BareImagesPerSecond;

    /// <summary>The files of the data that could not be read or decoded, each with why; not trained on.</summary>
    public IReadOnlyList<DataProblem> Problems { get; init; } = [];

    public int Skipped => Problems.Count;
}

/// <summary>
/// Measures, in one process on the same decoded images: (1) a bare loop — pre-built batch tensors, forward,
/// log_softmax, ctc_loss, backward, Adam step, nothing else; (2) <see cref="Trainer"/> with
/// <see cref="CtcTrainingTask"/> — batch gathering, training accuracy, progress, and per epoch validation (on a tenth
/// of the images), checkpoint and logs. Each runs one warm-up epoch first (libtorch allocates and picks kernels on
/// first use); the second epoch is timed.
/// </summary>
public static class TrainingBenchmark
{
    public static TrainingBenchmarkResult Run(string data, string preset,
        IReadOnlyList<KeyValuePair<string, string>> overrides, int batchSize, int? threads, string runDirectory,
        IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.Initialize(threads);
        var config = ModelRegistry.Create(preset, overrides) as CrnnConfig
            ?? throw new OcrForgeException($"--preset {preset}: bench train measures CTC presets");
        // Read and decoded as training does; the benchmark times every image, so the split is not used.
        var key = new DataKey(data, DatasetFormat.Auto, config.Input, CtcTraining.SplitOf(new TrainingOptions()));
        var (samples, problems) = PreparedData.TextSamples(key, config, null, cancellationToken);
        var charset = Charset.FromLabels(samples.Select(s => s.Label), hasBlank: true);
        var spec = CtcTraining.Standardize(samples, config);
        using var batches = new ImageBatches(samples, spec, null);

        log?.Report("bare TorchSharp loop");
        TorchRuntime.Seed(1);
        double bare;
        using (var model = config.Build(charset.ClassCount))
            bare = BareLoop(model, batches, samples.Select(s => charset.Encode(s.Label)).ToArray(), batchSize,
                cancellationToken);

        log?.Report("OcrForge pipeline");
        TorchRuntime.Seed(1);
        using var pipelineModel = config.Build(charset.ClassCount);
        // Validation as in a default run: a tenth of the images (every tenth one).
        using var validation = new ImageBatches(samples.Where((_, i) => i % 10 == 0).ToList(), spec, null);
        var task = new CtcTrainingTask(pipelineModel, charset, batches, validation);
        var options = new TrainingOptions
        {
            RunDirectory = runDirectory, Epochs = 2, BatchSize = batchSize, Patience = 0, Threads = threads,
        };
        var epoch = new Trainer(options).Fit(task, cancellationToken).History[^1];

        return new TrainingBenchmarkResult(preset, samples.Count, batchSize, get_num_threads(),
            pipelineModel.ParameterCount(), bare, epoch.ImagesPerSecond, samples.Count / epoch.Seconds)
        {
            Problems = problems,
        };
    }

    private static double BareLoop(OcrModule model, ImageBatches images, int[][] targets, int batchSize,
        CancellationToken cancellationToken)
    {
        var inputs = new List<(Tensor X, Tensor Targets, Tensor InputLengths, Tensor TargetLengths)>();
        using var keep = NewDisposeScope();
        for (int start = 0; start < images.Count; start += batchSize)
        {
            var idx = Enumerable.Range(start, Math.Min(batchSize, images.Count - start)).ToList();
            var batchTargets = idx.Select(i => targets[i]).ToList();
            inputs.Add((images.Get(idx, null),
                tensor(batchTargets.SelectMany(t => t).Select(c => (long)c).ToArray()),
                images.Frames(idx) is { } frames ? tensor(frames.Select(f => (long)f).ToArray())
                    : full([idx.Count], ((CrnnConfig)model.Config).TimeSteps, dtype: ScalarType.Int64),
                tensor(batchTargets.Select(t => (long)t.Length).ToArray())));
        }
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        model.train();
        var clock = new Stopwatch();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            if (epoch == 1) clock.Start();
            foreach (var (x, y, inputLengths, targetLengths) in inputs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var logProbs = model.forward(x).log_softmax(2).permute(1, 0, 2);
                KernelGate.Backward(
                    nn.functional.ctc_loss(logProbs, y, inputLengths, targetLengths, zero_infinity: true));
                optimizer.step();
            }
        }
        return images.Count / clock.Elapsed.TotalSeconds;
    }
}

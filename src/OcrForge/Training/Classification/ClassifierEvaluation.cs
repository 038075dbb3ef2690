using System.Diagnostics;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

namespace OcrForge.Training.Classification;

/// <summary>Metrics of a classifier on labelled images, and how fast the engine ran them.</summary>
public sealed record ClassifierEvaluationResult(
    ClassificationMetrics Metrics, double ImagesPerSecond, TimeSpan Elapsed);

/// <summary>
/// Evaluates any classifier engine (TorchSharp .ocrf or ONNX) on decoded images: preprocessing is the model's own,
/// exactly as <see cref="CharacterClassifier"/> runs it, and the clock covers preprocessing plus inference.
/// </summary>
public static class ClassifierEvaluation
{
    public static ClassifierEvaluationResult Evaluate(IOcrEngine engine, IReadOnlyList<LabeledImage> images,
        int batchSize = 256, CancellationToken cancellationToken = default)
    {
        if (engine.Info.Task != OcrTask.Classification)
            throw new OcrForgeException($"{engine.Name}: model is a text recogniser, not a character classifier");
        var spec = engine.Info.Preprocess;
        var metrics = new ClassificationMetrics(engine.Info.Charset.Symbols);
        int size = spec.Width * spec.Height;
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < images.Count; start += batchSize)
        {
            var batch = images.Skip(start).Take(batchSize).ToList();
            var input = new float[batch.Count * size];
            Parallel.For(0, batch.Count,
                i => Preprocessor.ToTensor(batch[i].Image, spec, input.AsSpan(i * size, size)));
            var output = engine.Run(input, batch.Count, cancellationToken);
            metrics.AddBatch(batch.Select(b => b.Class).ToArray(), output.Data);
        }
        clock.Stop();
        return new ClassifierEvaluationResult(metrics, images.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
            clock.Elapsed);
    }
}

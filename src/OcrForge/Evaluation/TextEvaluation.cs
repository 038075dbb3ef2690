using System.Diagnostics;
using System.Text.Json.Serialization;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Training;

namespace OcrForge.Evaluation;

/// <summary>A text recogniser's decoded line that differs from its label.</summary>
public sealed record TextMistake(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("expected")] string Expected,
    [property: JsonPropertyName("predicted")] string Predicted,
    [property: JsonPropertyName("confidence")] double Confidence);

/// <summary>
/// What <see cref="TextEvaluation.Run"/> measured. <see cref="ImagesPerSecond"/> counts preprocessing, the forward
/// pass and decoding of already-decoded images (file reading and PNG decoding excluded).
/// </summary>
public sealed record TextEvaluationResult(
    string Data,
    TextMetrics Metrics,
    double ImagesPerSecond,
    IReadOnlyList<TextMistake> Mistakes,
    IReadOnlyList<Confusion> TopConfusions,
    IReadOnlyList<DataProblem> Problems,
    string UnknownSymbols);

/// <summary>A text recogniser (greedy, beam or lexicon decoding, as set on it) over a whole labelled dataset.</summary>
public static class TextEvaluation
{
    public const int MistakesKept = 10;
    public const int ConfusionsKept = 10;

    public static TextEvaluationResult Run(TextRecognizer recognizer, Dataset dataset,
        CancellationToken cancellationToken = default)
    {
        var decoded = DatasetDecoder.Decode(dataset);
        var samples = decoded.Samples;
        var metrics = new TextMetrics();
        var mistakes = new List<TextMistake>();
        var clock = Stopwatch.StartNew();
        var predictions = recognizer.PredictAll([.. samples.Select(s => s.Image)],
            cancellationToken: cancellationToken);
        clock.Stop();
        for (int i = 0; i < samples.Count; i++)
        {
            var (sample, read) = (samples[i], predictions[i]);
            metrics.Add(read.Text, sample.Label);
            if (read.Text != sample.Label && mistakes.Count < MistakesKept)
                mistakes.Add(new TextMistake(sample.Path, sample.Label, read.Text, read.Confidence));
        }
        // A label symbol the model cannot emit makes every line holding it a mistake, whatever the model learnt.
        var unknown = string.Concat(samples.SelectMany(s => s.Label.EnumerateSymbols()).Distinct()
            .Where(s => !recognizer.Info.Charset.Contains(s)));
        return new TextEvaluationResult(dataset.Source, metrics,
            Math.Round(samples.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), 1),
            mistakes, metrics.TopConfusions(ConfusionsKept), decoded.Problems, unknown);
    }
}

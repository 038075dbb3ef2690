using OcrForge.Compression.Pruning;
using OcrForge.Compression.Quantization;

namespace OcrForge.Cli.Commands;

/// <summary>The <c>--json</c> documents of <c>prune</c> and <c>quantize</c> (docs/cli-json.md).</summary>
public static class CompressionJson
{
    public static object Prune(PruneOutcome outcome, string method, string source, string target) => new
    {
        model = source,
        @out = target,
        method,
        metric = outcome.MetricName,
        before = outcome.Before,
        after = outcome.After,
        evaluated_images = outcome.EvaluatedSamples,
        parameters_before = outcome.ParametersBefore,
        parameters_after = outcome.ParametersAfter,
        overall_sparsity = outcome.Channels.Count > 0 ? (double?)null : MagnitudePruner.Overall(outcome.Layers),
        layers = outcome.Layers.Select(l => new { l.Name, l.Total, l.Zeros, l.Sparsity }),
        channels = outcome.Channels.Select(c => new { c.Layer, c.Before, c.After }),
        bytes_before = new FileInfo(source).Length,
        bytes_after = new FileInfo(target).Length,
        best_epoch = outcome.Training.BestEpoch,
        epochs = TrainingJson.Epochs(outcome.Training.History),
        skipped = outcome.Problems.Count,
        advice = outcome.Advice,
    };

    /// <param name="heldOut">fp32 and int8 accuracy on --eval-data, when given.</param>
    public static object Quantize(QuantizationResult result, string source, string target, string calibratedOn,
        long floatBytes, (string Data, int Images, double Fp32, double Int8)? heldOut) => new
    {
        model = source,
        @out = target,
        bytes = new FileInfo(target).Length,
        fp32_onnx_bytes = floatBytes,
        calibration_images = result.CalibrationImages,
        calibrated_on = calibratedOn,
        agreement = result.Agreement,
        layers = result.Layers,
        held_out = heldOut is { } h
            ? new { data = h.Data, images = h.Images, fp32_accuracy = h.Fp32, int8_accuracy = h.Int8 }
            : null,
    };
}

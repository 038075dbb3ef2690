using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;

namespace OcrForge.Compression.Quantization;

/// <summary>When recurrent layers are quantized.</summary>
public enum RecurrentPolicy
{
    /// <summary>Each LSTM layer is tried in int8 and kept only if predictions still agree with the float model.</summary>
    Auto,
    Int8,
    Float,
}

public sealed record QuantizationOptions
{
    public int CalibrationBatches { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    public bool PerChannel { get; init; }
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.MinMax;
    public double Percentile { get; init; } = 99.99;
    public RecurrentPolicy Recurrent { get; init; } = RecurrentPolicy.Auto;
    /// <summary>Auto policy: the least share of calibration images whose prediction must match the float model's.</summary>
    public double MinAgreement { get; init; } = 0.99;
}

/// <summary>What became of one layer, and the evidence for it.</summary>
public sealed record LayerChoice(string Layer, string Op, string Precision, string Reason);

public sealed record QuantizationResult(OnnxModel Model, IReadOnlyList<LayerChoice> Layers, int CalibrationImages, double Agreement);

/// <summary>
/// Post-training static int8: exports the float graph, calibrates activation ranges on real images preprocessed
/// exactly as at inference, rewrites Conv/Gemm/MatMul into QDQ form, then decides per LSTM layer between int8
/// (DynamicQuantizeLSTM) and float by measuring agreement with the float model's predictions on the calibration images.
/// </summary>
public static class Int8Quantizer
{
    public static QuantizationResult Quantize(TrainedModel model, IReadOnlyList<GrayImage> images, QuantizationOptions options)
    {
        int count = Math.Min(images.Count, options.CalibrationBatches * options.BatchSize);
        if (count == 0) throw new OcrForgeException("quantize: no calibration images");
        var calibration = images.Take(count).ToList();
        var spec = model.Manifest.Preprocess;
        var batches = calibration.Chunk(options.BatchSize)
            .Select(chunk => (Batch.Preprocess(chunk, spec), chunk.Length)).ToList();

        var floatModel = OnnxExporter.Export(model);
        var ranges = Calibrator.Collect(floatModel, QdqRewriter.ActivationsToCalibrate(floatModel.Graph), batches, options.Calibration, options.Percentile);
        var reference = Predict(floatModel, calibration);

        var layers = new List<LayerChoice>();
        var int8Lstms = new HashSet<string>();
        double agreement = Agreement(reference, Predict(QdqRewriter.Rewrite(floatModel, ranges, options.PerChannel, int8Lstms), calibration));
        foreach (var node in floatModel.Graph.Nodes)
        {
            switch (node.OpType)
            {
                case "Conv" or "Gemm" or "MatMul":
                    layers.Add(new LayerChoice(node.Name, node.OpType, "int8", $"static QDQ, {options.Calibration.ToString().ToLowerInvariant()} calibration"));
                    break;
                case "GRU":
                    layers.Add(new LayerChoice(node.Name, "GRU", "float", "ONNX Runtime has no int8 GRU kernel"));
                    break;
                case "LSTM" when options.Recurrent == RecurrentPolicy.Float:
                    layers.Add(new LayerChoice(node.Name, "LSTM", "float", "--recurrent float"));
                    break;
                case "LSTM":
                    var candidate = new HashSet<string>(int8Lstms) { node.Name };
                    double withLayer = Agreement(reference, Predict(QdqRewriter.Rewrite(floatModel, ranges, options.PerChannel, candidate), calibration));
                    bool keep = options.Recurrent == RecurrentPolicy.Int8 || withLayer >= options.MinAgreement;
                    if (keep) { int8Lstms.Add(node.Name); agreement = withLayer; }
                    layers.Add(new LayerChoice(node.Name, "LSTM", keep ? "int8" : "float",
                        $"DynamicQuantizeLSTM agreement {withLayer:P1} vs float {(keep ? "≥" : "<")} {options.MinAgreement:P0}"));
                    break;
            }
        }
        var quantized = QdqRewriter.Rewrite(floatModel, ranges, options.PerChannel, int8Lstms);
        return new QuantizationResult(quantized, layers, count, agreement);
    }

    /// <summary>Share of images on which two prediction lists agree.</summary>
    public static double Agreement(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == 0 ? 1 : a.Zip(b, (x, y) => x == y ? 1.0 : 0.0).Average();

    /// <summary>Decoded text (text models) or top-1 class (classifiers) of each image, run with ONNX Runtime.</summary>
    public static IReadOnlyList<string> Predict(OnnxModel model, IReadOnlyList<GrayImage> images)
    {
        var engine = new OnnxEngine(OnnxWriter.Serialize(model), "quantization candidate", threads: null);
        if (engine.Info.Task == OcrTask.TextRecognition)
        {
            using var recognizer = new TextRecognizer(engine);
            return recognizer.PredictBatch(images).Select(p => p.Text).ToList();
        }
        using var classifier = new CharacterClassifier(engine);
        return classifier.PredictBatch(images).Select(p => p[0].Label).ToList();
    }
}

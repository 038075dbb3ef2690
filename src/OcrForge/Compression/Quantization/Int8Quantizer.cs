using OcrForge.Data;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;

namespace OcrForge.Compression.Quantization;

/// <summary>When recurrent layers are quantized.</summary>
public enum RecurrentPolicy
{
    /// <summary>Each LSTM layer is tried in int8 and kept only if predictions still agree with the float
    /// model.</summary>
    Auto,
    Int8,
    Float,
}

/// <summary>How one recurrent layer is stored and run.</summary>
public enum RecurrentPrecision
{
    Float,
    /// <summary>int8 weights in the file, dequantized once and run in float: 4× smaller, same speed.</summary>
    Int8Weights,
    /// <summary>ONNX Runtime's DynamicQuantizeLSTM: int8 weights and int8 matrix products, activations quantized per
    /// step.</summary>
    Int8Dynamic,
}

public sealed record QuantizationOptions
{
    public int CalibrationBatches { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    public bool PerChannel { get; init; }
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.MinMax;
    public double Percentile { get; init; } = 99.99;
    public RecurrentPolicy Recurrent { get; init; } = RecurrentPolicy.Auto;
    /// <summary>
    /// Auto policy: how much a recurrent layer in int8 may lower the share of calibration images whose prediction
    /// matches the float model's, measured against the graph without that layer in int8 (so the layer is judged by
    /// its own effect, not by what the convolutions already cost).
    /// </summary>
    public double MaxAgreementDrop { get; init; } = 0.01;
    /// <summary>Threads of the ONNX Runtime sessions that calibrate and compare the candidates; null = all
    /// cores.</summary>
    public int? Threads { get; init; }
}

/// <summary>What became of one layer, and the evidence for it.</summary>
public sealed record LayerChoice(string Layer, string Op, string Precision, string Reason);

public sealed record QuantizationResult(OnnxModel Model, IReadOnlyList<LayerChoice> Layers, int CalibrationImages,
    double Agreement);

/// <summary>
/// Post-training static int8: exports the float graph, calibrates activation ranges on real images preprocessed
/// exactly as at inference, rewrites Conv/Gemm/MatMul into QDQ form, then decides per LSTM layer between int8
/// (DynamicQuantizeLSTM) and float by measuring agreement with the float model's predictions on the calibration images.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>
    /// A dataset's images decoded at the model's input size, in a seeded random order, so that the first
    /// CalibrationBatches × BatchSize of them are a reproducible sample of the whole set rather than its first folder.
    /// </summary>
    public static GrayImage[] CalibrationImages(Dataset dataset, PreprocessSpec spec, int seed) =>
        CalibrationImages((spec.VariableWidth ? DatasetDecoder.Decode(dataset, spec)
            : DatasetDecoder.Decode(dataset, spec.Width, spec.Height)).Samples.Select(s => s.Image), seed);

    /// <summary>Already decoded images (any size: calibration preprocesses them as inference does) in a seeded random
    /// order.</summary>
    public static GrayImage[] CalibrationImages(IEnumerable<GrayImage> images, int seed)
    {
        var shuffled = images.ToArray();
        new Random(seed).Shuffle(shuffled);
        return shuffled;
    }

    public static QuantizationResult Quantize(TrainedModel model, IReadOnlyList<GrayImage> images,
        QuantizationOptions options)
    {
        int count = Math.Min(images.Count, options.CalibrationBatches * options.BatchSize);
        if (count == 0) throw new OcrForgeException("quantize: no calibration images");
        var calibration = images.Take(count).ToList();
        var spec = model.Manifest.Preprocess;
        var batches = calibration.Chunk(options.BatchSize)
            .Select(chunk => (Batch.Preprocess(chunk, spec), chunk.Length)).ToList();

        var floatModel = OnnxExporter.Export(model);
        var ranges = Calibrator.Collect(floatModel, QdqRewriter.ActivationsToCalibrate(floatModel.Graph), batches,
            options.Calibration, options.Percentile, options.Threads);
        var reference = Predict(floatModel, calibration, options.Threads);

        var layers = new List<LayerChoice>();
        var recurrent = new Dictionary<string, RecurrentPrecision>();
        double agreement = Agreement(reference,
            Predict(QdqRewriter.Rewrite(floatModel, ranges, options.PerChannel, recurrent), calibration,
                options.Threads));
        foreach (var node in floatModel.Graph.Nodes)
        {
            if (node.OpType is "Conv" or "Gemm" or "MatMul")
            {
                layers.Add(new LayerChoice(node.Name, node.OpType, "int8",
                    $"static QDQ, {options.Calibration.ToString().ToLowerInvariant()} calibration"));
                continue;
            }
            if (node.OpType is not ("LSTM" or "GRU")) continue;
            if (options.Recurrent == RecurrentPolicy.Float)
            {
                layers.Add(new LayerChoice(node.Name, node.OpType, "float", "--recurrent float"));
                continue;
            }
            // Strongest first: int8 compute (LSTM only: ONNX Runtime has no int8 GRU kernel), then int8 storage.
            RecurrentPrecision[] tries = node.OpType == "LSTM"
                ? [RecurrentPrecision.Int8Dynamic, RecurrentPrecision.Int8Weights]
                : [RecurrentPrecision.Int8Weights];
            var evidence = new List<string>();
            var chosen = RecurrentPrecision.Float;
            double before = agreement;
            foreach (var precision in tries)
            {
                var candidate = new Dictionary<string, RecurrentPrecision>(recurrent) { [node.Name] = precision };
                double withLayer = Agreement(reference,
                    Predict(QdqRewriter.Rewrite(floatModel, ranges, options.PerChannel, candidate), calibration,
                        options.Threads));
                evidence.Add($"{Describe(precision)}: {withLayer:P1}");
                if (options.Recurrent == RecurrentPolicy.Int8 || agreement - withLayer <= options.MaxAgreementDrop)
                {
                    chosen = precision;
                    agreement = withLayer;
                    break;
                }
            }
            if (chosen != RecurrentPrecision.Float) recurrent[node.Name] = chosen;
            layers.Add(new LayerChoice(node.Name, node.OpType, Describe(chosen),
                $"agreement with fp32 {before:P1} before; {string.Join("; ", evidence)} "
                + $"(allowed drop {options.MaxAgreementDrop:P0})"));
        }
        var quantized = QdqRewriter.Rewrite(floatModel, ranges, options.PerChannel, recurrent);
        return new QuantizationResult(quantized, layers, count, agreement);
    }

    private static string Describe(RecurrentPrecision precision) => precision switch
    {
        RecurrentPrecision.Int8Dynamic => "int8",
        RecurrentPrecision.Int8Weights => "int8 weights, float compute",
        _ => "float",
    };

    /// <summary>Share of images on which two prediction lists agree (with labels as one list: accuracy).</summary>
    public static double Agreement(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == 0 ? 1 : a.Zip(b, (x, y) => x == y ? 1.0 : 0.0).Average();

    /// <summary>Decoded text (text models) or top-1 class (classifiers) of each image, run with ONNX Runtime.</summary>
    public static IReadOnlyList<string> Predict(OnnxModel model, IReadOnlyList<GrayImage> images, int? threads = null)
    {
        var engine = new OnnxEngine(OnnxWriter.Serialize(model), "quantization candidate", threads);
        if (engine.Info.Task == OcrTask.TextRecognition)
        {
            using var recognizer = new TextRecognizer(engine);
            return recognizer.PredictAll(images).Select(p => p.Text).ToList();
        }
        using var classifier = new CharacterClassifier(engine);
        return classifier.PredictBatch(images).Select(p => p[0].Label).ToList();
    }
}

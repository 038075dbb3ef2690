using OcrForge.Data;
using OcrForge.Export;
using OcrForge.IO;

namespace OcrForge.Compression.Quantization;

/// <summary>
/// The fp32 and int8 models' accuracy on labelled images kept out of calibration: what quantization cost on data
/// neither step has seen.
/// </summary>
public sealed record HeldOutAccuracy(string Data, int Images, double Fp32, double Int8,
    IReadOnlyList<DataProblem> Problems)
{
    /// <summary>Measures the trained (fp32) model and its quantized graph on the labelled images of
    /// <paramref name="data"/>, decoded as the model's preprocessing expects.</summary>
    public static HeldOutAccuracy Measure(TrainedModel trained, OnnxModel int8, string data, DatasetFormat format,
        int? threads = null)
    {
        var spec = trained.Manifest.Preprocess;
        var dataset = DatasetReader.Read(data, format);
        var decoded = spec.VariableWidth ? DatasetDecoder.Decode(dataset, spec)
            : DatasetDecoder.Decode(dataset, spec.Width, spec.Height);
        var truth = decoded.Samples.Select(s => s.Label).ToList();
        var images = decoded.Samples.Select(s => s.Image).ToList();
        double fp32 = Int8Quantizer.Agreement(truth,
            Int8Quantizer.Predict(OnnxExporter.Export(trained), images, threads));
        double int8Accuracy = Int8Quantizer.Agreement(truth, Int8Quantizer.Predict(int8, images, threads));
        return new(data, decoded.Samples.Count, fp32, int8Accuracy, decoded.Problems);
    }
}

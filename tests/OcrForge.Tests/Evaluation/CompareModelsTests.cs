using System.Globalization;
using System.Text.Json;
using OcrForge.Compression.Pruning;
using OcrForge.Compression.Quantization;
using OcrForge.Data;
using OcrForge.Evaluation;
using OcrForge.Export;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Runtime;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Compression;
using OcrForge.Tests.Training;
using OcrForge.Training;

namespace OcrForge.Tests.Evaluation;

/// <summary>Serial: building the tiny models draws from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class CompareModelsTests
{
    /// <summary>
    /// A dense tiny CRNN without BatchNorm (so the ONNX file stores exactly the module's parameters), the same model
    /// with half of every weight tensor zeroed, and the pruned one exported to ONNX.
    /// </summary>
    internal static (string Dense, string Pruned, string Onnx, long PrunedZeros) TextModels(TempDir dir, string data)
    {
        var samples = DatasetDecoder.Decode(DatasetReader.Read(data)).Samples;
        var config = TinyText.Model with { BatchNorm = false };
        TorchRuntime.Seed(4);
        using var model = TrainedModel.Create(config, TinyText.Charset, CtcTraining.Standardize(samples, config));
        model.Save(dir.File("dense.ocrf"));
        var pruner = new MagnitudePruner(model.Module);
        pruner.Apply(0.5);
        model.Save(dir.File("pruned.ocrf"));
        OnnxWriter.Save(dir.File("pruned.onnx"), OnnxExporter.Export(model));
        long zeros = pruner.Measure().Sum(l => l.Zeros);
        return (dir.File("dense.ocrf"), dir.File("pruned.ocrf"), dir.File("pruned.onnx"), zeros);
    }

    [Fact]
    public void Text_models_get_weights_sizes_metrics_speed_and_ratios_to_the_first()
    {
        // Given a dense model, its pruned copy and that copy in ONNX, on 12 labelled text lines
        using var dir = new TempDir();
        var data = PruningTests.WriteTextData(dir.File("data"), TinyText.Make(12, 1));
        var (dense, pruned, onnx, zeros) = TextModels(dir, data);

        // When they are compared
        var result = ModelComparison.Run(new ComparisonRequest
        {
            Models = [dense, pruned, onnx], Data = data, Threads = 1, Seconds = 0.01,
        });

        // Then every model is measured on the same 12 images, the first is the baseline
        Assert.Equal("text_recognition", result.Task);
        Assert.Equal(12, result.Samples);
        Assert.Equal(dense, result.Baseline);
        Assert.Equal("sequence_accuracy", result.HeadlineMetric);
        Assert.Empty(result.Failures);
        var (b, p, o) = (result.Models[0], result.Models[1], result.Models[2]);
        Assert.Equal(["torch", "torch", "onnx"], result.Models.Select(m => m.Engine));
        // the weights: the same count in all three files; pruning zeroed what the pruner says it zeroed, and the
        // ONNX file holds exactly the pruned weights
        Assert.Equal(b.Parameters, p.Parameters);
        Assert.Equal(p.Parameters, o.Parameters);
        Assert.Equal(b.NonZeroParameters - zeros, p.NonZeroParameters);
        Assert.Equal(p.NonZeroParameters, o.NonZeroParameters);
        // the sizes are the files' and gzip's; zeros compress
        foreach (var m in result.Models)
        {
            Assert.Equal(new FileInfo(m.Model).Length, m.FileBytes);
            Assert.Equal(Pruning.CompressedSize(m.Model), m.GzipBytes);
            Assert.Equal(["sequence_accuracy", "character_accuracy", "cer"], m.Metrics.Keys);
            Assert.Equal(m.Metrics["sequence_accuracy"], m.Accuracy);
            Assert.True(m.LatencyP50Ms > 0 && m.LatencyP99Ms >= m.LatencyP50Ms && m.ImagesPerSecond > 0);
        }
        Assert.True(p.GzipBytes < b.GzipBytes, $"{p.GzipBytes} vs {b.GzipBytes}");
        // the same weights on both engines read the same text
        Assert.Equal(p.Metrics, o.Metrics);
        // and the ratios are to the baseline
        Assert.Equal((1.0, 1.0, 1.0, 1.0, 0.0),
            (b.SizeRatio, b.GzipRatio, b.Speedup, b.ThroughputRatio, b.AccuracyDeltaPoints));
        foreach (var m in result.Models)
        {
            Assert.Equal((double)m.FileBytes / b.FileBytes, m.SizeRatio);
            Assert.Equal((double)m.GzipBytes / b.GzipBytes, m.GzipRatio);
            Assert.Equal(b.LatencyP50Ms / m.LatencyP50Ms, m.Speedup);
            Assert.Equal(m.ImagesPerSecond / b.ImagesPerSecond, m.ThroughputRatio);
            Assert.Equal(Math.Round((m.Accuracy - b.Accuracy) * 100, 6), m.AccuracyDeltaPoints);
        }

        // The JSON, CSV and Markdown files carry the same numbers under stable names
        var files = ComparisonReport.Write(result, dir.File("report"));
        using var json = JsonDocument.Parse(File.ReadAllText(files[0]));
        var root = json.RootElement;
        Assert.Equal(dense, root.GetProperty("baseline").GetString());
        Assert.Equal(12, root.GetProperty("samples").GetInt32());
        Assert.Equal(0, root.GetProperty("failures").GetArrayLength());
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        var second = root.GetProperty("models")[1];
        Assert.Equal(p.NonZeroParameters, second.GetProperty("non_zero_parameters").GetInt64());
        Assert.Equal(p.GzipRatio, second.GetProperty("gzip_ratio").GetDouble());
        Assert.Equal(p.Speedup, second.GetProperty("speedup").GetDouble());
        Assert.Equal(p.ThroughputRatio, second.GetProperty("throughput_ratio").GetDouble());
        Assert.Equal(p.AccuracyDeltaPoints, second.GetProperty("accuracy_delta_points").GetDouble());
        Assert.Equal(p.LatencyP99Ms, second.GetProperty("latency_p99_ms").GetDouble());
        Assert.Equal(p.Metrics["cer"], second.GetProperty("metrics").GetProperty("cer").GetDouble());
        var csv = File.ReadAllLines(files[1]);
        Assert.Equal(4, csv.Length);
        int sizeColumn = Array.IndexOf(csv[0].Split(','), "size_ratio");
        Assert.Equal(o.SizeRatio, double.Parse(csv[3].Split(',')[sizeColumn], CultureInfo.InvariantCulture));
        Assert.Contains("| pruned.onnx | onnx |", File.ReadAllText(files[2]));
        Assert.Empty(Directory.GetFiles(dir.File("report"), "*.tmp"));
    }

    [Fact]
    public void Classifiers_get_top1_and_top3_and_int8_files_count_weights_not_quantization_scales()
    {
        // Given a tiny CNN classifier (with BatchNorm), its fp32 ONNX export and an int8 quantization
        using var dir = new TempDir();
        string[] names = ["a", "b", "c", "d"];
        var images = TinyCharacters.Make(perClass: 3, seed: 2);
        for (int i = 0; i < images.Count; i++)
        {
            var folder = Directory.CreateDirectory(dir.File(Path.Combine("data", names[images[i].Class]))).FullName;
            ImageWriter.WritePng(images[i].Image, Path.Combine(folder, $"{i}.png"));
        }
        TorchRuntime.Seed(3);
        var charset = new Charset(names, hasBlank: false);
        using (var model = TrainedModel.Create(TinyCharacters.TinyCnn, charset, TinyCharacters.Spec))
        {
            model.Save(dir.File("c.ocrf"));
            OnnxWriter.Save(dir.File("c.onnx"), OnnxExporter.Export(model));
            var calibration = images.Select(x => x.Image).ToList();
            var quantized = Int8Quantizer.Quantize(model, calibration, new QuantizationOptions { PerChannel = true });
            OnnxWriter.Save(dir.File("c.int8.onnx"), quantized.Model);
        }

        var result = ModelComparison.Run(new ComparisonRequest
        {
            Models = [dir.File("c.ocrf"), dir.File("c.onnx"), dir.File("c.int8.onnx")], Data = dir.File("data"),
            Format = DatasetFormat.Folders, Threads = 1, Seconds = 0.01,
        });

        Assert.Equal("classification", result.Task);
        Assert.Equal("top1_accuracy", result.HeadlineMetric);
        Assert.Equal(images.Count, result.Samples);
        var (torch, fp32, int8) = (result.Models[0], result.Models[1], result.Models[2]);
        foreach (var m in result.Models)
        {
            Assert.Equal(["top1_accuracy", "top3_accuracy"], m.Metrics.Keys);
            Assert.InRange(m.Metrics["top3_accuracy"], m.Metrics["top1_accuracy"], 1);
        }
        // The export folds each BatchNorm (γ and β per channel) into a conv bias (one per channel): 8 + 16 fewer.
        Assert.Equal(torch.Parameters - (8 + 16), fp32.Parameters);
        // int8 stores the same weights (int8 kernels, int32 biases); its scales and zero points are not weights.
        Assert.Equal(fp32.Parameters, int8.Parameters);
        Assert.True(int8.FileBytes < fp32.FileBytes);
        Assert.Equal(torch.Metrics, fp32.Metrics);
    }

    [Fact]
    public void Accuracy_differences_are_whole_points_when_whole_images_differ()
    {
        Assert.NotEqual(-1.0, (0.94 - 0.95) * 100);
        Assert.Equal(-1.0, ModelComparison.Points(0.94 - 0.95));
        Assert.Equal(0.25, ModelComparison.Points(0.9575 - 0.955));
    }

    [Fact]
    public void Models_of_different_charsets_are_one_error_naming_both()
    {
        var spec = new PreprocessSpec(32, 16);
        var a = new ModelInfo(OcrTask.TextRecognition, new Charset(["a", "b"], hasBlank: true), spec);
        var b = new ModelInfo(OcrTask.TextRecognition, new Charset(["a", "c"], hasBlank: true), spec);

        var error = Assert.Throws<OcrForgeException>(() => ModelComparison.CheckComparable("a.ocrf", a, "b.onnx", b));

        Assert.Equal("a.ocrf and b.onnx have different charsets ('ab' vs 'ac'): compare models of one charset",
            error.Message);
        ModelComparison.CheckComparable("a.ocrf", a, "a.onnx", a with { });
    }
}

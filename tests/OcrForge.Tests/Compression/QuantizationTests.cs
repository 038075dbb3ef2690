using OcrForge.Compression.Quantization;
using OcrForge.Export;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.Tests.Export;

namespace OcrForge.Tests.Compression;

public class QuantizationTests
{
    [Fact]
    public void UInt8_round_trip_error_is_at_most_half_a_step_inside_the_range()
    {
        var p = QuantMath.UInt8(-1.7f, 3.2f);
        Assert.InRange(p.ZeroPoint, 1, 254);
        for (float x = -1.7f; x <= 3.2f; x += 0.001f)
            Assert.True(Math.Abs(QuantMath.FromUInt8(QuantMath.ToUInt8(x, p), p) - x) <= p.Scale / 2 + 1e-6f, $"x = {x}");
        // Zero is exact (padding, ReLU floor), and out-of-range values saturate.
        Assert.Equal(0f, QuantMath.FromUInt8(QuantMath.ToUInt8(0f, p), p));
        Assert.Equal(255, QuantMath.ToUInt8(100f, p));
    }

    [Fact]
    public void Relu_ranges_get_zero_point_zero()
    {
        Assert.Equal(0, QuantMath.UInt8(0f, 6f).ZeroPoint);
        Assert.Equal(0, QuantMath.UInt8(0.5f, 6f).ZeroPoint); // the range is widened to include 0
    }

    [Fact]
    public void Per_channel_weights_use_each_channels_own_scale()
    {
        // Two output channels of [2, 3] weights with very different magnitudes, channel axis 0.
        float[] w = [0.01f, -0.02f, 0.015f, 5f, -3f, 1f];
        var (perTensor, tensorScales) = QuantMath.QuantizeWeights(w, [2, 3], null);
        var (perChannel, channelScales) = QuantMath.QuantizeWeights(w, [2, 3], 0);

        Assert.Single(tensorScales);
        Assert.Equal(new[] { 0.02f / 127, 5f / 127 }, channelScales);
        for (int i = 0; i < w.Length; i++)
            Assert.True(Math.Abs(perChannel[i] * channelScales[i / 3] - w[i]) <= channelScales[i / 3] / 2 + 1e-7f);
        // Per tensor, the small channel collapses to a few levels; per channel it keeps full resolution.
        Assert.True(Math.Abs(perTensor[1]) <= 1);
        Assert.Equal(-127, perChannel[1]);
    }

    [Fact]
    public void Per_channel_on_the_last_axis_groups_columns()
    {
        float[] w = [1f, 10f, -2f, 20f]; // [2, 2], channels along axis 1: {1, −2} and {10, 20}
        var (_, scales) = QuantMath.QuantizeWeights(w, [2, 2], 1);
        Assert.Equal(new[] { 2f / 127, 20f / 127 }, scales);
    }

    public static TheoryData<CalibrationMethod> Methods => new(Enum.GetValues<CalibrationMethod>());

    [Theory]
    [MemberData(nameof(Methods))]
    public void Calibration_is_deterministic_and_within_the_observed_range(CalibrationMethod method)
    {
        using var model = TinyModels.Create("cnn-bn-strided");
        var onnx = OnnxExporter.Export(model);
        var tensors = QdqRewriter.ActivationsToCalibrate(onnx.Graph);
        var spec = model.Manifest.Preprocess;
        var batches = new[] { (TinyModels.Input(spec, 4, seed: 1), 4), (TinyModels.Input(spec, 4, seed: 2), 4) };

        var first = Calibrator.Collect(onnx, tensors, batches, method);
        var second = Calibrator.Collect(onnx, tensors, batches, method);
        var minMax = Calibrator.Collect(onnx, tensors, batches, CalibrationMethod.MinMax);

        Assert.Equal(tensors.Count, first.Count);
        Assert.Equal(first, second);
        foreach (var (name, range) in first)
        {
            Assert.True(range.Min <= range.Max, name);
            Assert.InRange(range.Min, minMax[name].Min - 1e-4f, minMax[name].Max);
            Assert.InRange(range.Max, minMax[name].Min, minMax[name].Max + 1e-4f);
        }
    }

    [Fact]
    public void Percentile_clips_a_single_outlier()
    {
        var histogram = new long[2048];
        histogram[10] = 1_000_000;
        histogram[2047] = 1;
        var (low, high) = Calibrator.PercentileBins(histogram, 99.99);
        Assert.Equal(10, low);
        Assert.Equal(10, high);
    }

    [Fact]
    public void Entropy_threshold_ignores_a_far_tail()
    {
        var histogram = new long[2048];
        var rng = new Random(4);
        for (int i = 0; i < 200_000; i++) histogram[Math.Min(2047, (int)Math.Abs(rng.NextDouble() * rng.NextDouble() * 400))]++;
        histogram[2047] += 3;
        int bin = Calibrator.EntropyBin(histogram);
        Assert.InRange(bin, 128, 1000);
    }

    public static TheoryData<string, RecurrentPolicy, bool> Quantizable => new()
    {
        { "cnn-bn-strided", RecurrentPolicy.Auto, false },
        { "cnn-bn-strided", RecurrentPolicy.Auto, true },
        { "bilstm-dense", RecurrentPolicy.Int8, true },
        { "lstm-nodense", RecurrentPolicy.Int8, false },
        { "bigru-bn", RecurrentPolicy.Auto, false },
        { "gru-2layer", RecurrentPolicy.Int8, true },
        { "words-lstm", RecurrentPolicy.Int8, true },
        { "resnet", RecurrentPolicy.Auto, false },
        { "resnet-leaky", RecurrentPolicy.Auto, true },
    };

    [Theory]
    [MemberData(nameof(Quantizable))]
    public void Quantized_graph_passes_the_checker_runs_in_onnx_runtime_and_stays_close(string variant, RecurrentPolicy recurrent, bool perChannel)
    {
        using var dir = new TempDir();
        using var model = TinyModels.Create(variant);
        var spec = model.Manifest.Preprocess;
        var images = SyntheticImages(spec, 24);
        var result = Int8Quantizer.Quantize(model, images, new QuantizationOptions { BatchSize = 8, CalibrationBatches = 3, PerChannel = perChannel, Recurrent = recurrent });
        var path = dir.File("q.onnx");
        OnnxWriter.Save(path, result.Model);

        OnnxChecker.AssertAccepts(path);
        Assert.Contains(result.Model.Graph.Nodes, n => n.OpType == "QuantizeLinear");
        Assert.Equal(recurrent == RecurrentPolicy.Int8 && result.Layers.Any(l => l.Op == "LSTM"), result.Model.Graph.Nodes.Any(n => n.OpType == "DynamicQuantizeLSTM"));
        Assert.All(result.Layers.Where(l => l.Op is "Conv" or "MatMul" or "Gemm"), l => Assert.Equal("int8", l.Precision));
        // No int8 GRU kernel exists: a GRU is at most stored in int8.
        Assert.All(result.Layers.Where(l => l.Op == "GRU"), l => Assert.NotEqual("int8", l.Precision));
        if (recurrent == RecurrentPolicy.Int8)
            Assert.All(result.Layers.Where(l => l.Op == "GRU"), l => Assert.Equal("int8 weights, float compute", l.Precision));
        // A residual sum adds two quantized branches; ONNX Runtime dequantizes both and adds in float.
        var graph = result.Model.Graph;
        Assert.All(graph.Nodes.Where(n => n.OpType == "Add" && !n.Inputs.Any(graph.IsInitializer)),
            add => Assert.All(add.Inputs, i => Assert.Equal("DequantizeLinear", graph.Producer(i)!.OpType)));
        Assert.Equal(variant.StartsWith("resnet"), graph.Nodes.Any(n => n.OpType == "Add" && !n.Inputs.Any(graph.IsInitializer)));

        using var floatEngine = new OcrForge.Engines.TorchEngine(model);
        using var int8Engine = new OnnxEngine(path);
        var input = TinyModels.Input(spec, 6, seed: 9);
        var expected = floatEngine.Run(input, 6).Data;
        var actual = int8Engine.Run(input, 6).Data;
        float scale = expected.Max(Math.Abs);
        float maxError = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxError <= 0.1f * scale, $"int8 max error {maxError:g3} vs logit scale {scale:g3}");
    }

    [Theory]
    [InlineData(1.0, "int8")]
    [InlineData(-0.01, "float")]
    public void Auto_policy_keeps_an_lstm_in_int8_only_within_the_allowed_agreement_drop(double allowedDrop, string expected)
    {
        using var model = TinyModels.Create("bilstm-dense");
        var images = SyntheticImages(model.Manifest.Preprocess, 16);

        var result = Int8Quantizer.Quantize(model, images, new QuantizationOptions { BatchSize = 8, CalibrationBatches = 2, MaxAgreementDrop = allowedDrop });

        var lstms = result.Layers.Where(l => l.Op == "LSTM").ToList();
        Assert.Equal(2, lstms.Count);
        Assert.All(lstms, l => Assert.Equal(expected, l.Precision));
        Assert.Equal(expected == "int8", result.Model.Graph.Nodes.Any(n => n.OpType == "DynamicQuantizeLSTM"));
        Assert.All(lstms, l => Assert.Contains("agreement with fp32", l.Reason));
    }

    private static List<GrayImage> SyntheticImages(PreprocessSpec spec, int count)
    {
        var rng = new Random(11);
        return Enumerable.Range(0, count).Select(i =>
        {
            // A variable-width model calibrates on batches of several widths, as it will see them.
            int width = spec.VariableWidth ? spec.Width - i % 3 * spec.Width / 4 : spec.Width;
            var pixels = new byte[width * spec.Height];
            rng.NextBytes(pixels);
            return new GrayImage(width, spec.Height, pixels);
        }).ToList();
    }
}

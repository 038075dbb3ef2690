using OcrForge.Export;

namespace OcrForge.Compression.Quantization;

/// <summary>
/// Rewrites a float graph into ONNX QDQ form: QuantizeLinear → DequantizeLinear pairs on activations (uint8,
/// calibrated) and DequantizeLinear on int8 weights and int32 biases of Conv, Gemm and MatMul. ONNX Runtime
/// recognises these patterns and runs the integer kernels (QLinearConv, MatMulIntegerToFloat, …); any other runtime
/// can still execute the graph as written. Recurrent layers get the precision chosen for them (see
/// <see cref="RecurrentPrecision"/>).
/// </summary>
public static class QdqRewriter
{
    private static readonly HashSet<string> Quantizable = ["Conv", "MatMul", "Gemm"];
    /// <summary>Ops whose output range lies within their input range: they share their input's parameters, so ORT runs
    /// them on uint8.</summary>
    private static readonly HashSet<string> PassThrough = ["MaxPool", "Transpose", "Reshape", "Flatten"];

    /// <summary>The activation tensors whose ranges <see cref="Rewrite"/> needs.</summary>
    public static IReadOnlyList<string> ActivationsToCalibrate(OnnxGraph graph)
    {
        var result = new List<string>();
        foreach (var node in graph.Nodes.Where(n => Quantizable.Contains(n.OpType)))
        {
            result.Add(SharedSource(graph, node.Inputs[0]));
            // A conv's output is quantized too (QLinearConv writes uint8); after a ReLU when there is one, whose
            // zero floor then becomes the quantizer's own.
            if (node.OpType == "Conv") result.Add(ConvOutput(graph, node));
        }
        return result.Distinct().ToList();
    }

    public static OnnxModel Rewrite(OnnxModel model, IReadOnlyDictionary<string, TensorRange> ranges, bool perChannel,
        IReadOnlyDictionary<string, RecurrentPrecision> recurrent)
    {
        var source = model.Graph;
        var graph = source.Clone();
        graph.Nodes.Clear();
        var activation = new Dictionary<string, (QuantParams Params, string Dequantized)>();

        string QuantizeActivation(string tensor)
        {
            string root = SharedSource(source, tensor);
            if (!ranges.TryGetValue(root, out var range))
                throw new InvalidOperationException($"no calibrated range for {root}");
            var p = QuantMath.UInt8(range.Min, range.Max);
            string label = Sanitize(tensor);
            string scale = graph.Constant(OnnxTensor.Float($"{label}.scale", [p.Scale]));
            string zero = graph.Constant(OnnxTensor.UInt8($"{label}.zero_point", [(byte)p.ZeroPoint]));
            string q = graph.Add("QuantizeLinear", [tensor, scale, zero], label);
            string dq = graph.Add("DequantizeLinear", [q, scale, zero], label);
            activation[tensor] = (p, dq);
            return dq;
        }

        var roots = ActivationsToCalibrate(source).ToHashSet();
        // A tensor is quantized when it is a calibrated root, or a pass-through copy of one on the way to a quantizable
        // op.
        bool Wanted(string tensor) =>
            roots.Contains(tensor) || (roots.Contains(SharedSource(source, tensor)) && Feeds(source, tensor));

        var renamed = new Dictionary<string, string>();
        if (roots.Contains(source.Inputs[0].Name))
            renamed[source.Inputs[0].Name] = QuantizeActivation(source.Inputs[0].Name);

        foreach (var original in source.Nodes)
        {
            var inputs = original.Inputs.Select(i => renamed.GetValueOrDefault(i, i)).ToArray();
            var node = original with { Inputs = inputs };
            if (Quantizable.Contains(node.OpType) && graph.IsInitializer(node.Inputs[1]))
                node = QuantizeWeights(graph, node, activation.Values.First(a => a.Dequantized == inputs[0]).Params,
                    perChannel);
            else if (recurrent.GetValueOrDefault(node.Name) == RecurrentPrecision.Int8Dynamic)
                node = DynamicQuantizeLstm(graph, node, perChannel);
            else if (recurrent.GetValueOrDefault(node.Name) == RecurrentPrecision.Int8Weights)
                node = node with
                {
                    Inputs =
                    [
                        node.Inputs[0],
                        DequantizedWeight(graph, node.Inputs[1], perChannel ? 1 : null).Output,
                        DequantizedWeight(graph, node.Inputs[2], perChannel ? 1 : null).Output,
                        .. node.Inputs.Skip(3)
                    ]
                };
            graph.Nodes.Add(node);
            foreach (var output in node.Outputs.Where(Wanted))
                renamed[output] = QuantizeActivation(output);
        }
        graph.Initializers.RemoveAll(t => !graph.Nodes.Any(n => n.Inputs.Contains(t.Name)));
        var result = new OnnxModel(graph, model.Metadata);
        foreach (var (domain, version) in model.Opsets) result.Opsets[domain] = version;
        if (recurrent.Values.Contains(RecurrentPrecision.Int8Dynamic)) result.Opsets[OnnxModel.MicrosoftDomain] = 1;
        return result;
    }

    /// <summary>True when the tensor (through pass-through ops) reaches a quantizable op, so quantizing it is
    /// useful.</summary>
    private static bool Feeds(OnnxGraph graph, string tensor) =>
        graph.Consumers(tensor).Any(c => Quantizable.Contains(c.OpType)
            || (PassThrough.Contains(c.OpType) && Feeds(graph, c.Outputs[0])));

    /// <summary>Walks back through pass-through ops to the tensor whose range governs this one.</summary>
    private static string SharedSource(OnnxGraph graph, string tensor)
    {
        var producer = graph.Producer(tensor);
        return producer is not null && PassThrough.Contains(producer.OpType)
            ? SharedSource(graph, producer.Inputs[0])
            : tensor;
    }

    private static string ConvOutput(OnnxGraph graph, OnnxNode conv)
    {
        var consumers = graph.Consumers(conv.Outputs[0]).ToList();
        return consumers is [{ OpType: "Relu" } relu] ? relu.Outputs[0] : conv.Outputs[0];
    }

    /// <summary>
    /// int8 weights (symmetric; per output channel when asked: axis 0 of Conv [O, I, kh, kw] and of Gemm's transposed
    /// [N, K], axis 1 of MatMul's [K, N]) and an int32 bias with scale x_scale · w_scale, so the integer kernel adds
    /// it to its int32 accumulator directly.
    /// </summary>
    private static OnnxNode QuantizeWeights(OnnxGraph graph, OnnxNode node, QuantParams input, bool perChannel)
    {
        int channelAxis = node.OpType == "MatMul" ? 1 : 0;
        var (w, scales) = DequantizedWeight(graph, node.Inputs[1], perChannel ? channelAxis : null);
        long[] scaleDims = perChannel ? [scales.Length] : [];
        var inputs = node.Inputs.ToArray();
        inputs[1] = w;
        if (node.OpType != "MatMul" && inputs.Length > 2 && graph.IsInitializer(inputs[2]))
        {
            var bias = graph.Initializer(inputs[2]);
            var b = bias.Floats();
            var biasScales = scales.Select(s => s * input.Scale).ToArray();
            var q = b.Select((v, c) =>
                    (int)Math.Clamp(Math.Round(v / biasScales[perChannel ? c : 0]), int.MinValue, int.MaxValue))
                .ToArray();
            inputs[2] = graph.Add("DequantizeLinear",
                [graph.Constant(OnnxTensor.Int32($"{bias.Name}.int32", q, bias.Dims)),
                 graph.Constant(OnnxTensor.Float($"{bias.Name}.scale", biasScales, scaleDims)),
                 graph.Constant(OnnxTensor.Int32($"{bias.Name}.zero_point", new int[scales.Length], scaleDims))],
                bias.Name, perChannel ? [new OnnxAttribute("axis", 0L)] : []);
        }
        return node with { Inputs = inputs };
    }

    /// <summary>An int8 copy of a float initializer behind a DequantizeLinear (per channel along
    /// <paramref name="axis"/> when given).</summary>
    private static (string Output, float[] Scales) DequantizedWeight(OnnxGraph graph, string name, int? axis)
    {
        var weight = graph.Initializer(name);
        var (values, scales) = QuantMath.QuantizeWeights(weight.Floats(), weight.Dims, axis);
        long[] scaleDims = axis is null ? [] : [scales.Length];
        string output = graph.Add("DequantizeLinear",
            [graph.Constant(OnnxTensor.Int8($"{name}.int8", values, weight.Dims)),
             graph.Constant(OnnxTensor.Float($"{name}.scale", scales, scaleDims)),
             graph.Constant(OnnxTensor.Int8($"{name}.zero_point", new sbyte[scales.Length], scaleDims))],
            name, axis is null ? [] : [new OnnxAttribute("axis", (long)axis)]);
        return (output, scales);
    }

    /// <summary>
    /// ONNX Runtime's com.microsoft DynamicQuantizeLSTM: the LSTM with W [dirs, input, 4H] and R [dirs, H, 4H]
    /// (transposed from ONNX LSTM's [dirs, 4H, ·]) in int8 and scales per direction (per gate row when per-channel).
    /// </summary>
    private static OnnxNode DynamicQuantizeLstm(OnnxGraph graph, OnnxNode lstm, bool perChannel)
    {
        (string Values, string Scale, string Zero) Quantize(string name)
        {
            var t = graph.Initializer(name);
            long dirs = t.Dims[0], rows = t.Dims[1], cols = t.Dims[2];
            var source = t.Floats();
            var transposed = new float[source.Length];
            for (long d = 0; d < dirs; d++)
                for (long r = 0; r < rows; r++)
                    for (long c = 0; c < cols; c++)
                        transposed[(d * cols + c) * rows + r] = source[(d * rows + r) * cols + c];
            long[] dims = [dirs, cols, rows];
            // One scale per direction ([dirs, ·] viewed as channels on axis 0), or per direction and gate row.
            var (values, scaleValues) = perChannel
                ? QuantizeRows(transposed, dirs, cols, rows)
                : QuantMath.QuantizeWeights(transposed, [dirs, cols * rows], 0);
            long[] scaleDims = perChannel ? [dirs, rows] : [dirs];
            return (graph.Constant(OnnxTensor.Int8($"{name}.int8", values, dims)),
                graph.Constant(OnnxTensor.Float($"{name}.scale", scaleValues, scaleDims)),
                graph.Constant(OnnxTensor.Int8($"{name}.zero_point", new sbyte[scaleValues.Length], scaleDims)));
        }
        var w = Quantize(lstm.Inputs[1]);
        var r = Quantize(lstm.Inputs[2]);
        return lstm with
        {
            OpType = "DynamicQuantizeLSTM",
            Domain = OnnxModel.MicrosoftDomain,
            Inputs =
                [lstm.Inputs[0], w.Values, r.Values, lstm.Inputs[3], "", "", "", "", w.Scale, w.Zero, r.Scale, r.Zero],
        };
    }

    /// <summary>int8 values of [dirs, cols, rows] with a symmetric scale per (direction, row).</summary>
    private static (sbyte[] Values, float[] Scales) QuantizeRows(float[] t, long dirs, long cols, long rows)
    {
        var scales = new float[dirs * rows];
        for (long d = 0; d < dirs; d++)
            for (long row = 0; row < rows; row++)
            {
                float maxAbs = 0;
                for (long c = 0; c < cols; c++) maxAbs = Math.Max(maxAbs, Math.Abs(t[(d * cols + c) * rows + row]));
                scales[d * rows + row] = maxAbs > 0 ? maxAbs / 127f : 1f;
            }
        var values = new sbyte[t.Length];
        for (long i = 0; i < t.Length; i++)
            values[i] = QuantMath.ToInt8(t[i], scales[i / (cols * rows) * rows + i % rows]);
        return (values, scales);
    }

    private static string Sanitize(string tensor) => tensor.Replace(':', '_').Replace('/', '.');
}

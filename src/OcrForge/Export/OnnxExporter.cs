using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.IO;
using OcrForge.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OcrForge.Export;

/// <summary>
/// Turns the live TorchSharp modules of a trained model into an ONNX graph: input <c>image</c> [batch, 1, H, W],
/// output <c>logits</c> in the torch module's own layout ([batch, T, classes] or [batch, classes]); batch is a
/// symbolic dimension, and so are W and T for a variable-width model. Inference-time simplifications: BatchNorm folded
/// into the preceding conv, dropout dropped.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "image";
    public const string OutputName = "logits";
    public const long MinOpset = 13;

    public static OnnxModel Export(TrainedModel model, long opset = OnnxModel.DefaultOpset)
    {
        // Per-channel DequantizeLinear (used by quantization) needs 13; the checker shipped by Debian knows up to 17.
        if (opset < MinOpset || opset > OnnxModel.DefaultOpset)
            throw new OcrForgeException($"--opset {opset}: supported opsets are {MinOpset}–{OnnxModel.DefaultOpset}");
        var spec = model.Manifest.Preprocess;
        var graph = new OnnxGraph(model.Module.GetType().Name.ToLowerInvariant());
        using var scope = NewDisposeScope();
        // A variable-width model takes any width (a batch padded to its widest image); its time axis follows.
        OnnxDim width = spec.VariableWidth ? OnnxDim.Symbolic("width") : spec.Width;
        graph.Inputs.Add(new OnnxValueInfo(InputName, OnnxDataType.Float,
            [OnnxDim.Symbolic("batch"), 1, spec.Height, width]));
        using (no_grad())
        {
            switch (model.Module)
            {
                case Crnn crnn: BuildCrnn(graph, crnn, spec.VariableWidth); break;
                case Cnn cnn: BuildCnn(graph, cnn); break;
                default:
                    throw new OcrForgeException($"export: no ONNX builder for {model.Module.GetType().Name} models");
            }
        }
        var task = model.Manifest.Task == ModelTask.TextRecognition ? OcrTask.TextRecognition : OcrTask.Classification;
        var info = new ModelInfo(task, model.Charset, spec, model.Manifest.Training)
        {
            RunSpecification = model.Manifest.Run?.ToJson(),
        };
        var result = new OnnxModel(graph, ModelMetadata.Write(info));
        result.Opsets[""] = opset;
        return result;
    }

    private static void BuildCrnn(OnnxGraph g, Crnn crnn, bool variableWidth)
    {
        var config = crnn.Config;
        string x = ConvStack(g, crnn.Backbone, config.Filters.Length, config.Activation,
            i => config.Pools[i]); // [N, C, H', T]
        // Width is time: [N, C, H', T] → [N, T, C, H'] → [N, T, C·H'] (0 in Reshape copies that dimension).
        x = g.Add("Transpose", [x], "features", new OnnxAttribute("perm", new long[] { 0, 3, 1, 2 }));
        x = g.Add("Reshape", [x, g.Int64s("shape.frames", 0, 0, -1)], "features");
        if (crnn.Dense is { } dense) x = g.Add("Relu", [Linear(g, x, dense, "dense")], "dense");

        // ONNX recurrent ops are time-major: X [T, N, F].
        x = g.Add("Transpose", [x], "rnn", new OnnxAttribute("perm", new long[] { 1, 0, 2 }));
        var recurrent = crnn.Recurrent;
        for (int i = 0; i < recurrent.Count; i++)
            x = Recurrent(g, x, recurrent[i], config.RnnHidden[i], config.Bidirectional, $"rnn{i}");
        x = g.Add("Transpose", [x], "rnn", new OnnxAttribute("perm", new long[] { 1, 0, 2 })); // back to [N, T, F]
        OnnxDim frames = variableWidth ? OnnxDim.Symbolic("frames") : config.TimeSteps;
        Output(g, Linear(g, x, crnn.Head, "head"), [OnnxDim.Symbolic("batch"), frames, crnn.ClassCount]);
    }

    private static void BuildCnn(OnnxGraph g, Cnn cnn)
    {
        string x = ConvStack(g, cnn.FeatureStack, cnn.Config.Layers.Length, cnn.Config.Activation, _ => null);
        x = g.Add("GlobalAveragePool", [x], "pool");                                   // [N, C, 1, 1]
        x = g.Add("Flatten", [x], "pool", new OnnxAttribute("axis", 1L));              // [N, C]
        var head = cnn.Head;
        string logits = g.Add("Gemm",
            [x, g.Constant(Floats("head.weight", head.weight!)), g.Constant(Floats("head.bias", head.bias!))],
            "head", new OnnxAttribute("transB", 1L));
        Output(g, logits, [OnnxDim.Symbolic("batch"), cnn.ClassCount]);
    }

    /// <summary>Renames the producer's output to the fixed graph output name that engines and tools look for.</summary>
    private static void Output(OnnxGraph g, string tensor, OnnxDim[] shape)
    {
        int producer = g.Nodes.FindIndex(n => n.Outputs.Contains(tensor));
        g.Nodes[producer] = g.Nodes[producer] with { Outputs = [OutputName] };
        g.Outputs.Add(new OnnxValueInfo(OutputName, OnnxDataType.Float, shape));
    }

    /// <summary>
    /// The layers of a Sequential in order: conv{i} [+ bn{i}] + act{i} [+ pool{i}], or a residual block{i} [+ pool{i}];
    /// every BatchNorm folded into its conv.
    /// </summary>
    private static string ConvStack(OnnxGraph g, Sequential stack, int blocks, Activation activation,
        Func<int, PoolSize?> pool)
    {
        var children = Children(stack);
        string x = InputName;
        for (int i = 0; i < blocks; i++)
        {
            if (children.GetValueOrDefault($"block{i}") is ResidualBlock block)
                x = Residual(g, x, block, activation, $"block{i}");
            else if (children.GetValueOrDefault($"conv{i}") is Conv2d conv)
                x = Activate(g, Conv(g, x, conv, children.GetValueOrDefault($"bn{i}") as BatchNorm2d, $"conv{i}"),
                    activation, $"act{i}");
            else
                throw new OcrForgeException(
                    $"export: layer {i} of {stack.GetName()} is of a kind the ONNX exporter does not know");
            if (pool(i) is { } p && (p.Height > 1 || p.Width > 1))
            {
                long[] window = [p.Height, p.Width];
                x = g.Add("MaxPool", [x], $"pool{i}", new OnnxAttribute("kernel_shape", window),
                    new OnnxAttribute("strides", window));
            }
        }
        return x;
    }

    /// <summary>
    /// act(bn2(conv2(act(bn1(conv1(x))))) + shortcut(x)) with shortcut = x or bn(conv1×1(x)), the order of
    /// <see cref="ResidualBlock"/>.forward: the sum is activated, not the branches.
    /// </summary>
    private static string Residual(OnnxGraph g, string x, ResidualBlock block, Activation activation, string label)
    {
        var body = Children(block.Body);
        string y = Conv(g, x, (Conv2d)body["conv1"], (BatchNorm2d)body["bn1"], $"{label}.conv1");
        y = Activate(g, y, activation, $"{label}.act1");
        y = Conv(g, y, (Conv2d)body["conv2"], (BatchNorm2d)body["bn2"], $"{label}.conv2");
        string shortcut = x;
        if (block.Projection is { } projection)
        {
            var p = Children(projection);
            shortcut = Conv(g, x, (Conv2d)p["conv"], (BatchNorm2d)p["bn"], $"{label}.shortcut");
        }
        return Activate(g, g.Add("Add", [y, shortcut], label), activation, $"{label}.act");
    }

    /// <summary>A Conv node with <paramref name="bn"/> (if any) folded into its weights and bias.</summary>
    private static string Conv(OnnxGraph g, string x, Conv2d conv, BatchNorm2d? bn, string label)
    {
        var (weight, bias) = FoldBatchNorm(conv, bn);
        long[] kernel = [conv.weight!.shape[2], conv.weight.shape[3]];
        var stride = conv.stride ?? [1, 1];
        var padding = conv.padding ?? [0, 0];
        return g.Add("Conv",
            [x, g.Constant(OnnxTensor.Float($"{label}.weight", weight, conv.weight.shape)),
                g.Constant(OnnxTensor.Float($"{label}.bias", bias, bias.Length))],
            label,
            new OnnxAttribute("kernel_shape", kernel),
            new OnnxAttribute("strides", stride.ToArray()),
            new OnnxAttribute("pads", new[] { padding[0], padding[1], padding[0], padding[1] }));
    }

    /// <summary>Cnn.CreateActivation as an ONNX node (LeakyReLU's slope is the same 0.01).</summary>
    private static string Activate(OnnxGraph g, string x, Activation activation, string label) =>
        activation == Activation.Relu
            ? g.Add("Relu", [x], label)
            : g.Add("LeakyRelu", [x], label, new OnnxAttribute("alpha", 0.01f));

    private static Dictionary<string, TorchSharp.torch.nn.Module> Children(TorchSharp.torch.nn.Module module) =>
        module.named_children().ToDictionary(c => c.name, c => c.module);

    /// <summary>
    /// y = γ·(conv(x) + b − μ)/√(σ² + ε) + β is a conv with weights scaled by s = γ/√(σ² + ε) per output channel and
    /// bias s·(b − μ) + β.
    /// </summary>
    private static (float[] Weight, float[] Bias) FoldBatchNorm(Conv2d conv, BatchNorm2d? bn)
    {
        var weight = Data(conv.weight!);
        long outChannels = conv.weight!.shape[0];
        var bias = conv.bias is null ? new float[outChannels] : Data(conv.bias);
        if (bn is null) return (weight, bias);
        var gamma = Data(bn.weight!);
        var beta = Data(bn.bias!);
        var mean = Data(bn.running_mean!);
        var variance = Data(bn.running_var!);
        int perChannel = (int)(weight.Length / outChannels);
        for (int c = 0; c < outChannels; c++)
        {
            float s = gamma[c] / MathF.Sqrt(variance[c] + (float)bn.eps);
            for (int k = 0; k < perChannel; k++) weight[c * perChannel + k] *= s;
            bias[c] = s * (bias[c] - mean[c]) + beta[c];
        }
        return (weight, bias);
    }

    /// <summary>x·Wᵀ + b as MatMul + Add, so it applies to [N, T, F] as well as [N, F].</summary>
    private static string Linear(OnnxGraph g, string x, Linear linear, string label)
    {
        var w = linear.weight!;                                   // [out, in]
        var transposed = Data(w.t());                            // [in, out]
        string y = g.Add("MatMul",
            [x, g.Constant(OnnxTensor.Float($"{label}.weight", transposed, w.shape[1], w.shape[0]))], label);
        return g.Add("Add", [y, g.Constant(Floats($"{label}.bias", linear.bias!))], label);
    }

    /// <summary>
    /// One LSTM or GRU layer, time-major in and out: [T, N, F] → [T, N, dirs·H]. PyTorch stacks gates as LSTM
    /// (i, f, g, o) and GRU (r, z, n); ONNX wants LSTM (i, o, f, c) and GRU (z, r, h), with B = [Wb, Rb] per direction.
    /// PyTorch's GRU applies the reset gate after the recurrent matmul, which is ONNX's linear_before_reset = 1.
    /// </summary>
    private static string Recurrent(OnnxGraph g, string x, TorchSharp.torch.nn.Module module, int hidden,
        bool bidirectional, string label)
    {
        bool lstm = module is LSTM;
        int[] order = lstm ? [0, 3, 1, 2] : [1, 0, 2];
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        string[] suffixes = bidirectional ? ["", "_reverse"] : [""];
        float[] Stack(string name) =>
            suffixes.SelectMany(s => Reorder(Data(parameters[$"{name}_l0{s}"]), order)).ToArray();

        int gates = order.Length;
        long dirs = suffixes.Length, inputSize = parameters["weight_ih_l0"].shape[1];
        var w = OnnxTensor.Float($"{label}.W", Stack("weight_ih"), dirs, gates * hidden, inputSize);
        var r = OnnxTensor.Float($"{label}.R", Stack("weight_hh"), dirs, gates * hidden, hidden);
        var bIh = Stack("bias_ih");
        var bHh = Stack("bias_hh");
        var b = new float[dirs * 2 * gates * hidden];
        for (int d = 0; d < dirs; d++)
        {
            bIh.AsSpan(d * gates * hidden, gates * hidden).CopyTo(b.AsSpan(d * 2 * gates * hidden));
            bHh.AsSpan(d * gates * hidden, gates * hidden).CopyTo(b.AsSpan((d * 2 + 1) * gates * hidden));
        }
        var attributes = new List<OnnxAttribute>
        {
            new("hidden_size", (long)hidden),
            new("direction", bidirectional ? "bidirectional" : "forward"),
        };
        if (!lstm) attributes.Add(new("linear_before_reset", 1L));
        string y = g.AddMulti(lstm ? "LSTM" : "GRU",
            [x, g.Constant(w), g.Constant(r), g.Constant(OnnxTensor.Float($"{label}.B", b, dirs, 2 * gates * hidden))],
            1, label, [.. attributes])[0];                                                       // Y [T, dirs, N, H]
        y = g.Add("Transpose", [y], label, new OnnxAttribute("perm", new long[] { 0, 2, 1, 3 })); // [T, N, dirs, H]
        return g.Add("Reshape", [y, g.Int64s($"{label}.shape", 0, 0, -1)], label);             // [T, N, dirs·H]
    }

    /// <summary>Reorders the equal gate blocks of a stacked weight or bias: block k of the result is block
    /// order[k].</summary>
    private static float[] Reorder(float[] stacked, int[] order)
    {
        int block = stacked.Length / order.Length;
        var result = new float[stacked.Length];
        for (int k = 0; k < order.Length; k++) stacked.AsSpan(order[k] * block, block).CopyTo(result.AsSpan(k * block));
        return result;
    }

    private static OnnxTensor Floats(string name, Tensor t) => OnnxTensor.Float(name, Data(t), t.shape);

    private static float[] Data(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();
}

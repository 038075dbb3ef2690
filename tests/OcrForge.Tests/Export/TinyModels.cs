using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Tests.Export;

/// <summary>Small, randomly initialised models of every exported family (seconds to build and run).</summary>
public static class TinyModels
{
    public static readonly Charset Digits = new("0123456789".Select(c => c.ToString()), hasBlank: true);

    /// <summary>Name → preset + overrides. Each row exercises a different branch of the exporter.</summary>
    public static readonly IReadOnlyDictionary<string, (string Preset, string[] Overrides)> Variants = new Dictionary<string, (string, string[])>
    {
        ["bilstm-dense"] = ("keras-captcha", ["height=16", "width=48", "filters=4,8", "dense=12", "rnn_hidden=10,6"]),
        ["lstm-nodense"] = ("keras-captcha", ["height=16", "width=48", "filters=4,8", "dense=0", "rnn_hidden=8", "bidirectional=false"]),
        ["bigru-bn"] = ("crnn-gru", ["height=32", "width=32", "filters=4,4,8,8,8", "rnn_hidden=8"]),
        // Variable width (aspect kept, up to 96 px, 4 px per frame): the dynamic width and time axes.
        ["words-lstm"] = ("words", ["height=32", "width=96", "filters=4,8,8,8", "rnn_hidden=8"]),
        // The same with a stride-2 first convolution instead of the first pool: still 4 px per frame.
        ["words-strided"] = ("words", ["height=32", "width=96", "filters=4,8,8,8", "rnn_hidden=8", "strides=2,1,1,1", "pools=1x1,2x2,2x1,4x1"]),
        // words-fast's own layout: two strided convolutions and 1×1 pools.
        ["words-fast"] = ("words-fast", ["height=32", "width=96", "filters=4,8,8,8", "rnn_hidden=8"]),
        ["gru-2layer"] = ("keras-captcha", ["height=16", "width=48", "filters=4,8", "rnn=gru", "rnn_hidden=8,6", "bidirectional=false", "activation=leaky_relu"]),
        ["cnn-bn-strided"] = ("chars74k-cnn", ["height=24", "width=24", "filters=8,8,8,12,12,12"]),
        // Block 1 has an identity shortcut, blocks 2–4 a strided 1×1 projection.
        ["resnet"] = ("chars74k-resnet", ["height=16", "width=16", "filters=4,4,8,8,12"]),
        ["resnet-leaky"] = ("chars74k-resnet", ["height=20", "width=20", "filters=6,6,8,12,12", "activation=leaky_relu"]),
    };

    public static TrainedModel Create(string variant, int seed = 7, PreprocessSpec? preprocess = null)
    {
        TorchRuntime.Seed(seed);
        var (preset, overrides) = Variants[variant];
        var config = ModelRegistry.Create(preset, ModelRegistry.ParseOverrides(overrides));
        var charset = config.Task == ModelTask.TextRecognition ? Digits : new Charset(Digits.Symbols, hasBlank: false);
        var layout = config is CrnnConfig crnn ? crnn.Input : new PreprocessSpec(config.InputWidth, config.InputHeight);
        var model = TrainedModel.Create(config, charset, preprocess ?? layout with { Mean = 0.5f, Std = 0.25f });
        RandomizeBatchNorm(model.Module);
        model.Module.eval();
        return model;
    }

    /// <summary>Fresh BatchNorm layers fold to the identity; non-trivial statistics make the folding test mean something.</summary>
    private static void RandomizeBatchNorm(nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            if (child is not TorchSharp.Modules.BatchNorm2d bn) continue;
            long c = bn.weight!.shape[0];
            bn.running_mean!.copy_(randn(c) * 0.3);
            bn.running_var!.copy_(rand(c) + 0.5);
            bn.weight.copy_(rand(c) + 0.5);
            bn.bias!.copy_(randn(c) * 0.2);
        }
    }

    /// <summary>Exports <paramref name="model"/> to an ONNX file in <paramref name="dir"/> and returns its path.</summary>
    public static string ExportTo(TempDir dir, TrainedModel model, string name = "m.onnx")
    {
        var path = dir.File(name);
        OcrForge.Export.OnnxWriter.Save(path, OcrForge.Export.OnnxExporter.Export(model));
        return path;
    }

    /// <summary>Deterministic pseudo-images as model input [n, 1, H, W] in the preprocessed range.</summary>
    public static float[] Input(PreprocessSpec spec, int n, int seed = 3)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n * spec.Width * spec.Height).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
    }
}

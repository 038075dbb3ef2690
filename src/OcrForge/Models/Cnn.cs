using OcrForge.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OcrForge.Models;

/// <summary>
/// One stage of a <see cref="CnnConfig"/>: a convolution; <see cref="Valid"/> = no padding (the map shrinks by
/// kernel − 1). With <see cref="Residual"/> it is a ResNet basic block instead: two convolutions with BatchNorm and
/// an identity shortcut (a strided 1×1 projection when the stride or the width changes). <see cref="Dropout"/> zeroes
/// that share of the stage's outputs in training (element-wise, as nn.Dropout). <see cref="Inner"/> is a residual
/// block's width between its two convolutions (null = <see cref="Filters"/>); channel pruning narrows it.
/// </summary>
public sealed record ConvLayer(int Filters, int Kernel = 3, int Stride = 1, bool BatchNorm = false, bool Valid = false,
    bool Residual = false, double Dropout = 0, int? Inner = null);

/// <summary>
/// A character classifier: (training-only input noise), a stack of convolutions, global average pooling, dropout, a
/// dense head over the classes.
/// </summary>
public sealed record CnnConfig : ModelConfig
{
    public ConvLayer[] Layers { get; init; } = [];
    public Activation Activation { get; init; } = Activation.Relu;
    public double Dropout { get; init; }
    /// <summary>Standard deviation of Gaussian noise added to the (normalised) input in training; 0 = none.</summary>
    public double InputNoise { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public override ModelTask Task => ModelTask.Classification;
    [System.Text.Json.Serialization.JsonIgnore] public override string Family => "cnn";

    public override OcrModule Build(int classCount) => new Cnn(this, classCount);

    [System.Text.Json.Serialization.JsonIgnore] public override IReadOnlyList<ModelParameter> Parameters { get; } =
    [
        ModelParameter.Int("height", 4, "input height in pixels"),
        ModelParameter.Int("width", 4, "input width in pixels"),
        ModelParameter.IntList("filters", 1, "every conv layer's width"),
        ModelParameter.Int("base_filters", 1, "width of the first conv layer (the others keep their ratios)",
            search: new(8, 64, Log: true)),
        ModelParameter.Float("growth", 1, 4, "ratio between consecutive stages' widths", search: new(1, 2.5)),
        ModelParameter.Choice<Activation>("activation", "activation after every convolution"),
        ModelParameter.Float("dropout", 0, 0.9, "dropout before the classifier head", search: new(0, 0.5)),
        ModelParameter.Bool("batch_norm", "BatchNorm after every convolution"),
        ModelParameter.Float("input_noise", 0, 2, "standard deviation of Gaussian noise on the input in training",
            search: new(0, 0.3)),
        ModelParameter.FloatList("layer_dropout", 0, 0.9, "dropout after every conv layer"),
    ];

    protected override ModelConfig Apply(string key, object value) => key switch
    {
        "height" => this with { InputHeight = (int)value },
        "width" => this with { InputWidth = (int)value },
        "filters" => (int[])value is var f && f.Length == Layers.Length
            ? this with { Layers = Layers.Select((l, i) => l with { Filters = f[i] }).ToArray() }
            : throw new Inference.OcrForgeException(
                $"--set {key}: expected {Layers.Length} values, one per conv layer"),
        "base_filters" => WithFilters((int)value, i => (double)Layers[i].Filters / Layers[0].Filters),
        "growth" => WithFilters(Layers[0].Filters, i => Math.Pow((double)value, Stage(i))),
        "activation" => this with { Activation = (Activation)value },
        "dropout" => this with { Dropout = (double)value },
        "batch_norm" => this with { Layers = Layers.Select(l => l with { BatchNorm = (bool)value }).ToArray() },
        "input_noise" => this with { InputNoise = (double)value },
        "layer_dropout" => (double[])value is var d && d.Length == Layers.Length
            ? this with { Layers = Layers.Select((l, i) => l with { Dropout = d[i] }).ToArray() }
            : throw new Inference.OcrForgeException(
                $"--set {key}: expected {Layers.Length} values, one per conv layer"),
        _ => throw UnknownKey(key),
    };

    /// <summary>
    /// A stage is a run of layers of one width; growth is the ratio between consecutive stages' widths, as the tuner
    /// sees it (chars74k-resnet's 32, 32, 64, 128, 256 has growth 2 over stages 0, 0, 1, 2, 3).
    /// </summary>
    private int Stage(int layer) => Enumerable.Range(1, layer).Count(j => Layers[j].Filters != Layers[j - 1].Filters);

    /// <summary>Every layer's width as <paramref name="first"/> × <paramref name="factor"/>(layer); inner widths
    /// follow their block's.</summary>
    private CnnConfig WithFilters(int first, Func<int, double> factor) => this with
    {
        Layers = Layers
            .Select((l, i) => l with { Filters = Math.Max(1, (int)Math.Round(first * factor(i))), Inner = null })
            .ToArray(),
    };
}

/// <summary>The classifier network for a <see cref="CnnConfig"/>.</summary>
public sealed class Cnn : OcrModule
{
    private readonly Sequential features;
    private readonly Dropout? dropout;
    private readonly Linear head;

    public Cnn(CnnConfig config, int classCount) : base("Cnn", config, classCount)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        if (config.InputNoise > 0) layers.Add(("noise", new GaussianNoise(config.InputNoise)));
        int channels = 1;
        for (int i = 0; i < config.Layers.Length; i++)
        {
            var l = config.Layers[i];
            if (l.Residual)
            {
                layers.Add(($"block{i}", new ResidualBlock($"block{i}", channels, l, config.Activation)));
            }
            else
            {
                layers.Add(($"conv{i}", nn.Conv2d(channels, l.Filters, l.Kernel, stride: l.Stride,
                    padding: l.Valid ? 0 : l.Kernel / 2, bias: !l.BatchNorm)));
                if (l.BatchNorm) layers.Add(($"bn{i}", nn.BatchNorm2d(l.Filters)));
                layers.Add(($"act{i}", CreateActivation(config.Activation)));
            }
            if (l.Dropout > 0) layers.Add(($"drop{i}", nn.Dropout(l.Dropout)));
            channels = l.Filters;
        }
        features = nn.Sequential(layers);
        dropout = config.Dropout > 0 ? nn.Dropout(config.Dropout) : null;
        head = nn.Linear(channels, classCount);
        FeatureCount = channels;
        RegisterComponents();
    }

    public new CnnConfig Config => (CnnConfig)base.Config;

    /// <summary>Width of the pooled feature vector the head reads (the SGAN's feature-matching layer).</summary>
    public int FeatureCount { get; }

    /// <summary>Globally average-pooled features [N, FeatureCount], before dropout and head.</summary>
    public Tensor Features(Tensor input)
    {
        using var gate = KernelGate.Enter();
        using var scope = NewDisposeScope();
        return features.forward(input).mean([2, 3]).MoveToOuterDisposeScope();
    }

    public Tensor Classify(Tensor pooled)
    {
        using var scope = NewDisposeScope();
        var x = dropout is null ? pooled : dropout.forward(pooled);
        return head.forward(x).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Classify(Features(input)).MoveToOuterDisposeScope(); // [N, classes]
    }

    internal Sequential FeatureStack => features;
    internal Linear Head => head;

    internal static nn.Module<Tensor, Tensor> CreateActivation(Activation activation) =>
        activation == Activation.Relu ? nn.ReLU() : nn.LeakyReLU(0.01);
}

/// <summary>
/// Adds N(0, σ²) to its input in training and nothing at inference: the input noise of the semi-supervised GAN
/// discriminators of Salimans et al. 2016, which keeps the discriminator from relying on pixel-exact detail.
/// </summary>
internal sealed class GaussianNoise : nn.Module<Tensor, Tensor>
{
    private readonly double std;

    public GaussianNoise(double std) : base("GaussianNoise")
    {
        this.std = std;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => training ? input + std * randn_like(input) : input.alias();
}

/// <summary>ResNet basic block (He et al. 2016): conv-BN-act-conv-BN plus the shortcut, then act.</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly Sequential? projection;
    private readonly nn.Module<Tensor, Tensor> activation;

    public ResidualBlock(string name, int inChannels, ConvLayer layer, Activation activation) : base(name)
    {
        int pad = layer.Kernel / 2; // same padding: only the stride changes the map size
        int inner = layer.Inner ?? layer.Filters;
        body = nn.Sequential(
            ("conv1", nn.Conv2d(inChannels, inner, layer.Kernel, stride: layer.Stride, padding: pad, bias: false)),
            ("bn1", nn.BatchNorm2d(inner)),
            ("act1", Cnn.CreateActivation(activation)),
            ("conv2", nn.Conv2d(inner, layer.Filters, layer.Kernel, padding: pad, bias: false)),
            ("bn2", nn.BatchNorm2d(layer.Filters)));
        projection = layer.Stride != 1 || inChannels != layer.Filters
            ? nn.Sequential(
                ("conv", nn.Conv2d(inChannels, layer.Filters, 1, stride: layer.Stride, bias: false)),
                ("bn", nn.BatchNorm2d(layer.Filters)))
            : null;
        this.activation = Cnn.CreateActivation(activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var shortcut = projection is null ? input : projection.forward(input);
        return activation.forward(body.forward(input) + shortcut).MoveToOuterDisposeScope();
    }

    /// <summary>conv1, bn1, act1, conv2, bn2.</summary>
    internal Sequential Body => body;
    /// <summary>conv, bn; null for the identity shortcut.</summary>
    internal Sequential? Projection => projection;
}

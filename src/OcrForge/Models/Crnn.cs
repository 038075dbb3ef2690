using OcrForge.Runtime;
using OcrForge.Inference.Imaging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OcrForge.Models;

/// <summary>Weight initialisation of a model: PyTorch's layer defaults, or Keras' (he_normal/glorot/orthogonal,
/// forget bias 1).</summary>
public enum WeightInit { Torch, Keras }

/// <summary>
/// A CRNN text recogniser: a convolutional backbone, an optional dense projection, recurrent layers, and a linear
/// head over charset + CTC blank. One conv block per entry of <see cref="Filters"/>.
/// </summary>
public sealed record CrnnConfig : ModelConfig
{
    public int[] Filters { get; init; } = [32, 64];
    public int[] Kernels { get; init; } = [3, 3];
    public PoolSize[] Pools { get; init; } = [new(2, 2), new(2, 2)];
    public bool BatchNorm { get; init; }
    public Activation Activation { get; init; } = Activation.Relu;
    /// <summary>Width of the dense projection between CNN and RNN; 0 = none.</summary>
    public int DenseUnits { get; init; }
    public double Dropout { get; init; }
    public RnnKind Rnn { get; init; } = RnnKind.Lstm;
    /// <summary>Hidden size of each recurrent layer, first to last.</summary>
    public int[] RnnHidden { get; init; } = [128, 64];
    public bool Bidirectional { get; init; } = true;
    public double RnnDropout { get; init; }
    /// <summary>How weights start; see <see cref="WeightInit"/>.</summary>
    public WeightInit Init { get; init; } = WeightInit.Torch;
    /// <summary>
    /// Images keep their aspect at <see cref="ModelConfig.InputHeight"/> and may be up to <see
    /// cref="ModelConfig.InputWidth"/> wide (<see cref="ResizeMode.KeepAspect"/>): words and lines of any length.
    /// Left out of the JSON when false, so fixed-size model files read and write exactly as before.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool VariableWidth { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public override ModelTask Task => ModelTask.TextRecognition;
    [System.Text.Json.Serialization.JsonIgnore] public override string Family => "crnn";

    /// <summary>Feature-map height after the backbone: each pool divides it (floor), as MaxPool2d does.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int OutputHeight => Pools.Aggregate(InputHeight, (h, p) => h / p.Height);

    /// <summary>
    /// CTC time steps. The image's width becomes the time axis: every column of the final feature map is one frame,
    /// so T = width / (product of pool widths). CTC needs T ≥ 2·label length − 1 in the worst case (repeats need a
    /// blank between).
    /// </summary>
    /// <remarks>For a variable-width model: the frames of an image at the maximum width.</remarks>
    [System.Text.Json.Serialization.JsonIgnore]
    public int TimeSteps => Pools.Aggregate(InputWidth, (w, p) => w / p.Width);

    /// <summary>
    /// Input pixels per frame: the product of the pool widths (nested floor divisions by each pool equal one floor
    /// division by their product, so a batch W wide, W a multiple of this, has exactly W / FrameWidth frames).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] public int FrameWidth => Pools.Aggregate(1, (f, p) => f * p.Width);

    /// <summary>
    /// The input layout before standardisation (Mean 0, Std 1): a fixed Width×Height stretch, or for a
    /// variable-width model keep-aspect at the height with the frame width that maps pixels to frames.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] public PreprocessSpec Input => VariableWidth
        ? new PreprocessSpec(InputWidth, InputHeight, Resize: ResizeMode.KeepAspect, FrameWidth: FrameWidth)
        : new PreprocessSpec(InputWidth, InputHeight);

    public override OcrModule Build(int classCount) => new Crnn(this, classCount);

    [System.Text.Json.Serialization.JsonIgnore] public override IReadOnlyList<string> Keys { get; } =
    [
        "height", "width", "conv_blocks", "base_filters", "growth", "filters", "kernels", "pools", "batch_norm",
        "activation", "dense", "dropout", "rnn", "rnn_layers", "rnn_hidden", "bidirectional", "rnn_dropout", "init",
        "variable_width",
    ];

    public override ModelConfig With(string key, string value) => key switch
    {
        "height" => this with { InputHeight = OverrideValue.Int(key, value, 1) },
        "width" => this with { InputWidth = OverrideValue.Int(key, value, 1) },
        "conv_blocks" => Resize(OverrideValue.Int(key, value, 1)),
        "base_filters" => WithGrowth(OverrideValue.Int(key, value, 1), GrowthFactor),
        "growth" => WithGrowth(Filters[0], OverrideValue.Double(key, value, 1, 4)),
        "filters" => Resize(OverrideValue.IntList(key, value)) with { Filters = OverrideValue.IntList(key, value) },
        "kernels" => Same(key, OverrideValue.IntList(key, value)) is var k ? this with { Kernels = k } : this,
        "pools" => Same(key, OverrideValue.PoolList(key, value)) is var p ? this with { Pools = p } : this,
        "batch_norm" => this with { BatchNorm = OverrideValue.Bool(key, value) },
        "activation" => this with { Activation = OverrideValue.Enum<Activation>(key, value) },
        "dense" => this with { DenseUnits = OverrideValue.Int(key, value) },
        "dropout" => this with { Dropout = OverrideValue.Double(key, value, 0, 0.9) },
        "rnn" => this with { Rnn = OverrideValue.Enum<RnnKind>(key, value) },
        "rnn_layers" => this with
        {
            RnnHidden = Enumerable.Repeat(RnnHidden[0], OverrideValue.Int(key, value, 1)).ToArray(),
        },
        "rnn_hidden" => this with
        {
            RnnHidden = OverrideValue.IntList(key, value) is { Length: 1 } one
                ? Enumerable.Repeat(one[0], RnnHidden.Length).ToArray()
                : OverrideValue.IntList(key, value),
        },
        "bidirectional" => this with { Bidirectional = OverrideValue.Bool(key, value) },
        "rnn_dropout" => this with { RnnDropout = OverrideValue.Double(key, value, 0, 0.9) },
        "init" => this with { Init = OverrideValue.Enum<WeightInit>(key, value) },
        "variable_width" => this with { VariableWidth = OverrideValue.Bool(key, value) },
        _ => throw UnknownKey(key),
    };

    /// <summary>Ratio between consecutive conv widths, as the tuner sees it.</summary>
    private double GrowthFactor => Filters.Length > 1 ? (double)Filters[1] / Filters[0] : 2.0;

    private CrnnConfig WithGrowth(int baseFilters, double growth) =>
        this with
        {
            Filters = Enumerable.Range(0, Filters.Length)
                .Select(i => (int)Math.Round(baseFilters * Math.Pow(growth, i))).ToArray(),
        };

    /// <summary>Changes the number of conv blocks, repeating the last kernel and pool (1×1 for added blocks beyond the
    /// last pool).</summary>
    private CrnnConfig Resize(int blocks) => Resize(new int[blocks]) with
    {
        Filters = Enumerable.Range(0, blocks)
            .Select(i => (int)Math.Round(Filters[0] * Math.Pow(GrowthFactor, i))).ToArray(),
    };

    private CrnnConfig Resize(int[] blocks) => this with
    {
        Kernels = Enumerable.Range(0, blocks.Length)
            .Select(i => i < Kernels.Length ? Kernels[i] : Kernels[^1]).ToArray(),
        Pools = Enumerable.Range(0, blocks.Length)
            .Select(i => i < Pools.Length ? Pools[i] : new PoolSize(1, 1)).ToArray(),
    };

    private T[] Same<T>(string key, T[] list) => list.Length == Filters.Length ? list
        : throw new Inference.OcrForgeException($"--set {key}: expected {Filters.Length} values, one per conv block");
}

/// <summary>The CRNN network for a <see cref="CrnnConfig"/>.</summary>
public sealed class Crnn : OcrModule
{
    private readonly Sequential backbone;
    private readonly Linear? dense;
    private readonly Dropout? dropout;
    private readonly ModuleList<nn.Module> rnns;
    private readonly ModuleList<Dropout> rnnDropouts;
    private readonly Linear head;

    public Crnn(CrnnConfig config, int classCount) : base("Crnn", config, classCount)
    {
        if (config.OutputHeight < 1 || config.TimeSteps < 1)
            throw new Inference.OcrForgeException(
                $"model: pooling {string.Join(",", config.Pools.AsEnumerable())} leaves no feature map for a " +
                $"{config.InputWidth}x{config.InputHeight} input");

        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = 1;
        for (int i = 0; i < config.Filters.Length; i++)
        {
            int k = config.Kernels[i];
            // "same" padding for odd kernels keeps the size arithmetic in the pools alone.
            layers.Add(($"conv{i}",
                nn.Conv2d(channels, config.Filters[i], k, padding: k / 2, bias: !config.BatchNorm)));
            if (config.BatchNorm) layers.Add(($"bn{i}", nn.BatchNorm2d(config.Filters[i])));
            layers.Add(($"act{i}", config.Activation == Activation.Relu ? nn.ReLU() : nn.LeakyReLU(0.01)));
            var pool = config.Pools[i];
            if (pool.Height > 1 || pool.Width > 1)
                layers.Add(($"pool{i}", nn.MaxPool2d([pool.Height, pool.Width], [pool.Height, pool.Width])));
            channels = config.Filters[i];
        }
        backbone = nn.Sequential(layers);

        // Each frame sees the whole column: channels × remaining height become its features.
        int features = channels * config.OutputHeight;
        if (config.DenseUnits > 0)
        {
            dense = nn.Linear(features, config.DenseUnits);
            features = config.DenseUnits;
        }
        dropout = config.Dropout > 0 ? nn.Dropout(config.Dropout) : null;

        rnns = new ModuleList<nn.Module>();
        rnnDropouts = new ModuleList<Dropout>();
        int directions = config.Bidirectional ? 2 : 1;
        foreach (int hidden in config.RnnHidden)
        {
            rnns.Add(config.Rnn == RnnKind.Lstm
                ? nn.LSTM(features, hidden, batchFirst: true, bidirectional: config.Bidirectional)
                : nn.GRU(features, hidden, batchFirst: true, bidirectional: config.Bidirectional));
            rnnDropouts.Add(nn.Dropout(config.RnnDropout));
            features = hidden * directions;
        }
        // One output per symbol plus one for the CTC blank (class 0).
        head = nn.Linear(features, classCount);
        RegisterComponents();
        if (config.Init == WeightInit.Keras) InitializeAsKeras();
    }

    /// <summary>
    /// Keras' initialisers: he_normal for convolutions (ReLU fan-in), glorot_uniform for dense layers, and for
    /// recurrent layers glorot_uniform input weights, orthogonal recurrent weights, zero biases with the LSTM forget
    /// gate's bias at 1 (so cells remember by default). Not always better: on keras-captcha (no BatchNorm) PyTorch's
    /// defaults left the all-blank CTC plateau sooner (docs/results-ctc.md), so only presets that measured it use it.
    /// </summary>
    private void InitializeAsKeras()
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            bool isBias = name.EndsWith("bias", StringComparison.Ordinal)
                || name.Contains(".bias_", StringComparison.Ordinal);
            bool recurrent = name.Contains("weight_hh", StringComparison.Ordinal);
            if (isBias) p.zero_();
            else if (name.StartsWith("backbone.conv", StringComparison.Ordinal))
                nn.init.kaiming_normal_(p, nonlinearity: nn.init.NonlinearityType.ReLU);
            else if (name.StartsWith("backbone.bn", StringComparison.Ordinal)) nn.init.ones_(p);
            else if (recurrent) InitOrthogonalPerGate(p);
            else nn.init.xavier_uniform_(p);
        }
        if (Config.Rnn == RnnKind.Lstm)
            foreach (var (name, p) in named_parameters())
            {
                // PyTorch LSTM gates are stacked (input, forget, cell, output) and it keeps two bias vectors that add
                // up; setting the forget slice of one of them to 1 gives Keras' unit_forget_bias.
                if (!name.Contains("bias_ih", StringComparison.Ordinal)) continue;
                long hidden = p.shape[0] / 4;
                p.narrow(0, hidden, hidden).fill_(1.0);
            }
    }

    /// <summary>Keras draws one orthogonal matrix per gate block of the stacked recurrent kernel.</summary>
    private static void InitOrthogonalPerGate(Tensor weight)
    {
        long hidden = weight.shape[1];
        for (long g = 0; g < weight.shape[0] / hidden; g++)
            nn.init.orthogonal_(weight.narrow(0, g * hidden, hidden));
    }

    public new CrnnConfig Config => (CrnnConfig)base.Config;

    public override Tensor forward(Tensor input)
    {
        using var gate = KernelGate.Enter();
        using var scope = NewDisposeScope();
        var x = backbone.forward(input);                 // [N, C, H', T]
        x = x.permute(0, 3, 1, 2);                       // [N, T, C, H']: width is time
        x = x.reshape(x.shape[0], x.shape[1], -1);       // [N, T, C·H']
        if (dense is not null) x = nn.functional.relu(dense.forward(x));
        if (dropout is not null) x = dropout.forward(x);
        for (int i = 0; i < rnns.Count; i++)
        {
            x = RecurrentKernels.Forward(rnns[i], x);
            if (Config.RnnDropout > 0) x = rnnDropouts[i].forward(x);
        }
        return head.forward(x).MoveToOuterDisposeScope(); // [N, T, classes]
    }

    internal Sequential Backbone => backbone;
    internal Linear? Dense => dense;
    internal IReadOnlyList<nn.Module> Recurrent => rnns.ToList();
    internal Linear Head => head;
}

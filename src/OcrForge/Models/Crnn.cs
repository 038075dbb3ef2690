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
    /// <summary>
    /// Every conv block's stride (both axes); null = 1 everywhere. A stride-2 first block lowers the resolution in
    /// place of the first pool; on the `words` layout it cut the int8 forward pass by 26 % (docs/RESULTS.md,
    /// "Reading by width", bench/words-time.cs). Left out of the JSON when null, so files written before read and
    /// write as before.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int[]? Strides { get; init; }
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
    public int OutputHeight => Enumerable.Range(0, Pools.Length)
        .Aggregate(InputHeight, (h, i) => Ceiling(h, StrideOf(i)) / Pools[i].Height);

    /// <summary>
    /// CTC time steps. The image's width becomes the time axis: every column of the final feature map is one frame,
    /// so T = width / (product of pool widths). CTC needs T ≥ 2·label length − 1 in the worst case (repeats need a
    /// blank between).
    /// </summary>
    /// <remarks>For a variable-width model: the frames of an image at the maximum width.</remarks>
    [System.Text.Json.Serialization.JsonIgnore]
    public int TimeSteps => Enumerable.Range(0, Pools.Length)
        .Aggregate(InputWidth, (w, i) => Ceiling(w, StrideOf(i)) / Pools[i].Width);

    /// <summary>
    /// Input pixels per frame: the product of the strides and pool widths (a batch W wide, W a multiple of this,
    /// is divided exactly at every step, so it has exactly W / FrameWidth frames).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int FrameWidth => Enumerable.Range(0, Pools.Length).Aggregate(1, (f, i) => f * StrideOf(i) * Pools[i].Width);

    /// <summary>Block <paramref name="i"/>'s conv stride.</summary>
    public int StrideOf(int i) => Strides is { } s && i < s.Length ? s[i] : 1;

    /// <summary>A "same"-padded odd-kernel convolution with stride s gives ⌈n / s⌉.</summary>
    private static int Ceiling(int n, int s) => (n + s - 1) / s;

    /// <summary>
    /// The input layout before standardisation (Mean 0, Std 1): a fixed Width×Height stretch, or for a
    /// variable-width model keep-aspect at the height with the frame width that maps pixels to frames.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] public PreprocessSpec Input => VariableWidth
        ? new PreprocessSpec(InputWidth, InputHeight, Resize: ResizeMode.KeepAspect, FrameWidth: FrameWidth)
        : new PreprocessSpec(InputWidth, InputHeight);

    public override OcrModule Build(int classCount) => new Crnn(this, classCount);

    /// <summary>In the order overrides apply: the block count before the widths derived from it, the base width
    /// before the growth that scales from it, the layer count before the per-layer sizes.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public override IReadOnlyList<ModelParameter> Parameters { get; } =
    [
        ModelParameter.Int("height", 1, "input height in pixels"),
        ModelParameter.Int("width", 1, "input width in pixels (the maximum width of a variable-width model)"),
        ModelParameter.Int("conv_blocks", 1, "conv blocks; widths follow base_filters × growth^i",
            search: new(2, 5)),
        ModelParameter.Int("base_filters", 1, "width of the first conv block", search: new(8, 64, Log: true)),
        ModelParameter.Float("growth", 1, 4, "ratio between consecutive conv widths", search: new(1, 2)),
        ModelParameter.IntList("filters", 1, "every conv block's width (sets the block count)"),
        ModelParameter.IntList("kernels", 1, "every conv block's kernel size"),
        ModelParameter.PoolList("pools", "every conv block's pooling, height × width"),
        ModelParameter.IntList("strides", 1, "every conv block's convolution stride (both axes)"),
        ModelParameter.Bool("batch_norm", "BatchNorm after every convolution"),
        ModelParameter.Choice<Activation>("activation", "activation after every convolution"),
        ModelParameter.Int("dense", 0, "units of a dense layer before the recurrent layers; 0 = none",
            search: new(0, 256)),
        ModelParameter.Float("dropout", 0, 0.9, "dropout before the recurrent layers", search: new(0, 0.5)),
        ModelParameter.Choice<RnnKind>("rnn", "recurrent layer kind"),
        ModelParameter.Int("rnn_layers", 1, "recurrent layers", search: new(1, 3)),
        ModelParameter.IntList("rnn_hidden", 1, "hidden size of every recurrent layer (one value: all of them)",
            search: new(32, 256, Log: true)),
        ModelParameter.Bool("bidirectional", "recurrent layers read both ways"),
        ModelParameter.Float("rnn_dropout", 0, 0.9, "dropout on each recurrent layer's input, one mask a line (Keras)",
            search: new(0, 0.5)),
        ModelParameter.Choice<WeightInit>("init", "weight initialisation"),
        ModelParameter.Bool("variable_width", "keep the aspect ratio and pad batches to their widest image",
            searchable: false),
    ];

    protected override ModelConfig Apply(string key, object value) => key switch
    {
        "height" => this with { InputHeight = (int)value },
        "width" => this with { InputWidth = (int)value },
        "conv_blocks" => Resize((int)value),
        "base_filters" => WithGrowth((int)value, GrowthFactor),
        "growth" => WithGrowth(Filters[0], (double)value),
        "filters" => Resize((int[])value) with { Filters = (int[])value },
        "kernels" => this with { Kernels = Same(key, (int[])value) },
        "pools" => this with { Pools = Same(key, (PoolSize[])value) },
        "strides" => this with { Strides = Same(key, (int[])value) },
        "batch_norm" => this with { BatchNorm = (bool)value },
        "activation" => this with { Activation = (Activation)value },
        "dense" => this with { DenseUnits = (int)value },
        "dropout" => this with { Dropout = (double)value },
        "rnn" => this with { Rnn = (RnnKind)value },
        "rnn_layers" => this with { RnnHidden = Enumerable.Repeat(RnnHidden[0], (int)value).ToArray() },
        "rnn_hidden" => this with
        {
            RnnHidden = (int[])value is { Length: 1 } one ? Enumerable.Repeat(one[0], RnnHidden.Length).ToArray()
                : (int[])value,
        },
        "bidirectional" => this with { Bidirectional = (bool)value },
        "rnn_dropout" => this with { RnnDropout = (double)value },
        "init" => this with { Init = (WeightInit)value },
        "variable_width" => this with { VariableWidth = (bool)value },
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
        Strides = Strides is null ? null : Enumerable.Range(0, blocks.Length).Select(StrideOf).ToArray(),
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
    private readonly Linear head;

    public Crnn(CrnnConfig config, int classCount) : base("Crnn", config, classCount)
    {
        if (config.OutputHeight < 1 || config.TimeSteps < 1)
            throw new Inference.OcrForgeException(
                $"model: strides and pooling {string.Join(",", config.Pools.AsEnumerable())} leave no feature map " +
                $"for a {config.InputWidth}x{config.InputHeight} input");

        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = 1;
        for (int i = 0; i < config.Filters.Length; i++)
        {
            int k = config.Kernels[i];
            // "same" padding for odd kernels keeps the size arithmetic in the pools alone.
            layers.Add(($"conv{i}",
                nn.Conv2d(channels, config.Filters[i], k, stride: config.StrideOf(i), padding: k / 2,
                    bias: !config.BatchNorm)));
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
        int directions = config.Bidirectional ? 2 : 1;
        foreach (int hidden in config.RnnHidden)
        {
            rnns.Add(config.Rnn == RnnKind.Lstm
                ? nn.LSTM(features, hidden, batchFirst: true, bidirectional: config.Bidirectional)
                : nn.GRU(features, hidden, batchFirst: true, bidirectional: config.Bidirectional));
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
    /// gate's bias at 1 (so cells remember by default). Not always better (docs/results-ctc.md), so only presets that
    /// measured it use it.
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
        foreach (var rnn in rnns)
            x = RecurrentKernels.Forward(rnn, DropRecurrentInput(x));
        return head.forward(x).MoveToOuterDisposeScope(); // [N, T, classes]
    }

    private Tensor DropRecurrentInput(Tensor x) =>
        training && Config.RnnDropout > 0 ? DropFeatures(x, Config.RnnDropout) : x;

    /// <summary>
    /// Keras' <c>LSTM(dropout=p)</c> on a [N, T, F] sequence: one mask per sequence shared by every frame, applied to
    /// a recurrent layer's input rather than its output. The head then sees every feature of the last layer, and a
    /// dropped feature is gone for the whole line instead of flickering from frame to frame.
    /// </summary>
    internal static Tensor DropFeatures(Tensor x, double p)
    {
        using var keep = empty(x.shape[0], 1, x.shape[2], dtype: x.dtype, device: x.device).bernoulli_(1 - p);
        return x * keep / (1 - p);
    }

    internal Sequential Backbone => backbone;
    internal Linear? Dense => dense;
    internal IReadOnlyList<nn.Module> Recurrent => rnns.ToList();
    internal Linear Head => head;
}

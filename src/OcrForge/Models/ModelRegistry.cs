using OcrForge.Inference;

namespace OcrForge.Models;

/// <summary>A named architecture: a factory for its config. The model is built from the config plus the charset
/// size.</summary>
public sealed record ModelPreset(string Name, string Description, ModelTask Task, Func<ModelConfig> Config);

/// <summary>
/// Named presets, created from a name plus <c>key=value</c> overrides (as timm's create_model). Adding a preset is
/// adding a line here; every preset is built, run forward/backward, saved and loaded by one test theory.
/// </summary>
public static class ModelRegistry
{
    private static readonly ModelPreset[] Presets =
    [
        new("keras-captcha",
            "The Keras OCR captcha example: 200×50 gray, Conv32-Pool-Conv64-Pool, Dense64+Dropout0.2, BiLSTM128, "
                + "BiLSTM64, CTC head.",
            ModelTask.TextRecognition,
            () => new CrnnConfig
            {
                InputHeight = 50, InputWidth = 200,
                Filters = [32, 64], Kernels = [3, 3], Pools = [new(2, 2), new(2, 2)],
                Activation = Activation.Relu, DenseUnits = 64, Dropout = 0.2,
                Rnn = RnnKind.Lstm, RnnHidden = [128, 64], Bidirectional = true, RnnDropout = 0.25,
                // Keras' initialisers, as in the example; they are part of the recipe that leaves the all-blank
                // plateau (docs/RESULTS.md, "keras-captcha's own recipe").
                Init = WeightInit.Keras,
            }),
        new("captcha-crnn",
            "The default for captcha-like lines: 128×32 gray, three Conv+BN+ReLU blocks 32/64/128 (last pool 2×1, "
                + "32 frames), BiLSTM 128 ×2, Keras init.",
            ModelTask.TextRecognition,
            () => new CrnnConfig
            {
                InputHeight = 32, InputWidth = 128,
                Filters = [32, 64, 128], Kernels = [3, 3, 3], Pools = [new(2, 2), new(2, 2), new(2, 1)],
                BatchNorm = true, Activation = Activation.Relu, Dropout = 0.2,
                // LSTM rather than GRU: as accurate here (docs/RESULTS.md), and ONNX Runtime has an int8 LSTM kernel
                // but no int8 GRU, so only an LSTM model gets faster when quantized.
                Rnn = RnnKind.Lstm, RnnHidden = [128, 128], Bidirectional = true,
                Init = WeightInit.Keras,
            }),
        new("crnn-gru",
            "CRNN for word and line images 32 px high, any width up to 512 (aspect kept, 4 px per frame): five "
                + "Conv+BN+LeakyReLU blocks 32/64/128/128/256, height pooled to 1, BiGRU 256.",
            ModelTask.TextRecognition,
            () => new CrnnConfig
            {
                InputHeight = 32, InputWidth = 512, VariableWidth = true,
                Filters = [32, 64, 128, 128, 256], Kernels = [5, 5, 3, 3, 3],
                Pools = [new(2, 2), new(2, 2), new(2, 1), new(2, 1), new(2, 1)],
                BatchNorm = true, Activation = Activation.LeakyRelu,
                Rnn = RnnKind.Gru, RnnHidden = [256], Bidirectional = true,
            }),
        new("words",
            "Small, fast CRNN for word images 32 px high, any width up to 512 (aspect kept, 4 px per frame): "
                + "Conv+BN+ReLU 32/64/96 (pools 2×2, 2×2, 2×1, then 4×1 to height 1), BiLSTM 96.",
            ModelTask.TextRecognition,
            Words),
        new("words-fast",
            "words with strided convolutions, for throughput: Conv+BN+ReLU 32 stride 2, 64 stride 2, pool 2×1, 64, "
                + "96, pool 4×1, BiLSTM 96; still 4 px per frame.",
            ModelTask.TextRecognition,
            () => Words() with
            {
                // The first two convolutions stride instead of pooling, and the third runs after the height is
                // halved again: 62 % fewer convolution multiply-adds than words, under half its forward time in
                // int8, for half a point of held-out word accuracy (docs/RESULTS.md, "Words at 20× Tesseract").
                Filters = [32, 64, 64, 96], Strides = [2, 2, 1, 1],
                Pools = [new(1, 1), new(2, 1), new(1, 1), new(4, 1)],
            }),
        new("chars74k-cnn",
            "Character CNN for 32×32 gray: 3 stride-2 convs of 64, 3 convs of 128 (BN), global average pooling, "
                + "dense head. ~450k parameters.",
            ModelTask.Classification,
            Chars74kCnn),
        new("chars74k-sgan",
            "chars74k-cnn with the regularisers of Salimans et al.'s SGAN discriminators: Gaussian input noise 0.3, "
                + "dropout 0.5 after the third and fifth convs (training only).",
            ModelTask.Classification,
            () => Chars74kCnn() with
            {
                InputNoise = 0.3,
                Layers = [.. Chars74kCnn().Layers.Select((l, i) => i is 2 or 4 ? l with { Dropout = 0.5 } : l)],
            }),
        new("chars74k-resnet",
            "Small ResNet for 32×32 gray characters: conv 32 + BN, basic blocks 32, 64/2, 128/2, 256/2, "
                + "global average pooling, dropout 0.2.",
            ModelTask.Classification,
            () => new CnnConfig
            {
                InputHeight = 32, InputWidth = 32, Dropout = 0.2,
                Layers =
                [
                    new(32, BatchNorm: true), new(32, Residual: true), new(64, Stride: 2, Residual: true),
                    new(128, Stride: 2, Residual: true), new(256, Stride: 2, Residual: true),
                ],
            }),
    ];

    public static IReadOnlyList<ModelPreset> All => Presets;

    private static CrnnConfig Words() => new()
    {
        InputHeight = 32, InputWidth = 512, VariableWidth = true,
        // Four pixels per frame: a narrow glyph ("il") at 32 px high is ~8 px, so two frames each, which
        // leaves room for the blank CTC needs between repeated letters ("ll").
        Filters = [32, 64, 96, 96], Kernels = [3, 3, 3, 3],
        Pools = [new(2, 2), new(2, 2), new(2, 1), new(4, 1)],
        BatchNorm = true, Activation = Activation.Relu,
        // LSTM, not GRU: ONNX Runtime has an int8 LSTM kernel but no int8 GRU, so int8 makes it faster.
        Rnn = RnnKind.Lstm, RnnHidden = [96], Bidirectional = true,
        Init = WeightInit.Keras,
    };

    private static CnnConfig Chars74kCnn() => new()
    {
        InputHeight = 32,
        InputWidth = 32,
        Layers =
        [
            new(64, Stride: 2), new(64, Stride: 2), new(64, Stride: 2, BatchNorm: true),
            new(128, BatchNorm: true), new(128, BatchNorm: true), new(128, Valid: true),
        ],
    };

    public static ModelPreset Get(string name) =>
        Presets.FirstOrDefault(p => p.Name == name)
        ?? throw new OcrForgeException(
            $"--preset {name}: unknown preset (known: {string.Join(", ", Presets.Select(p => p.Name))})");

    /// <summary>
    /// The preset's config with <paramref name="overrides"/> applied in the order of the config's
    /// <see cref="ModelConfig.Keys"/>, not the order given: some keys derive from others (<c>growth</c> scales
    /// from <c>base_filters</c>), so <c>--set growth=1.3 --set base_filters=16</c> and the reverse must agree.
    /// A key given twice takes its last value.
    /// </summary>
    public static ModelConfig Create(string name, IEnumerable<KeyValuePair<string, string>>? overrides = null)
    {
        var config = Get(name).Config();
        var order = config.Keys;
        // OrderBy is stable: repeats of a key keep their order. Unknown keys (-1) come first and fail in With.
        foreach (var (key, value) in (overrides ?? []).OrderBy(o => IndexOf(order, o.Key)))
            config = config.With(key, value);
        return config;
    }

    private static int IndexOf(IReadOnlyList<string> keys, string key)
    {
        for (int i = 0; i < keys.Count; i++)
            if (keys[i] == key) return i;
        return -1;
    }

    /// <summary>Parses <c>key=value</c> strings from <c>--set</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseOverrides(IEnumerable<string> settings) =>
        settings.Select(s =>
        {
            int eq = s.IndexOf('=');
            return eq > 0 ? KeyValuePair.Create(s[..eq].Trim(), s[(eq + 1)..].Trim())
                : throw new OcrForgeException($"--set {s}: expected key=value");
        }).ToList();
}

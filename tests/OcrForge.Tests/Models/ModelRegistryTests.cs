using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Tests.Models;

/// <summary>
/// One theory over every registered preset: builds, runs forward and backward (variable-width presets at their
/// maximum and at a narrow width), saves and loads identically.
/// </summary>
public class ModelRegistryTests
{
    [Fact]
    public void Overrides_give_the_same_model_in_any_order()
    {
        // growth derives the widths from the base: given in either order, base 16 × 1.3 is 16, 21, 27.
        var growthFirst = (CrnnConfig)ModelRegistry.Create("captcha-crnn",
            ModelRegistry.ParseOverrides(["growth=1.3", "base_filters=16"]));
        var baseFirst = (CrnnConfig)ModelRegistry.Create("captcha-crnn",
            ModelRegistry.ParseOverrides(["base_filters=16", "growth=1.3"]));

        Assert.Equal([16, 21, 27], growthFirst.Filters);
        Assert.Equal(baseFirst.Filters, growthFirst.Filters);
        // A key given twice keeps its last value.
        var twice = (CrnnConfig)ModelRegistry.Create("captcha-crnn", ModelRegistry.ParseOverrides(["dense=32", "dense=48"]));
        Assert.Equal(48, twice.DenseUnits);
    }

    public static TheoryData<string> PresetNames => new(ModelRegistry.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Preset_builds_runs_forward_backward_and_round_trips(string name)
    {
        TorchRuntime.Seed(1);
        var config = ModelRegistry.Create(name);
        var charset = new Charset("0123456789".Select(c => c.ToString()), hasBlank: config.Task == ModelTask.TextRecognition);
        var spec = config is CrnnConfig text ? text.Input : new PreprocessSpec(config.InputWidth, config.InputHeight);
        using var model = TrainedModel.Create(config, charset, spec);
        using var scope = NewDisposeScope();
        var input = rand(2, 1, config.InputHeight, config.InputWidth);

        model.Module.train();
        var output = model.Module.forward(input);
        if (config is CrnnConfig crnn)
            Assert.Equal(new long[] { 2, crnn.TimeSteps, charset.ClassCount }, output.shape);
        else
            Assert.Equal(new long[] { 2, charset.ClassCount }, output.shape);
        output.square().mean().backward();
        Assert.All(model.Module.parameters(), p => Assert.NotNull(p.grad));

        // A variable-width preset takes any multiple of its frame width up to its maximum, one frame per FrameWidth px.
        var narrow = config is CrnnConfig { VariableWidth: true } variable ? rand(2, 1, config.InputHeight, 3 * variable.FrameWidth) : null;
        if (narrow is not null)
        {
            var frames = model.Module.forward(narrow);
            Assert.Equal(new long[] { 2, 3, charset.ClassCount }, frames.shape);
            frames.square().mean().backward();
        }

        var path = Path.Combine(Path.GetTempPath(), $"ocrforge-{name}-{Guid.NewGuid():N}.ocrf");
        try
        {
            model.Module.eval();
            var expected = model.Module.forward(input);
            model.Save(path);
            using var loaded = TrainedModel.Load(path);
            var actual = loaded.Module.forward(input);
            Assert.Equal(0f, (expected - actual).abs().max().item<float>());
            Assert.Equal(spec, loaded.Manifest.Preprocess);
            if (narrow is not null)
                Assert.Equal(0f, (model.Module.forward(narrow) - loaded.Module.forward(narrow)).abs().max().item<float>());
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(config, ModelFile.Json), System.Text.Json.JsonSerializer.Serialize(loaded.Manifest.Config, ModelFile.Json));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Keras_captcha_has_the_published_shape_and_size()
    {
        var config = (CrnnConfig)ModelRegistry.Create("keras-captcha");
        Assert.Equal(50, config.TimeSteps);   // 200 px wide, two 2× pools
        Assert.Equal(12, config.OutputHeight); // 50 → 25 → 12
        using var model = config.Build(20);
        // Keras counts ≈ 432k; PyTorch's LSTMs carry a second bias vector per gate (+ 4·(128+64)·2 = 1,536).
        Assert.InRange(model.ParameterCount(), 430_000, 436_000);
    }

    [Fact]
    public void Overrides_change_the_config_and_unknown_keys_are_one_line_errors()
    {
        var config = (CrnnConfig)ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["rnn=gru", "rnn_hidden=96", "conv_blocks=3"]));
        Assert.Equal(RnnKind.Gru, config.Rnn);
        Assert.Equal(new[] { 96, 96 }, config.RnnHidden);
        Assert.Equal(new[] { 32, 64, 128 }, config.Filters);
        var e = Assert.Throws<OcrForgeException>(() => ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["colour=blue"])));
        Assert.StartsWith("--set colour: unknown key", e.Message);
    }
}

using OcrForge.Inference;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Gan;
using static TorchSharp.torch;

namespace OcrForge.Tests.Models;

[Collection(SeededTorchCollection.Name)]
public class CnnRegularisationTests
{
    private static CnnConfig Noisy => new()
    {
        InputHeight = 16,
        InputWidth = 16,
        InputNoise = 0.3,
        Layers = [new(4, Stride: 2, Dropout: 0.5), new(8, BatchNorm: true)],
    };

    [Fact]
    public void Input_noise_and_layer_dropout_act_in_training_only()
    {
        TorchRuntime.Seed(3);
        using var noisy = (Cnn)Noisy.Build(3);
        using var plain = (Cnn)(Noisy with { InputNoise = 0, Layers = [.. Noisy.Layers.Select(l => l with { Dropout = 0 })] }).Build(3);
        plain.load_state_dict(noisy.state_dict());
        using var scope = NewDisposeScope();
        var input = rand(4, 1, 16, 16);

        // In eval mode the regularisers are the identity: the same weights without them give the same logits.
        noisy.eval();
        plain.eval();
        Assert.Equal(0f, (noisy.forward(input) - plain.forward(input)).abs().max().item<float>());

        // In training two forwards of the same batch differ (fresh noise and masks each time).
        noisy.train();
        Assert.True((noisy.forward(input) - noisy.forward(input)).abs().max().item<float>() > 1e-4);
    }

    [Fact]
    public void Input_noise_and_layer_dropout_are_set_with_overrides()
    {
        var config = (CnnConfig)ModelRegistry.Create("chars74k-cnn", ModelRegistry.ParseOverrides(["input_noise=0.2", "layer_dropout=0,0,0.5,0,0.5,0"]));
        Assert.Equal(0.2, config.InputNoise);
        Assert.Equal(new[] { 0, 0, 0.5, 0, 0.5, 0 }, config.Layers.Select(l => l.Dropout));
        var e = Assert.Throws<OcrForgeException>(() => ModelRegistry.Create("chars74k-cnn", ModelRegistry.ParseOverrides(["layer_dropout=0.5"])));
        Assert.StartsWith("--set layer_dropout: expected 6 values", e.Message);
        // chars74k-sgan is exactly that network: runs with the preset and with the overrides are the same runs.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize<ModelConfig>(ModelRegistry.Create("chars74k-sgan"), IO.ModelFile.Json),
            System.Text.Json.JsonSerializer.Serialize<ModelConfig>(config with { InputNoise = 0.3 }, IO.ModelFile.Json));
    }
}

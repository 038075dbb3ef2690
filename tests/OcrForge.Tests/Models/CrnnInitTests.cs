using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Tests.Models;

public class CrnnInitTests
{
    [Fact]
    public void Keras_init_gives_orthogonal_recurrent_gates_unit_forget_bias_and_zero_biases()
    {
        TorchRuntime.Seed(1);
        var config = (CrnnConfig)ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["init=keras"]));
        using var model = config.Build(20);
        using var scope = NewDisposeScope();
        var p = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);

        var recurrent = p.First(kv => kv.Key.Contains("weight_hh")).Value; // [4·H, H], gates stacked
        long h = recurrent.shape[1];
        for (int gate = 0; gate < 4; gate++)
        {
            var w = recurrent.narrow(0, gate * h, h);
            Assert.True((w.matmul(w.t()) - eye(h)).abs().max().item<float>() < 1e-4f, $"gate {gate} not orthogonal");
        }
        var biasIh = p.First(kv => kv.Key.Contains("bias_ih")).Value;
        Assert.Equal(h, biasIh.narrow(0, h, h).sum().item<float>(), 3);   // forget gate slice = 1
        Assert.Equal(0f, biasIh.narrow(0, 0, h).abs().sum().item<float>()); // input gate slice = 0
        Assert.All(p.Where(kv => kv.Key.StartsWith("backbone.conv", StringComparison.Ordinal) && kv.Key.EndsWith("bias", StringComparison.Ordinal)),
            kv => Assert.Equal(0f, kv.Value.abs().sum().item<float>()));
    }

    [Fact]
    public void Torch_init_keeps_the_library_defaults()
    {
        TorchRuntime.Seed(1);
        var config = (CrnnConfig)ModelRegistry.Create("keras-captcha", ModelRegistry.ParseOverrides(["init=torch"]));
        Assert.Equal(WeightInit.Torch, config.Init);
        using var model = config.Build(20);
        using var scope = NewDisposeScope();
        var biasIh = model.named_parameters().First(kv => kv.name.Contains("bias_ih")).parameter;
        long h = biasIh.shape[0] / 4;
        // PyTorch draws biases from U(±1/√H): nowhere near a constant 1.
        Assert.True(biasIh.narrow(0, h, h).abs().max().item<float>() <= 1 / Math.Sqrt(h) + 1e-6);
    }

    [Fact]
    public void Default_captcha_preset_reads_128x32_as_32_frames()
    {
        var config = (CrnnConfig)ModelRegistry.Create("captcha-crnn");
        Assert.Equal(32, config.TimeSteps);    // 128 px wide, pools 2, 2, 1 across
        Assert.Equal(4, config.OutputHeight);  // 32 → 16 → 8 → 4
    }
}

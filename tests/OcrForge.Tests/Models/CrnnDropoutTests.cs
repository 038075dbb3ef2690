using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Tests.Models;

public class CrnnDropoutTests
{
    [Fact]
    public void Recurrent_dropout_drops_a_feature_for_the_whole_line_as_keras_does()
    {
        TorchRuntime.Seed(3);
        using var scope = NewDisposeScope();
        var x = ones(4, 50, 64);
        var dropped = Crnn.DropFeatures(x, 0.25);

        // Every frame of a line carries the same mask: the frames are equal to the first one.
        Assert.True(dropped.eq(dropped.narrow(1, 0, 1)).all().item<bool>());
        // Kept features are scaled by 1 / (1 − p), dropped ones are 0, and about a quarter are dropped.
        var first = dropped.select(1, 0);
        Assert.True((first.eq(0) | first.eq(1 / 0.75f)).all().item<bool>());
        double share = first.eq(0).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(share, 0.15, 0.35);
    }

    [Fact]
    public void Recurrent_dropout_is_off_at_inference()
    {
        TorchRuntime.Seed(3);
        var config = (CrnnConfig)ModelRegistry.Create("keras-captcha");
        Assert.Equal(0.25, config.RnnDropout);
        using var model = config.Build(20);
        using var scope = NewDisposeScope();
        var input = rand(2, 1, config.InputHeight, config.InputWidth);
        bool Same() => model.forward(input).eq(model.forward(input)).all().item<bool>();
        model.train();
        Assert.False(Same());
        model.eval();
        Assert.True(Same());
    }
}

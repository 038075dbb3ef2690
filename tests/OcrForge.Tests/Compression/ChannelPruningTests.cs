using OcrForge.Compression.Pruning;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using OcrForge.Tests.Classification;
using OcrForge.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Tests.Compression;

[Collection(Gan.SeededTorchCollection.Name)]
public class ChannelPruningTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Removing_channels_that_carry_nothing_leaves_a_crnn_s_output_unchanged(bool denseLstm)
    {
        // Given a CRNN (GRU straight after the convolutions, or a dense projection and an LSTM) whose every BatchNorm
        // silences its odd channels (γ = β = 0: they output relu(0) = 0)
        TorchRuntime.Seed(11);
        var config = denseLstm ? TinyText.Model with { DenseUnits = 16, Rnn = RnnKind.Lstm } : TinyText.Model;
        using var source = TrainedModel.Create(config, TinyText.Charset, new PreprocessSpec(TinyText.Width, TinyText.Height, 0.5f, 0.5f));
        Silence(source.Module, "backbone.bn");
        // and whose odd recurrent units reach nothing: no column of the recurrent weights or of the reader uses them
        SilenceUnits(source.Module, config);
        using var input = randn(3, 1, TinyText.Height, TinyText.Width);

        // When half of every convolution's channels and recurrent layer's units are pruned
        var (smaller, layers) = ChannelPruner.Shrink(source, 0.5);
        using (smaller)
        {
            // Then the silent ones went, the network is smaller, and it computes exactly what the original did
            var shrunk = (CrnnConfig)smaller.Manifest.Config;
            Assert.Equal(TinyText.Model.Filters.Select(f => f / 2), shrunk.Filters);
            Assert.Equal(TinyText.Model.RnnHidden.Select(h => h / 2), shrunk.RnnHidden);
            Assert.Equal(TinyText.Model.Filters.Concat(TinyText.Model.RnnHidden), layers.Select(l => l.Before));
            Assert.True(smaller.Module.ParameterCount() < source.Module.ParameterCount());
            AssertSameOutput(source.Module, smaller.Module, input);
        }
    }

    [Fact]
    public void Removing_channels_that_carry_nothing_leaves_a_cnn_s_output_unchanged_and_the_file_describes_the_smaller_net()
    {
        TorchRuntime.Seed(12);
        using var source = TrainedModel.Create(TinyCharacters.TinyCnn, new Charset(["a", "b", "c", "d"], hasBlank: false), TinyCharacters.Spec);
        Silence(source.Module, "features.bn");
        using var input = randn(4, 1, 32, 32);
        using var dir = new TempDir();

        var (smaller, _) = ChannelPruner.Shrink(source, 0.5);
        using (smaller)
        {
            AssertSameOutput(source.Module, smaller.Module, input);
            // Saved and loaded from its own config, with no help from the original
            smaller.Save(dir.File("s.ocrf"));
        }
        using var loaded = TrainedModel.Load(dir.File("s.ocrf"));
        Assert.Equal([4, 8], ((CnnConfig)loaded.Manifest.Config).Layers.Select(l => l.Filters));
        AssertSameOutput(source.Module, loaded.Module, input);
    }

    [Fact]
    public void A_residual_cnn_loses_channels_inside_its_blocks_and_keeps_computing_the_same()
    {
        // Given a stem conv feeding residual blocks, every BatchNorm silencing its odd channels
        var config = TinyCharacters.TinyCnn with { Layers = [new(8, Stride: 2, BatchNorm: true), new(8, Residual: true), new(16, Stride: 2, Residual: true)] };
        TorchRuntime.Seed(13);
        using var source = TrainedModel.Create(config, new Charset(["a", "b", "c"], hasBlank: false), TinyCharacters.Spec);
        Silence(source.Module, "features.");
        using var input = randn(2, 1, 32, 32);

        var (smaller, layers) = ChannelPruner.Shrink(source, 0.5);
        using (smaller)
        {
            // Then the stem and the block outputs keep their widths (the shortcuts add them as they are), the blocks' insides halve
            var shrunk = ((CnnConfig)smaller.Manifest.Config).Layers;
            Assert.Equal([8, 8, 16], shrunk.Select(l => l.Filters));
            Assert.Equal([null, 4, 8], shrunk.Select(l => l.Inner));
            Assert.Equal([("conv0", 8, 8), ("block1 (inner)", 8, 4), ("block2 (inner)", 16, 8)], layers.Select(l => (l.Layer, l.Before, l.After)));
            AssertSameOutput(source.Module, smaller.Module, input);
        }
        Assert.StartsWith("--sparsity 1:", Assert.Throws<OcrForgeException>(() => ChannelPruner.Shrink(source, 1)).Message);
    }

    /// <summary>γ = β = 0 on every odd channel of every BatchNorm whose name starts with the prefix.</summary>
    private static void Silence(OcrModule module, string prefix)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in module.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal) && IsNorm(p.name)))
            for (long c = 1; c < p.shape[0]; c += 2) p[c] = 0f;
    }

    /// <summary>Zeroes, for every odd unit of every recurrent layer, its column in the recurrent weights and in whatever reads the layer.</summary>
    private static void SilenceUnits(OcrModule module, CrnnConfig config)
    {
        using var noGrad = no_grad();
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        string[] directions = config.Bidirectional ? ["", "_reverse"] : [""];
        for (int l = 0; l < config.RnnHidden.Length; l++)
        {
            int hidden = config.RnnHidden[l];
            var readers = l + 1 < config.RnnHidden.Length ? directions.Select(d => $"rnns.{l + 1}.weight_ih_l0{d}").ToArray() : ["head.weight"];
            for (int u = 1; u < hidden; u += 2)
            {
                foreach (var d in directions) parameters[$"rnns.{l}.weight_hh_l0{d}"][.., u] = 0f;
                foreach (var reader in readers)
                    for (int d = 0; d < directions.Length; d++) parameters[reader][.., d * hidden + u] = 0f;
            }
        }
    }

    private static bool IsNorm(string name) => name.Split('.')[^2].StartsWith("bn", StringComparison.Ordinal);

    private static void AssertSameOutput(OcrModule a, OcrModule b, Tensor input)
    {
        a.eval();
        b.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = a.forward(input);
        var y = b.forward(input);
        Assert.Equal(x.shape, y.shape);
        Assert.True(x.allclose(y, rtol: 1e-4, atol: 1e-5), $"max difference {(x - y).abs().max().item<float>()}");
    }
}

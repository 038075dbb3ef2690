using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Compression.Pruning;

/// <summary>One convolution's output channels before and after structured pruning.</summary>
public sealed record ChannelChange(string Layer, int Before, int After);

/// <summary>
/// Structured (channel) pruning: each convolution keeps its most important output channels and loses the rest, and
/// the layer that reads them loses the matching inputs, so the result is a smaller dense network with a smaller
/// config — fewer multiply-adds on every engine, not just zeros. Importance is the L1 norm of a channel's filter
/// (Li et al. 2017, "Pruning Filters for Efficient ConvNets"), times |γ| of its BatchNorm when there is one (the
/// scale the channel actually leaves the layer with; Liu et al. 2017, "network slimming"). Works on plain conv stacks
/// (every CRNN, the non-residual CNNs); a residual block's output width is tied to its shortcut, so residual models
/// are refused.
/// </summary>
public static class ChannelPruner
{
    /// <param name="share">Share of each convolution's output channels to remove, in (0, 1); at least one stays.</param>
    /// <returns>A new model (the source is left as it was) and the channel counts per convolution.</returns>
    public static (TrainedModel Model, IReadOnlyList<ChannelChange> Layers) Shrink(TrainedModel source, double share)
    {
        if (!(share > 0 && share < 1)) throw new OcrForgeException($"--sparsity {share}: expected a share of channels in (0, 1), e.g. 0.5");
        return source.Module switch
        {
            Crnn crnn => ShrinkCrnn(source, crnn, share),
            Cnn cnn when cnn.Config.Layers.Any(l => l.Residual) =>
                throw new OcrForgeException($"channel pruning: {cnn.Config.Layers.Count(l => l.Residual)} residual blocks tie their widths to their shortcuts; use magnitude pruning for this model"),
            Cnn cnn => ShrinkCnn(source, cnn, share),
            _ => throw new OcrForgeException($"channel pruning: no rule for a {source.Module.GetType().Name} model"),
        };
    }

    private static (TrainedModel, IReadOnlyList<ChannelChange>) ShrinkCrnn(TrainedModel source, Crnn crnn, double share)
    {
        var config = crnn.Config;
        var state = crnn.state_dict();
        var keep = Enumerable.Range(0, config.Filters.Length)
            .Select(i => Keep(state, $"backbone.conv{i}", config.BatchNorm ? $"backbone.bn{i}" : null, share)).ToArray();
        var shrunk = config with { Filters = keep.Select(k => k.Length).ToArray() };
        // A frame's features are channel-major (c·H' + h): each kept channel keeps its H' rows.
        int height = config.OutputHeight;
        var columns = keep[^1].SelectMany(c => Enumerable.Range((int)c * height, height)).Select(c => (long)c).ToArray();
        string[] readers = config.DenseUnits > 0 ? ["dense.weight"] : ["rnns.0.weight_ih_l0", "rnns.0.weight_ih_l0_reverse"];
        var model = Copy(source, shrunk, state, keep, "backbone.conv", "backbone.bn", readers, columns);
        return (model, keep.Select((k, i) => new ChannelChange($"conv{i}", config.Filters[i], k.Length)).ToList());
    }

    private static (TrainedModel, IReadOnlyList<ChannelChange>) ShrinkCnn(TrainedModel source, Cnn cnn, double share)
    {
        var config = cnn.Config;
        var state = cnn.state_dict();
        var keep = config.Layers.Select((l, i) => Keep(state, $"features.conv{i}", l.BatchNorm ? $"features.bn{i}" : null, share)).ToArray();
        var shrunk = config with { Layers = config.Layers.Select((l, i) => l with { Filters = keep[i].Length }).ToArray() };
        // Global average pooling: the head reads one feature per channel of the last convolution.
        var model = Copy(source, shrunk, state, keep, "features.conv", "features.bn", ["head.weight"], keep[^1]);
        return (model, keep.Select((k, i) => new ChannelChange($"conv{i}", config.Layers[i].Filters, k.Length)).ToList());
    }

    /// <summary>The channels to keep, in their original order: the highest L1 norm × |γ|.</summary>
    private static long[] Keep(Dictionary<string, Tensor> state, string conv, string? norm, double share)
    {
        using var scope = NewDisposeScope();
        var weight = state[$"{conv}.weight"];
        long channels = weight.shape[0];
        var score = weight.detach().abs().reshape(channels, -1).sum(1);
        if (norm is not null) score = score * state[$"{norm}.weight"].detach().abs();
        int count = (int)Math.Max(1, Math.Round(channels * (1 - share)));
        var scores = score.data<float>().ToArray();
        return Enumerable.Range(0, (int)channels).OrderByDescending(c => scores[c]).ThenBy(c => c).Take(count).Order().Select(c => (long)c).ToArray();
    }

    /// <summary>
    /// Builds the smaller network and fills it: a convolution's (and its BatchNorm's) tensors lose the dropped output
    /// channels, the next convolution the matching inputs, the layers that read the last one the matching columns;
    /// everything else is copied as it is. Shapes are checked, so a rule that misses a tensor fails loudly.
    /// </summary>
    private static TrainedModel Copy(TrainedModel source, ModelConfig shrunk, Dictionary<string, Tensor> state, long[][] keep,
        string convPrefix, string normPrefix, string[] readers, long[] readerColumns)
    {
        var model = TrainedModel.Create(shrunk, source.Charset, source.Manifest.Preprocess, new Dictionary<string, string>(source.Manifest.Training));
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            foreach (var (name, target) in model.Module.state_dict())
            {
                var value = state[name].detach();
                for (int i = 0; i < keep.Length; i++)
                {
                    var index = tensor(keep[i]);
                    if (name.StartsWith($"{convPrefix}{i}.", StringComparison.Ordinal) || name.StartsWith($"{normPrefix}{i}.", StringComparison.Ordinal))
                    {
                        if (value.dim() > 0) value = value.index_select(0, index);
                        if (i > 0 && name == $"{convPrefix}{i}.weight") value = value.index_select(1, tensor(keep[i - 1]));
                    }
                }
                if (readers.Contains(name)) value = value.index_select(1, tensor(readerColumns));
                if (!value.shape.SequenceEqual(target.shape))
                    throw new InvalidOperationException($"channel pruning: {name} is [{string.Join(",", value.shape)}], the smaller model wants [{string.Join(",", target.shape)}]");
                target.copy_(value);
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

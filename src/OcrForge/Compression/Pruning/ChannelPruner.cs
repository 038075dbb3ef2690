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
/// and residual CNNs alike; a residual block keeps its output width (its shortcut adds it as it is) and loses channels
/// between its two convolutions instead. A CRNN's recurrent layers lose hidden units by the same share.
/// </summary>
public static class ChannelPruner
{
    /// <param name="share">Share of each convolution's output channels to remove, in (0, 1); at least one
    /// stays.</param>
    /// <returns>A new model (the source is left as it was) and the channel counts per convolution.</returns>
    public static (TrainedModel Model, IReadOnlyList<ChannelChange> Layers) Shrink(TrainedModel source, double share)
    {
        if (!(share > 0 && share < 1))
            throw new OcrForgeException($"--sparsity {share}: expected a share of channels in (0, 1), e.g. 0.5");
        return source.Module switch
        {
            Crnn crnn => ShrinkCrnn(source, crnn, share),
            Cnn cnn => ShrinkCnn(source, cnn, share),
            _ => throw new OcrForgeException($"channel pruning: no rule for a {source.Module.GetType().Name} model"),
        };
    }

    private static (TrainedModel, IReadOnlyList<ChannelChange>) ShrinkCrnn(TrainedModel source, Crnn crnn, double share)
    {
        var config = crnn.Config;
        var state = crnn.state_dict();
        var slices = new Slices();
        var keep = new long[config.Filters.Length][];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = Keep(state, $"backbone.conv{i}", config.BatchNorm ? $"backbone.bn{i}" : null, share);
            slices.Outputs($"backbone.conv{i}", config.BatchNorm ? $"backbone.bn{i}" : null, keep[i]);
            if (i > 0) slices.Add($"backbone.conv{i}.weight", 1, keep[i - 1]);
        }
        // A frame's features are channel-major (c·H' + h): each kept channel keeps its H' rows.
        int height = config.OutputHeight;
        var columns = keep[^1]
            .SelectMany(c => Enumerable.Range((int)c * height, height))
            .Select(c => (long)c)
            .ToArray();
        foreach (var reader in config.DenseUnits > 0
            ? ["dense.weight"]
            : new[] { "rnns.0.weight_ih_l0", "rnns.0.weight_ih_l0_reverse" })
            slices.Add(reader, 1, columns);
        var changes = keep.Select((k, i) => new ChannelChange($"conv{i}", config.Filters[i], k.Length)).ToList();
        var units = ShrinkRecurrent(config, state, slices, share, changes);
        var model = Copy(source, config with { Filters = keep.Select(k => k.Length).ToArray(), RnnHidden = units },
            state, slices);
        return (model, changes);
    }

    /// <summary>
    /// The recurrent layers lose hidden units too: they hold most of a CRNN's weights. A unit's importance is the L1
    /// norm of what reads it downstream (the next layer's input weights or the head, both directions summed); both
    /// directions keep the same units, as the config has one width per layer. Removing a unit removes its row in
    /// every gate of the input and recurrent weights and biases, its column of the recurrent weights, and its
    /// column (per direction) in the reader.
    /// </summary>
    private static int[] ShrinkRecurrent(CrnnConfig config, Dictionary<string, Tensor> state, Slices slices,
        double share, List<ChannelChange> changes)
    {
        string[] directions = config.Bidirectional ? ["", "_reverse"] : [""];
        int gates = config.Rnn == RnnKind.Lstm ? 4 : 3;
        var kept = new int[config.RnnHidden.Length];
        for (int l = 0; l < kept.Length; l++)
        {
            int hidden = config.RnnHidden[l];
            var readers = l + 1 < kept.Length
                ? directions.Select(d => $"rnns.{l + 1}.weight_ih_l0{d}").ToArray()
                : ["head.weight"];
            var score = new double[hidden];
            using (var scope = NewDisposeScope())
                foreach (var reader in readers)
                {
                    var used = state[reader].detach().abs().sum(dim: 0).data<float>().ToArray(); // per input column
                    for (int d = 0; d < directions.Length; d++)
                        for (int u = 0; u < hidden; u++) score[u] += used[d * hidden + u];
                }
            int count = (int)Math.Max(1, Math.Round(hidden * (1 - share)));
            var keep = Enumerable.Range(0, hidden)
                .OrderByDescending(u => score[u])
                .ThenBy(u => u)
                .Take(count)
                .Order()
                .Select(u => (long)u)
                .ToArray();
            var rows = Enumerable.Range(0, gates).SelectMany(g => keep.Select(u => g * hidden + u)).ToArray();
            foreach (var d in directions)
            {
                slices.Add($"rnns.{l}.weight_ih_l0{d}", 0, rows);
                slices.Add($"rnns.{l}.weight_hh_l0{d}", 0, rows);
                slices.Add($"rnns.{l}.weight_hh_l0{d}", 1, keep);
                slices.Add($"rnns.{l}.bias_ih_l0{d}", 0, rows);
                slices.Add($"rnns.{l}.bias_hh_l0{d}", 0, rows);
            }
            var outputs = Enumerable.Range(0, directions.Length)
                .SelectMany(d => keep.Select(u => d * hidden + u))
                .ToArray();
            foreach (var reader in readers) slices.Add(reader, 1, outputs);
            kept[l] = count;
            changes.Add(new ChannelChange($"rnn{l} (units)", hidden, count));
        }
        return kept;
    }

    /// <summary>
    /// A plain convolution loses outputs only when a plain convolution or the head reads them; one that feeds a
    /// residual block keeps them all (the block's shortcut adds them as they are). A residual block loses channels
    /// between its two convolutions, and keeps its output width for the same reason.
    /// </summary>
    private static (TrainedModel, IReadOnlyList<ChannelChange>) ShrinkCnn(TrainedModel source, Cnn cnn, double share)
    {
        var config = cnn.Config;
        var state = cnn.state_dict();
        var slices = new Slices();
        var layers = config.Layers.ToArray();
        var changes = new List<ChannelChange>();
        long[]? previous = null; // the kept outputs of the previous plain convolution, when it lost some
        for (int i = 0; i < layers.Length; i++)
        {
            var l = layers[i];
            if (l.Residual)
            {
                string body = $"features.block{i}.body";
                var inner = Keep(state, $"{body}.conv1", $"{body}.bn1", share);
                slices.Outputs($"{body}.conv1", $"{body}.bn1", inner);
                slices.Add($"{body}.conv2.weight", 1, inner);
                changes.Add(new ChannelChange($"block{i} (inner)", l.Inner ?? l.Filters, inner.Length));
                layers[i] = l with { Inner = inner.Length };
                previous = null;
                continue;
            }
            if (previous is not null) slices.Add($"features.conv{i}.weight", 1, previous);
            bool lastOrPlainNext = i == layers.Length - 1 || !layers[i + 1].Residual;
            if (!lastOrPlainNext)
            {
                changes.Add(new ChannelChange($"conv{i}", l.Filters, l.Filters));
                previous = null;
                continue;
            }
            var keep = Keep(state, $"features.conv{i}", l.BatchNorm ? $"features.bn{i}" : null, share);
            slices.Outputs($"features.conv{i}", l.BatchNorm ? $"features.bn{i}" : null, keep);
            changes.Add(new ChannelChange($"conv{i}", l.Filters, keep.Length));
            layers[i] = l with { Filters = keep.Length };
            previous = keep;
        }
        // Global average pooling: the head reads one feature per channel of the last layer.
        if (previous is not null) slices.Add("head.weight", 1, previous);
        var model = Copy(source, config with { Layers = layers }, state, slices);
        return (model, changes);
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
        return Enumerable.Range(0, (int)channels)
            .OrderByDescending(c => scores[c])
            .ThenBy(c => c)
            .Take(count)
            .Order()
            .Select(c => (long)c)
            .ToArray();
    }

    /// <summary>Which dimensions of which tensors keep which indices; tensors not named are copied whole.</summary>
    private sealed class Slices
    {
        private readonly Dictionary<string, List<(int Dim, long[] Index)>> _byName = [];

        public void Add(string name, int dim, long[] index)
        {
            if (!_byName.TryGetValue(name, out var list)) _byName[name] = list = [];
            list.Add((dim, index));
        }

        /// <summary>A convolution's output channels: its weight and bias, and every per-channel tensor of its
        /// BatchNorm.</summary>
        public void Outputs(string conv, string? norm, long[] keep)
        {
            Add($"{conv}.weight", 0, keep);
            Add($"{conv}.bias", 0, keep);
            if (norm is null) return;
            foreach (var part in new[] { "weight", "bias", "running_mean", "running_var" })
                Add($"{norm}.{part}", 0, keep);
        }

        public Tensor Apply(string name, Tensor value)
        {
            foreach (var (dim, index) in _byName.GetValueOrDefault(name) ?? [])
                value = value.index_select(dim, tensor(index));
            return value;
        }
    }

    /// <summary>
    /// Builds the smaller network from its config and fills it with the sliced tensors of the original. Shapes are
    /// checked, so a slice rule that misses a tensor fails loudly instead of leaving it initialised at random.
    /// </summary>
    private static TrainedModel Copy(TrainedModel source, ModelConfig shrunk, Dictionary<string, Tensor> state,
        Slices slices)
    {
        var model = TrainedModel.Create(shrunk, source.Charset, source.Manifest.Preprocess,
            new Dictionary<string, string>(source.Manifest.Training));
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            foreach (var (name, target) in model.Module.state_dict())
            {
                var value = slices.Apply(name, state[name].detach());
                if (!value.shape.SequenceEqual(target.shape))
                    throw new InvalidOperationException(
                        $"channel pruning: {name} is [{string.Join(",", value.shape)}], "
                        + $"the smaller model wants [{string.Join(",", target.shape)}]");
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

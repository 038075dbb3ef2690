using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Compression.Pruning;

/// <summary>How sparse one weight tensor is: zeros out of all its entries.</summary>
public sealed record LayerSparsity(string Name, long Zeros, long Total)
{
    public double Sparsity => Total == 0 ? 0 : (double)Zeros / Total;
}

/// <summary>
/// Unstructured magnitude pruning: in every weight matrix and convolution kernel (the tensors of two or more
/// dimensions: conv, dense and recurrent weights; biases and BatchNorm stay dense, they are a rounding error in
/// size) the smallest-magnitude share of the entries is set to zero. Each layer is pruned to the same share,
/// rather than by one global threshold, so no small layer can be wiped out by the scale of a large one.
/// </summary>
public sealed class MagnitudePruner(OcrModule model)
{
    private readonly List<(string Name, Tensor Weight)> _weights = model.named_parameters()
        .Where(p => p.parameter.dim() >= 2)
        .Select(p => (p.name, (Tensor)p.parameter)).ToList();

    public IReadOnlyList<string> Layers => _weights.Select(w => w.Name).ToList();

    /// <summary>
    /// Zeroes the smallest |w| in each pruned tensor until at least <paramref name="sparsity"/> of it is zero. Called
    /// after every optimizer step, it also re-zeroes what the step revived, and a weight that has grown back above
    /// the threshold may return: the mask follows the magnitudes.
    /// </summary>
    public void Apply(double sparsity)
    {
        if (sparsity is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "expected [0, 1)");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (_, weight) in _weights)
        {
            long k = (long)Math.Floor(sparsity * weight.numel());
            if (k == 0) continue;
            var magnitude = weight.abs();
            var threshold = magnitude.flatten().kthvalue(k, 0, false).values;
            weight.mul_(magnitude.gt(threshold).to_type(weight.dtype));
        }
    }

    public IReadOnlyList<LayerSparsity> Measure()
    {
        using var scope = NewDisposeScope();
        return _weights
            .Select(w => new LayerSparsity(w.Name, w.Weight.eq(0).sum().item<long>(), w.Weight.numel()))
            .ToList();
    }

    /// <summary>Zeros over all pruned tensors.</summary>
    public static double Overall(IReadOnlyList<LayerSparsity> layers) =>
        layers.Sum(l => l.Total) == 0 ? 0 : (double)layers.Sum(l => l.Zeros) / layers.Sum(l => l.Total);
}

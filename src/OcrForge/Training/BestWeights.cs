using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// Early stopping on validation loss: remembers the weights of the best epoch (a copy in memory) and says when
/// <see cref="Patience"/> epochs have passed without improvement. Patience 0 never stops, but still keeps the best.
/// </summary>
public sealed class BestWeights(int patience) : IDisposable
{
    private Dictionary<string, Tensor>? _best;

    public int Patience { get; } = patience;
    public double BestLoss { get; private set; } = double.PositiveInfinity;
    public int BestEpoch { get; private set; }
    public int BadEpochs { get; private set; }
    public bool ShouldStop => Patience > 0 && BadEpochs >= Patience;

    /// <summary>Records an epoch's validation loss; returns true when it is the best so far (weights copied).</summary>
    public bool Update(int epoch, double loss, nn.Module model)
    {
        // NaN never counts as better, so a diverged epoch cannot replace good weights.
        if (!(loss < BestLoss))
        {
            BadEpochs++;
            return false;
        }
        BestLoss = loss;
        BestEpoch = epoch;
        BadEpochs = 0;
        Capture(model.state_dict());
        return true;
    }

    /// <summary>Copies the best weights into <paramref name="model"/> (no-op before the first epoch).</summary>
    public void Restore(nn.Module model)
    {
        if (_best is null) return;
        using var noGrad = no_grad();
        var current = model.state_dict();
        foreach (var (name, tensor) in _best) current[name].copy_(tensor);
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(BestLoss);
        writer.Write(BestEpoch);
        writer.Write(BadEpochs);
        NamedTensors.Write(writer, _best);
    }

    public void Load(BinaryReader reader, nn.Module model)
    {
        BestLoss = reader.ReadDouble();
        BestEpoch = reader.ReadInt32();
        BadEpochs = reader.ReadInt32();
        // Load into copies of the model's own tensors, which fixes dtype and shape and checks them.
        var shapes = model.state_dict();
        var loaded = new Dictionary<string, Tensor>();
        try
        {
            if (NamedTensors.Read(reader,
                    name => loaded[name] = shapes[name].detach().clone().DetachFromDisposeScope()) > 0)
                Replace(loaded);
        }
        catch
        {
            foreach (var t in loaded.Values) t.Dispose();
            throw;
        }
    }

    private void Capture(Dictionary<string, Tensor> state)
    {
        using var noGrad = no_grad();
        Replace(state.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope()));
    }

    private void Replace(Dictionary<string, Tensor> weights)
    {
        Dispose();
        _best = weights;
    }

    public void Dispose()
    {
        foreach (var t in _best?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
        _best = null;
    }
}

using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// An exponential moving average of a model's weights and BatchNorm statistics (Polyak averaging; timm's ModelEma,
/// the mean teacher of Tarvainen &amp; Valpola 2017). The average of the last few hundred steps is usually a better
/// model than the last step, most of all when the updates are noisy (small labelled sets, GAN training); the trainer
/// validates, keeps and saves the average instead of the raw weights.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly Dictionary<string, Tensor> _average;

    /// <param name="decay">Weight of the old average per step, in (0, 1); 0.999 averages over about 1,000
    /// steps.</param>
    public WeightAverage(nn.Module model, double decay)
    {
        if (!(decay > 0 && decay < 1))
            throw new Inference.OcrForgeException($"--ema {decay}: expected a decay in (0, 1), e.g. 0.999");
        Decay = decay;
        using var noGrad = no_grad();
        _average = model.state_dict()
            .ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    public double Decay { get; }

    /// <summary>Steps averaged so far.</summary>
    public long Updates { get; private set; }

    /// <summary>
    /// Moves the average towards the model's current weights. Early on the decay is min(decay, (1 + n)/(10 + n))
    /// (TensorFlow's ExponentialMovingAverage with num_updates), so the random initial weights fade out within the
    /// first steps instead of weighing on the average for thousands of them. Integer buffers (BatchNorm's batch
    /// counter) are copied.
    /// </summary>
    public void Update(nn.Module model)
    {
        Updates++;
        double d = Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, current) in model.state_dict())
        {
            var average = _average[name];
            if (average.is_floating_point()) average.lerp_(current, 1 - d);
            else average.copy_(current);
        }
    }

    /// <summary>Exchanges the model's weights with the average: call twice to undo.</summary>
    public void Swap(nn.Module model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, current) in model.state_dict())
        {
            var average = _average[name];
            var held = current.clone();
            current.copy_(average);
            average.copy_(held);
        }
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(Updates);
        NamedTensors.Write(writer, _average);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, into the tensors shaped by the model at construction.</summary>
    public void Load(BinaryReader reader)
    {
        Updates = reader.ReadInt64();
        int count = NamedTensors.Read(reader, name => _average.TryGetValue(name, out var tensor) ? tensor
            : throw new InvalidDataException($"weight average has {name}, the model does not"));
        if (count != _average.Count)
            throw new InvalidDataException($"weight average has {count} tensors, the model {_average.Count}");
    }

    public void Dispose()
    {
        foreach (var t in _average.Values) t.Dispose();
    }
}

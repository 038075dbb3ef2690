using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Training.Classification;

/// <summary>Linear warm-up to the peak learning rate, then cosine decay to zero at the last step; set per step.</summary>
internal sealed class WarmupCosine(double peak, int warmupEpochs, int epochs, int stepsPerEpoch)
{
    public double Current { get; private set; }

    public void Apply(optim.Optimizer optimizer, int epoch, int step)
    {
        double t = epoch * stepsPerEpoch + step;
        double warmup = Math.Min(warmupEpochs, epochs - 1) * (double)stepsPerEpoch;
        double total = epochs * (double)stepsPerEpoch;
        Current = t < warmup
            ? peak * (t + 1) / warmup
            : peak * 0.5 * (1 + Math.Cos(Math.PI * (t - warmup) / Math.Max(1, total - warmup)));
        foreach (var group in optimizer.ParamGroups) group.LearningRate = Current;
    }
}

/// <summary>An endless stream of indices 0..count−1: shuffled passes, one after another.</summary>
internal sealed class CyclingOrder(int count, Random rng)
{
    private int[] _order = [];
    private int _next;

    public int[] Next(int n)
    {
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (_next == _order.Length)
            {
                _order = Enumerable.Range(0, count).ToArray();
                rng.Shuffle(_order);
                _next = 0;
            }
            result[i] = _order[_next++];
        }
        return result;
    }
}

/// <summary>
/// Keeps a copy of the weights of the epoch with the best validation accuracy, and says when patience has run out.
/// Without a validation set the last epoch wins (the schedule ends at a low learning rate).
/// </summary>
internal sealed class BestEpoch(bool hasValidation, int patience)
{
    private double _best = double.NegativeInfinity;
    private Dictionary<string, Tensor>? _state;
    private int _sinceBest;

    /// <returns>True when training should stop early.</returns>
    public bool Update(OcrModule model, int epoch, double validationAccuracy)
    {
        double score = hasValidation ? validationAccuracy : epoch;
        if (score > _best)
        {
            _best = score;
            Release();
            _state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
            _sinceBest = 0;
            return false;
        }
        return patience > 0 && ++_sinceBest >= patience;
    }

    public void Restore(OcrModule model)
    {
        if (_state is not null) model.load_state_dict(_state);
        Release();
        model.eval();
    }

    private void Release()
    {
        if (_state is null) return;
        foreach (var t in _state.Values) t.Dispose();
        _state = null;
    }
}

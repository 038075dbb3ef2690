namespace OcrForge.Runtime;

/// <summary>
/// Keeps float32 model work off oneDNN while another thread has it switched on. libtorch's oneDNN switch is one
/// process-wide flag, and under <see cref="OneDnnUse.Recurrent"/> it is on while a recurrent layer runs: a
/// convolution started on another thread at that moment would take oneDNN's kernels, the ones found wrong. So model
/// forwards and backward passes hold this gate under that policy (one at a time per process; a training run or a
/// server's batch loop is one thread anyway), and cost nothing under the others.
/// </summary>
public static class KernelGate
{
    private static readonly object Sync = new();

    /// <summary>Held until disposed when recurrent layers may switch oneDNN on; re-entrant on one thread.</summary>
    public static Scope Enter() => new(KernelPolicy.Chosen == OneDnnUse.Recurrent);

    /// <summary>Runs a backward pass inside the gate.</summary>
    public static void Backward(TorchSharp.torch.Tensor loss)
    {
        using var gate = Enter();
        loss.backward();
    }

    public readonly struct Scope : IDisposable
    {
        private readonly bool _held;

        internal Scope(bool take)
        {
            if (take) Monitor.Enter(Sync);
            _held = take;
        }

        public void Dispose()
        {
            if (_held) Monitor.Exit(Sync);
        }
    }
}

using TorchSharp;

namespace OcrForge.Runtime;

/// <summary>Process-wide torch settings: thread count and seeding, applied once before any model work.</summary>
public static class TorchRuntime
{
    private static int _initialized;

    /// <summary>Uses every core by default: on the 2-core machines we target, libtorch's intra-op pool is the
    /// speed.</summary>
    public static void Initialize(int? threads = null)
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 1 && threads is null) return;
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
        ChooseKernels();
    }

    private static readonly Lock KernelsGate = new();
    private static volatile bool _kernelsChosen;
    private static bool _choosingKernels;

    /// <summary>
    /// Kernel choices that keep numbers right and logs quiet on every x86-64 CPU, made once before the first model
    /// runs. NNPACK cannot start on CPUs it does not know, and libtorch then logs a warning from inside
    /// convolutions; switched off there, convolutions take the kernels they would take anyway. The oneDNN choice
    /// (<see cref="KernelPolicy"/>) runs its self-check here rather than in the middle of a timed forward.
    /// </summary>
    public static void ChooseKernels()
    {
        // The libtorch entry points are looked up by their Itanium-ABI (Linux) names.
        if (_kernelsChosen || !OperatingSystem.IsLinux()) return;
        lock (KernelsGate)
        {
            // The self-check builds models itself; their constructors come back here on this thread.
            if (_kernelsChosen || _choosingKernels) return;
            _choosingKernels = true;
            try
            {
                if (!LibTorchContext.NnpackSupported()) LibTorchContext.NnpackEnabled = false;
                KernelPolicy.Apply();
                _kernelsChosen = true;
            }
            finally { _choosingKernels = false; }
        }
    }

    /// <summary>Seeds torch's generator so weight initialisation and dropout are reproducible.</summary>
    public static void Seed(int seed)
    {
        Initialize();
        torch.manual_seed(seed);
        torch.random.manual_seed(seed);
    }
}

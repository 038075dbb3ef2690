using TorchSharp;

namespace OcrForge.Runtime;

/// <summary>Process-wide torch settings: thread count and seeding, applied once before any model work.</summary>
public static class TorchRuntime
{
    private static int _initialized;

    /// <summary>Uses every core by default: on the 2-core machines we target, libtorch's intra-op pool is the speed.</summary>
    public static void Initialize(int? threads = null)
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 1 && threads is null) return;
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
    }

    /// <summary>Seeds torch's generator so weight initialisation and dropout are reproducible.</summary>
    public static void Seed(int seed)
    {
        Initialize();
        torch.manual_seed(seed);
        torch.random.manual_seed(seed);
    }
}

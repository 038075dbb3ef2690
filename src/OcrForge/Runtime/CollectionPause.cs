using System.Runtime;

namespace OcrForge.Runtime;

/// <summary>
/// Holds garbage collections off for the length of one training step, so they happen between steps.
/// TorchSharp 0.107 hands temporary <c>Scalar</c>s to libtorch without keeping them alive (BatchNorm's
/// <c>num_batches_tracked.add_(1)</c>, the optimizers' <c>mul_(beta)</c>, …): a collection triggered by another thread
/// during such a call lets the finalizer free the Scalar while libtorch reads it. Runs then died at random, about
/// once per 4,000 steps, with "Unknown scalar type" or "For integral input tensors, argument alpha must not be a
/// floating point number" from inside BatchNorm.forward. Between steps no call is in flight, so a collection there,
/// and the finalizers it queues, free only Scalars whose calls have returned.
/// </summary>
public readonly struct CollectionPause : IDisposable
{
    /// <summary>Allocation allowed inside a step before the runtime collects anyway (the pause then simply ends
    /// early).</summary>
    public const long Budget = 64L << 20;

    private readonly bool _started;

    private CollectionPause(bool started) => _started = started;

    public static CollectionPause Begin()
    {
        // Inside a pause already (a trainer nested in another one's step): that pause covers this one.
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new CollectionPause(false);
        try
        {
            return new CollectionPause(GC.TryStartNoGCRegion(Budget));
        }
        catch (ArgumentOutOfRangeException)
        {
            // A budget this runtime cannot grant: run unpaused rather than not at all.
            return new CollectionPause(false);
        }
    }

    public void Dispose()
    {
        // A step that allocated past the budget has already been collected and left the region.
        if (_started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }
}

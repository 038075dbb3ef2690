using System.Runtime;
using OcrForge.Runtime;

namespace OcrForge.Tests.Runtime;

public class CollectionPauseTests
{
    [Fact]
    public void No_collection_happens_inside_a_pause_and_the_runtime_is_back_to_normal_after_it()
    {
        // (Without a pause, 48 MB costs gen-0 collections unless the runtime has grown its gen-0 budget past that, so
        // the latency mode is the check that cannot pass by luck.)
        var kept = new List<byte[]>();
        int before;
        using (CollectionPause.Begin())
        {
            before = GC.CollectionCount(0);
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            Allocate(kept);
            Assert.Equal(before, GC.CollectionCount(0));

            // A nested pause (a trainer inside a trainer) neither throws nor ends the outer one.
            using (CollectionPause.Begin()) Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.Equal(768, kept.Count);
    }

    /// <summary>48 MB in 64 kB arrays (below the large-object threshold, so they go through gen 0), inside the budget.</summary>
    private static void Allocate(List<byte[]> into)
    {
        for (int i = 0; i < 768; i++) into.Add(new byte[64 * 1024 - 64]);
    }

    [Fact]
    public void A_step_that_outgrows_the_budget_ends_the_pause_without_an_error()
    {
        var pause = CollectionPause.Begin();
        var big = new List<byte[]>();
        for (long total = 0; total <= CollectionPause.Budget + (16L << 20); total += 1 << 20) big.Add(new byte[1 << 20]);

        pause.Dispose();

        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.NotEmpty(big);
    }
}

using System.Runtime;
using SegAN.Compute;

namespace SegAN.Tests.Compute;

public sealed class NoGcRegionTests
{
    [Fact]
    public void Enter_HoldsCollectionsOff_UntilDisposed_AndDoesNotNest()
    {
        // Given a region entered with a budget far above what the block allocates
        var region = NoGcRegion.Enter(16L * 1024 * 1024);
        try
        {
            if (!region.Active)
            {
                return; // the runtime may refuse (another region, a GC mode without support): nothing to check
            }

            var before = GC.CollectionCount(0);

            // When small objects are allocated and a nested region is asked for
            var nested = NoGcRegion.Enter();
            var keep = new List<byte[]>();
            for (var i = 0; i < 1000; i++)
            {
                keep.Add(new byte[1024]);
            }

            nested.Dispose();

            // Then no collection ran, the nested request did not start its own region, and the outer one still holds
            Assert.False(nested.Active);
            Assert.Equal(before, GC.CollectionCount(0));
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            GC.KeepAlive(keep);
        }
        finally
        {
            region.Dispose();
        }

        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}

using SegAN.Data;
using SegAN.Demo;

namespace SegAN.Tests.Demo;

public sealed class DemoOptionsTests
{
    [Theory]
    [InlineData(64, 64, 64, 64)]
    [InlineData(96, 96, 96, 96)]
    public void Shape_IsACube_ForEasyPhantoms(int size, int x, int y, int z) =>
        Assert.Equal(new PhantomShape(x, y, z), new DemoOptions("out", Size: size).Shape);

    [Theory]
    [InlineData(64, 41)]
    [InlineData(160, 103)]
    [InlineData(48, 32)]
    public void Shape_HasBratsProportions_ForRealisticPhantoms(int size, int depth) =>
        Assert.Equal(new PhantomShape(size, size, depth), new DemoOptions("out", Size: size, Difficulty: PhantomDifficulty.Realistic).Shape);
}

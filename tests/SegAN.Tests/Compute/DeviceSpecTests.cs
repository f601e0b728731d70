using SegAN.Compute;
using TorchSharp;

namespace SegAN.Tests.Compute;

public sealed class DeviceSpecTests
{
    [Theory]
    [InlineData("auto", DeviceKind.Auto, 0)]
    [InlineData("CPU", DeviceKind.Cpu, 0)]
    [InlineData("cuda", DeviceKind.Cuda, 0)]
    [InlineData("cuda:3", DeviceKind.Cuda, 3)]
    public void Parse_ReadsEachForm(string text, DeviceKind kind, int index)
    {
        var spec = DeviceSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(index, spec.Index);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("")]
    public void Parse_RejectsUnknownDevices_NamingTheValue(string text)
    {
        var error = Assert.Throws<SegANException>(() => DeviceSpec.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Cuda_FailsClearly_WhenCudaIsMissing()
    {
        if (torch.cuda.is_available())
        {
            return; // this assertion is about machines without CUDA; the CPU build never has it
        }

        var error = Assert.Throws<SegANException>(() => DeviceSpec.Parse("cuda:1").Resolve());
        Assert.Contains("CUDA is not available", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_RejectsNegativeThreads()
    {
        Assert.Throws<SegANException>(() => ComputeContext.Initialize(DeviceSpec.Cpu, -1));
    }
}

using System.Text;
using SegAN.Compute;
using TorchSharp;

namespace SegAN.Tests.Compute;

public sealed class TorchLoadingTests
{
    [Fact]
    public void Torch_LoadsAndTrainsOneStep_InTheTestProcess()
    {
        // Given a tiny convolutional model and a fixed batch
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var model = torch.nn.Sequential(
            ("conv", torch.nn.Conv2d(2, 4, 3, padding: 1)),
            ("act", torch.nn.LeakyReLU(0.2)),
            ("head", torch.nn.Conv2d(4, 1, 1)));
        var optimizer = torch.optim.RMSProp(model.parameters(), lr: 1e-2);
        var x = torch.randn(4, 2, 8, 8);
        var y = torch.rand(4, 1, 8, 8);

        // When it takes one optimiser step
        var before = torch.nn.functional.mse_loss(model.forward(x), y).item<float>();
        optimizer.zero_grad();
        var loss = torch.nn.functional.mse_loss(model.forward(x), y);
        loss.backward();
        optimizer.step();
        var after = torch.nn.functional.mse_loss(model.forward(x), y).item<float>();

        // Then the loss went down: native forward, backward and optimiser all ran
        Assert.True(float.IsFinite(before));
        Assert.True(after < before, $"loss {after} should be below {before}");
    }

    [Fact]
    public void LibTorchSharp_InTestOutput_HasGlibcxx3432MarkedWeak()
    {
        // Given the libLibTorchSharp.so copied next to this test assembly by the build
        var dir = AppContext.BaseDirectory;
        var copies = Directory.GetFiles(dir, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(copies);

        foreach (var copy in copies)
        {
            // Then its GLIBCXX_3.4.32 requirement carries VER_FLG_WEAK
            Assert.Equal(VersionFlag.Weak, ElfVersionNeeds.FlagsOf(copy, "GLIBCXX_3.4.32") & VersionFlag.Weak);
        }
    }

    [Fact]
    public void SelfCheck_PassesOnCpu()
    {
        var result = SystemInfo.RunSelfCheck(torch.CPU);
        Assert.True(result.Ok, result.Message);
    }
}

[Flags]
internal enum VersionFlag : ushort
{
    None = 0,
    Weak = 2,
}

/// <summary>An independent reader of ELF64 .gnu.version_r entries, to check what the build's patch did.</summary>
internal static class ElfVersionNeeds
{
    public static VersionFlag FlagsOf(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        using var reader = new BinaryReader(new MemoryStream(elf));
        long U64(long at) { reader.BaseStream.Position = at; return reader.ReadInt64(); }
        uint U32(long at) { reader.BaseStream.Position = at; return reader.ReadUInt32(); }
        ushort U16(long at) { reader.BaseStream.Position = at; return reader.ReadUInt16(); }
        var shoff = U64(0x28);
        int shentsize = U16(0x3A), shnum = U16(0x3C);
        for (var s = 0; s < shnum; s++)
        {
            var sh = shoff + (s * shentsize);
            if (U32(sh + 4) != 0x6ffffffe)
            {
                continue;
            }

            var strtab = U64(shoff + (U32(sh + 0x28) * shentsize) + 0x18);
            var vn = U64(sh + 0x18);
            for (var i = 0; i < U32(sh + 0x2C); i++)
            {
                var aux = vn + U32(vn + 8);
                for (var j = 0; j < U16(vn + 2); j++)
                {
                    var start = (int)(strtab + U32(aux + 8));
                    var end = Array.IndexOf(elf, (byte)0, start);
                    if (Encoding.ASCII.GetString(elf, start, end - start) == version)
                    {
                        return (VersionFlag)U16(aux + 4);
                    }

                    aux += U32(aux + 12);
                }

                vn += U32(vn + 12);
            }
        }

        throw new InvalidOperationException($"{path} does not need {version}");
    }
}

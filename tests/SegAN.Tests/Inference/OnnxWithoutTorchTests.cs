using System.Reflection;
using System.Runtime.Loader;
using SegAN.Export;
using SegAN.Models;
using SegAN.Tests.Export;

namespace SegAN.Tests.Inference;

/// <summary>
/// Runs the .onnx prediction path in a separate load context where TorchSharp cannot be loaded at all: the
/// behaviour of a machine without libtorch, inside the test process.
/// </summary>
public sealed class OnnxWithoutTorchTests
{
    [Fact]
    public void OnnxModel_OpensAndPredicts_WhenTorchSharpCannotLoad()
    {
        // Given an exported model and a copy of SegAN loaded where TorchSharp is refused
        using var folder = new TempFolder();
        var segan = ExportTestModels.SaveModel(folder.Path, Variant.S3_3C);
        var onnx = folder.File("model.onnx");
        OnnxExporter.Export(segan, onnx, new OnnxExportOptions());
        var context = new NoTorchContext(AppContext.BaseDirectory);
        try
        {
            var library = context.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "SegAN.dll"));

            // When EngineFactory.Open(model.onnx, auto, auto) runs there and predicts one 8x8 slice
            using var engine = Open(library, onnx);
            var regions = (float[])engine.GetType().GetMethod("PredictRegions")!.Invoke(engine, [new float[2 * 8 * 8], 1, 2, 8, 8])!;

            // Then it predicts with ONNX Runtime and TorchSharp was never asked for
            Assert.Equal("onnx", engine.GetType().GetProperty("Name")!.GetValue(engine));
            Assert.Equal(3 * 8 * 8, regions.Length);
            Assert.Empty(context.Refused);
            Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == "TorchSharp");

            // And the same context does refuse TorchSharp: opening the model.segan with torch fails on it
            var e = Assert.Throws<TargetInvocationException>(() => Open(library, segan, "Torch", "Cpu"));
            Assert.Contains("TorchSharp", context.Refused);
            Assert.IsType<FileNotFoundException>(e.InnerException);
        }
        finally
        {
            context.Unload();
        }
    }

    private static IDisposable Open(Assembly library, string path, string engine = "Auto", string device = "Auto")
    {
        var kind = Enum.Parse(library.GetType("SegAN.Inference.EngineKind", throwOnError: true)!, engine);
        var spec = library.GetType("SegAN.Compute.DeviceSpec", throwOnError: true)!.GetProperty(device)!.GetValue(null);
        var open = library.GetType("SegAN.Inference.EngineFactory", throwOnError: true)!.GetMethod("Open")!;
        // Later optional parameters (bfloat16) take their defaults.
        return (IDisposable)open.Invoke(null, [path, kind, spec, 1, .. open.GetParameters().Skip(4).Select(p => p.DefaultValue)])!;
    }

    /// <summary>Loads assemblies from the test folder, refuses TorchSharp, and finds ONNX Runtime's native library.</summary>
    private sealed class NoTorchContext(string folder) : AssemblyLoadContext("segan-without-torchsharp", isCollectible: true)
    {
        public List<string> Refused { get; } = [];

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == "TorchSharp")
            {
                Refused.Add(assemblyName.Name);
                throw new FileNotFoundException("TorchSharp is not available in this load context.", "TorchSharp.dll");
            }

            var path = Path.Combine(folder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var file = $"lib{unmanagedDllName}.so";
            var path = Directory.EnumerateFiles(Path.Combine(folder, "runtimes"), file, SearchOption.AllDirectories)
                .FirstOrDefault(p => p.Contains(System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, StringComparison.Ordinal))
                ?? Directory.EnumerateFiles(folder, file, SearchOption.AllDirectories).FirstOrDefault();
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }
    }
}

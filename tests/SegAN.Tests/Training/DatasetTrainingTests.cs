using SegAN.Data;
using SegAN.Models;
using SegAN.Training;

namespace SegAN.Tests.Training;

public sealed class DatasetTrainingTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-dataset-training-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Run_OnACaseList_PreparesOnlyThoseCases()
    {
        // Given four phantom cases of which only three are passed to training
        var data = new DirectoryInfo(Path.Combine(_root.FullName, "data"));
        PhantomGenerator.WriteDataset(data, 4, new PhantomOptions(32, 2));
        var layout = DatasetPresets.Layout(DatasetPreset.Brats2021);
        var all = DatasetDiscovery.Discover(data, layout);
        var view = all.Take(3).ToList();
        var options = new TrainOptions(Path.Combine(_root.FullName, "run"), Variant.UNet, Steps: 1, BatchSize: 2, ValEvery: 1, Depth: 2, BaseWidth: 4);
        var training = new DatasetTrainingOptions(data, layout, PreprocessOptions.Paper with { CropX = 32, CropY = 32, CropZ = 32 }, SliceSize: 32);

        // When training one step on the view
        var prepared = new List<string>();
        var result = DatasetTraining.Run(options, training, view, TorchSharp.torch.CPU, loading: new Recorder(prepared));

        // Then it completes and only the three listed cases were read (training and validation together)
        Assert.Equal(TrainStatus.Completed, result.Status);
        Assert.Equal(view.Select(c => $"prepared {c.Name}").Order(StringComparer.Ordinal), prepared.Where(l => l.StartsWith("prepared ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain($"prepared {all[3].Name}", prepared);

        // And, three cases being fewer than ten, none was held out and the output says that validation scored them
        Assert.Contains(prepared, l => l.StartsWith("validation: 3 case(s), fewer than 10: all are trained on", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 4, 0.0, true)]
    [InlineData(null, 9, 0.0, true)]
    [InlineData(null, 10, 0.1, false)]
    [InlineData(null, 300, 0.1, false)]
    [InlineData(0.25, 4, 0.25, false)]
    [InlineData(0.0, 4, 0.0, false)]
    public void ValidationPolicy_HoldsNoneOutBelowTenCases_UnlessAsked(double? asked, int cases, double fraction, bool onTraining)
    {
        var training = new DatasetTrainingOptions(_root, DatasetPresets.Layout(DatasetPreset.Brats2021), ValidationFraction: asked);

        Assert.Equal((fraction, onTraining), training.ValidationPolicy(cases));
    }

    [Fact]
    public void Run_OnAnEmptyCaseList_IsRefused()
    {
        var data = new DirectoryInfo(_root.FullName);
        var options = new TrainOptions(Path.Combine(_root.FullName, "run"), Steps: 1, Depth: 2, BaseWidth: 4);
        var training = new DatasetTrainingOptions(data, DatasetPresets.Layout(DatasetPreset.Brats2021), SliceSize: 32);
        var e = Assert.Throws<SegANException>(() => DatasetTraining.Run(options, training, []));
        Assert.Contains("no case", e.Message, StringComparison.Ordinal);
    }

    private sealed class Recorder(List<string> names) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (names)
            {
                names.Add(value);
            }
        }
    }
}

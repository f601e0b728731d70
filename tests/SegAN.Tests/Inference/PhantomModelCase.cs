using SegAN.Data;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;

namespace SegAN.Tests.Inference;

/// <summary>
/// The setup of tests that segment a case end to end: one phantom case (T1, T2, BraTS 2021 labels) written to disk
/// and a network saved beside it as model.segan with the recipe that prepares the case on <c>grid</c>.
/// </summary>
internal sealed record PhantomModelCase(CaseFiles Files, InferenceRecipe Recipe, string ModelPath)
{
    public static PhantomModelCase Write(DirectoryInfo root, RegionSegmentor network, PreprocessOptions grid)
    {
        var data = new DirectoryInfo(Path.Combine(root.FullName, "data"));
        PhantomGenerator.WriteDataset(data, 1, new PhantomOptions(Size: 48, Seed: 9));
        var files = DatasetDiscovery.Discover(data, DatasetPresets.Layout(DatasetPreset.Brats2021, ["T1", "T2"]))[0];
        var recipe = new InferenceRecipe(grid, 32, LabelConvention.Brats2021);
        var model = Path.Combine(root.FullName, "model.segan");
        ModelFile.Save(model, network, new ModelMetadata(["T1", "T2"], "brats2021", recipe.ToPreprocessingJson()));
        return new PhantomModelCase(files, recipe, model);
    }
}

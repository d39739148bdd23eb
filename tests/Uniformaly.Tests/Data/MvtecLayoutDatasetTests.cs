using NUnit.Framework;
using Uniformaly.Research.Data;

namespace Uniformaly.Tests.Data;

public sealed class MvtecLayoutDatasetTests
{
    [Test]
    public void Load_ListsTrainAndTestWithLabelsTypesAndMasks()
    {
        using var root = new TempFolder();
        root.File("bottle/train/good/000.png");
        root.File("bottle/train/good/001.png");
        root.File("bottle/train/good/notes.txt");
        root.File("bottle/test/good/000.png");
        root.File("bottle/test/broken_large/000.png");
        root.File("bottle/test/broken_large/001.png");
        root.File("bottle/ground_truth/broken_large/000_mask.png");
        root.File("bottle/ground_truth/broken_large/001_mask.png");

        var split = MvtecLayoutDataset.Load(root.Path, "bottle", DatasetKind.Mvtec);

        Assert.That(split.Train.Select(s => s.RelativePath), Is.EqualTo(new[] { "bottle/train/good/000.png", "bottle/train/good/001.png" }));
        Assert.That(split.Test.Select(s => (s.RelativePath, s.AnomalyType, s.Label)), Is.EqualTo(new[]
        {
            ("bottle/test/broken_large/000.png", "broken_large", 1),
            ("bottle/test/broken_large/001.png", "broken_large", 1),
            ("bottle/test/good/000.png", "good", 0),
        }));
        Assert.That(split.Test[0].MaskPath, Is.EqualTo(Path.Combine(root.Path, "bottle/ground_truth/broken_large/000_mask.png")));
        Assert.That(split.Test[2].MaskPath, Is.Null);
        Assert.That(split.HasMasks, Is.True);
    }

    [Test]
    public void Btad_UsesOkKoAndSameStemMasks()
    {
        using var root = new TempFolder();
        root.File("01/train/ok/0000.bmp");
        root.File("01/test/ok/0000.bmp");
        root.File("01/test/ko/0001.bmp");
        root.File("01/ground_truth/ko/0001.png");

        var split = MvtecLayoutDataset.Load(root.Path, "01", DatasetKind.Btad);

        Assert.That(split.Train, Has.Count.EqualTo(1));
        Assert.That(split.Test.Select(s => (s.AnomalyType, s.Label)), Is.EqualTo(new[] { ("ko", 1), ("good", 0) }));
        Assert.That(split.Test[0].MaskPath, Does.EndWith("01/ground_truth/ko/0001.png"));
    }

    [Test]
    public void ResolveCategories_AllMeansTheDatasetsList()
    {
        using var root = new TempFolder();
        root.File("b/train/good/0.png");
        root.File("a/train/good/0.png");
        root.File("readme/x.txt");
        Assert.That(MvtecLayoutDataset.ResolveCategories(root.Path, DatasetKind.Folder, "all"), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(MvtecLayoutDataset.ResolveCategories(root.Path, DatasetKind.Mvtec, "all"), Has.Count.EqualTo(15));
        Assert.That(MvtecLayoutDataset.ResolveCategories(root.Path, DatasetKind.Btad, "ALL"), Is.EqualTo(new[] { "01", "02", "03" }));
        Assert.That(MvtecLayoutDataset.ResolveCategories(root.Path, DatasetKind.Mvtec, "bottle, cable"), Is.EqualTo(new[] { "bottle", "cable" }));
    }

    [Test]
    public void MissingRoot_NamesThePath()
    {
        var e = Assert.Throws<DatasetException>(() => MvtecLayoutDataset.ResolveCategories("/no/such/root", DatasetKind.Mvtec, "all"));
        Assert.That(e!.Message, Does.Contain("/no/such/root"));
    }

    [Test]
    public void MissingCategory_NamesIt()
    {
        using var root = new TempFolder();
        var e = Assert.Throws<DatasetException>(() => MvtecLayoutDataset.Load(root.Path, "bottle", DatasetKind.Mvtec));
        Assert.That(e!.Message, Does.Contain("category 'bottle' not found"));
    }

    [Test]
    public void CategoryWithoutTrainingImages_IsAnError()
    {
        using var root = new TempFolder();
        root.File("bottle/train/good/readme.txt");
        root.File("bottle/test/good/0.png");
        var e = Assert.Throws<DatasetException>(() => MvtecLayoutDataset.Load(root.Path, "bottle", DatasetKind.Mvtec));
        Assert.That(e!.Message, Does.Contain("no training images"));
    }

    [Test]
    public void EmptyTestFolder_IsAnError()
    {
        using var root = new TempFolder();
        root.File("bottle/train/good/0.png");
        Directory.CreateDirectory(Path.Combine(root.Path, "bottle/test/good"));
        var e = Assert.Throws<DatasetException>(() => MvtecLayoutDataset.Load(root.Path, "bottle", DatasetKind.Mvtec));
        Assert.That(e!.Message, Does.Contain("no test images"));
    }
}

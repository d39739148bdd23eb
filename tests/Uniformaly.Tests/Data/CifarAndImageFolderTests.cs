using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;

namespace Uniformaly.Tests.Data;

public sealed class CifarAndImageFolderTests
{
    /// <summary>A CIFAR record whose R plane is all r, G all g, B all b.</summary>
    private static byte[] Record(bool cifar100, byte fine, byte coarse, byte r, byte g, byte b)
    {
        var labels = cifar100 ? new[] { coarse, fine } : new[] { fine };
        var planes = Enumerable.Repeat(r, 1024).Concat(Enumerable.Repeat(g, 1024)).Concat(Enumerable.Repeat(b, 1024));
        return labels.Concat(planes).ToArray();
    }

    [Test]
    public void Cifar10_ReadsLabelsAndInterleavesPlanes()
    {
        using var root = new TempFolder();
        root.File("cifar-10-batches-bin/test_batch.bin", [.. Record(false, 3, 3, 10, 20, 30), .. Record(false, 9, 9, 1, 2, 3)]);
        var folder = CifarBinary.ResolveFolder(root.Path, cifar100: false);
        var images = CifarBinary.Read(folder, cifar100: false, train: false);
        Assert.That(images.Select(i => i.Label), Is.EqualTo(new[] { 3, 9 }));
        Assert.That(images[0].Rgb[..6], Is.EqualTo(new byte[] { 10, 20, 30, 10, 20, 30 }));
        Assert.That(images[1].Rgb[^3..], Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Cifar100_ReadsCoarseAndFineLabels()
    {
        using var root = new TempFolder();
        root.File("test.bin", Record(true, fine: 42, coarse: 17, 0, 0, 0));
        var images = CifarBinary.Read(CifarBinary.ResolveFolder(root.Path, cifar100: true), cifar100: true, train: false);
        Assert.That((images[0].Label, images[0].SuperClass), Is.EqualTo((42, 17)));
    }

    [Test]
    public void TruncatedCifarFile_IsAnErrorNamingTheFile()
    {
        using var root = new TempFolder();
        var path = root.File("test_batch.bin", Record(false, 1, 1, 0, 0, 0)[..1000]);
        var e = Assert.Throws<DatasetException>(() => CifarBinary.Read(root.Path, cifar100: false, train: false));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("truncated"));
    }

    [Test]
    public void MissingCifarRelease_IsAnError()
    {
        using var root = new TempFolder();
        var e = Assert.Throws<DatasetException>(() => CifarBinary.ResolveFolder(root.Path, cifar100: false));
        Assert.That(e!.Message, Does.Contain("test_batch.bin"));
    }

    [Test]
    public void ImageFolder_ListsSortedClassesAndImages()
    {
        using var root = new TempFolder();
        root.File("train/zebra/1.jpg");
        root.File("train/ant/2.jpg");
        root.File("train/ant/1.jpg");
        Assert.That(ImageFolderDataset.Classes(root.Path, "train"), Is.EqualTo(new[] { "ant", "zebra" }));
        Assert.That(ImageFolderDataset.Images(root.Path, "train").Select(i => (i.RelativePath, i.ClassIndex)),
            Is.EqualTo(new[] { ("train/ant/1.jpg", 0), ("train/ant/2.jpg", 0), ("train/zebra/1.jpg", 1) }));
    }

    [Test]
    public void NormalClasses_ParsesIndicesAndNames()
    {
        var names = CifarBinary.Cifar10Classes;
        Assert.That(NormalClasses.Parse("3", names, "--normal"), Is.EqualTo(new[] { 3 }));
        Assert.That(NormalClasses.Parse("4,0, 2", names, "--normal"), Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(NormalClasses.Parse("cat,Dog", names, "--normal"), Is.EqualTo(new[] { 3, 5 }));
    }

    [TestCase("10", "out of range")]
    [TestCase("unicorn", "unknown class 'unicorn'")]
    [TestCase("0,1,2,3,4,5,6,7,8,9", "all 10 classes are normal")]
    [TestCase(",", "no class given")]
    public void NormalClasses_RejectsBadSelections(string selection, string message)
    {
        var e = Assert.Throws<SettingException>(() => NormalClasses.Parse(selection, CifarBinary.Cifar10Classes, "--normal"));
        Assert.That(e!.Message, Does.StartWith("--normal: ").And.Contain(message));
    }
}

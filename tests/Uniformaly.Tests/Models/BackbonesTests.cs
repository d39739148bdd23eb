using NUnit.Framework;
using Uniformaly.Research.Models;

namespace Uniformaly.Tests.Models;

[TestFixture]
public sealed class BackbonesTests
{
    [TestCase("dino_vits16", 384, 12, 6, 16, 14)]
    [TestCase("dino_vits8", 384, 12, 6, 8, 28)]
    [TestCase("dino_vitb16", 768, 12, 12, 16, 14)]
    [TestCase("dino_vitb8", 768, 12, 12, 8, 28)]
    [TestCase("ibot_vits16", 384, 12, 6, 16, 14)]
    [TestCase("ibot_vitb16", 768, 12, 12, 16, 14)]
    [TestCase("ibot_vitl16", 1024, 24, 16, 16, 14)]
    public void Get_KnowsThePapersBackbones(string name, int dim, int depth, int heads, int patch, int grid)
    {
        var spec = Backbones.Get(name);
        Assert.That(spec.Architecture, Is.EqualTo(new VitArchitecture(dim, depth, heads, patch, grid)));
        Assert.That(spec.Url, Does.StartWith("https://").And.EndWith(Path.GetFileName(spec.WeightsFile)));
    }

    [Test]
    public void Get_AnUnknownNameListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => Backbones.Get("dino_vitx3"));
        Assert.That(error!.Message, Does.Contain("dino_vitx3").And.Contain("ibot_vitb16"));
    }

    [Test]
    public void Load_AMissingFileNamesTheExpectedPathAndTheUrl()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => Backbones.Load("ibot_vitb16", weightsFolder: folder.Path));
        Assert.That(error!.Message, Does.Contain(Path.Combine(folder.Path, "ibot_vitb16", "checkpoint_teacher.pth")));
        Assert.That(error.Message, Does.Contain("https://lf3-nlp-opensource.bytetos.com/obj/nlp-opensource/archive/2022/ibot/vitb_16_rand_mask/checkpoint_teacher.pth"));
    }
}

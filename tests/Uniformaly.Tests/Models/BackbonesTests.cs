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

    [TestCase("dinov2_vits14", "dinov2_vits14_pretrain.pth", "https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth")]
    [TestCase("dinov2_vitg14_reg", "dinov2_vitg14_reg4_pretrain.pth", "https://dl.fbaipublicfiles.com/dinov2/dinov2_vitg14/dinov2_vitg14_reg4_pretrain.pth")]
    [TestCase("dinov3_vits16", "dinov3_vits16_pretrain_lvd1689m-08c60483.pth", "https://ai.meta.com/resources/models-and-libraries/dinov3-downloads/")]
    [TestCase("dinov3_vith16plus", "dinov3_vith16plus_pretrain_lvd1689m-7c1da9a5.pth", "https://ai.meta.com/resources/models-and-libraries/dinov3-downloads/")]
    public void Get_KnowsTheDinov2AndDinov3FilesByTheirReleaseNames(string name, string file, string url)
    {
        var spec = Backbones.Get(name);
        Assert.That((spec.WeightsFile, spec.Url, spec.Gated), Is.EqualTo((file, url, name.StartsWith("dinov3", StringComparison.Ordinal))));
    }

    [TestCase("random_vits16", "dino_vits16")]
    [TestCase("random_dinov2_vitb14_reg", "dinov2_vitb14_reg")]
    [TestCase("random_dinov3_vits16plus", "dinov3_vits16plus")]
    public void ArchitectureOf_ARandomNameIsItsNamedBackbonesArchitecture(string random, string named)
    {
        Assert.That(Backbones.Names, Does.Contain(random));
        Assert.That(Backbones.ArchitectureOf(random), Is.EqualTo(Backbones.Get(named).Architecture));
    }

    [Test]
    public void Load_AMissingGatedFileSaysHowToGetIt()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => Backbones.Load("dinov3_vitb16", weightsFolder: folder.Path));
        Assert.That(error!.Message, Does.Contain(Path.Combine(folder.Path, "dinov3_vitb16_pretrain_lvd1689m-73cec8be.pth"))
            .And.Contain("gated").And.Contain("https://ai.meta.com/resources/models-and-libraries/dinov3-downloads/"));
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

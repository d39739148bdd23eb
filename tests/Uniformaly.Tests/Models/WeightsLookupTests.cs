using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Models;
using Uniformaly.Tests.Cli;

namespace Uniformaly.Tests.Models;

/// <summary>
/// Where named backbones' files are looked for: --weights alone when given; else
/// $UNIFORMALY_WEIGHTS, then weights/ of the repository the program runs from (found from the
/// program's folder, not the current directory), then ./weights. A missing file names every place.
/// </summary>
[NonParallelizable]
public sealed class WeightsLookupTests
{
    private string? _saved;

    [SetUp]
    public void Save() => _saved = Environment.GetEnvironmentVariable(Backbones.WeightsVariable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(Backbones.WeightsVariable, _saved);

    /// <summary>The checkout this test assembly was built in: it runs from REPO/tests/Uniformaly.Tests/bin/Release/net10.0.</summary>
    private static string ThisCheckout => Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", ".."));

    [Test]
    public void TheRepository_IsTheCheckoutThisProgramWasBuiltIn()
    {
        Assert.That(RepositoryRoot.OfThisProgram, Is.EqualTo(ThisCheckout));
        Assert.That(File.Exists(Path.Combine(ThisCheckout, "weights", "README.md")));
    }

    [Test]
    public void TheRepository_IsFoundFromTheBuiltBinaries_AndFromAPublishUnpackedInsideIt()
    {
        using var folder = new TempFolder();
        var repository = Path.Combine(folder.Path, "checkout");
        folder.File("checkout/Uniformaly.sln");
        foreach (var app in new[] { "Uniformaly.Experiments/bin/Release/net10.0", "out/gpu/work/app" })
        {
            Directory.CreateDirectory(Path.Combine(repository, app));
            Assert.That(RepositoryRoot.Find(Path.Combine(repository, app)), Is.EqualTo(repository), app);
        }
        Directory.CreateDirectory(Path.Combine(folder.Path, "installed", "app"));
        Assert.That(RepositoryRoot.Find(Path.Combine(folder.Path, "installed", "app")), Is.Null, "an app outside any checkout");
    }

    [Test]
    public void WithoutWeights_TheVariableThenTheRepositoryThenTheCurrentFolderAreSearched()
    {
        using var folder = new TempFolder();
        Environment.SetEnvironmentVariable(Backbones.WeightsVariable, folder.Path);
        var expected = new[] { folder.Path, Path.Combine(ThisCheckout, "weights"), Path.GetFullPath("weights") }.Distinct();
        Assert.That(Backbones.WeightsFolders(), Is.EqualTo(expected));
        Environment.SetEnvironmentVariable(Backbones.WeightsVariable, null);
        Assert.That(Backbones.WeightsFolders()[0], Is.EqualTo(Path.Combine(ThisCheckout, "weights")), "never only the current folder");
        Assert.That(Backbones.WeightsFolders(folder.Path), Is.EqualTo(new[] { folder.Path }), "--weights is where the user said");
    }

    [Test]
    public void TheFileIsTakenFromTheFirstFolderThatHasIt()
    {
        using var folder = new TempFolder();
        var file = folder.File("dino_deitsmall16_pretrain.pth");
        Environment.SetEnvironmentVariable(Backbones.WeightsVariable, folder.Path);
        Assert.That(Backbones.WeightsPath(Backbones.Get("dino_vits16")), Is.EqualTo(file));
    }

    [Test]
    public void AMissingFile_NamesEveryPlaceLookedIn_AndTheUrl()
    {
        using var folder = new TempFolder();
        Environment.SetEnvironmentVariable(Backbones.WeightsVariable, folder.Path);
        var spec = Backbones.Get("ibot_vitb16");
        var error = Assert.Throws<FileNotFoundException>(() => Backbones.WeightsPath(spec));
        foreach (var place in Backbones.WeightsFolders())
            Assert.That(error!.Message, Does.Contain(Path.Combine(place, "ibot_vitb16", "checkpoint_teacher.pth")));
        Assert.That(error!.Message, Does.Contain(Path.Combine(ThisCheckout, "weights", "ibot_vitb16", "checkpoint_teacher.pth")).And.Contain(spec.Url));
    }

    [Test]
    public void TheCommandLine_SaysWhereItLooked()
    {
        using var folder = new TempFolder();
        Environment.SetEnvironmentVariable(Backbones.WeightsVariable, folder.Path);
        var image = Directory.GetFiles(TestSetup.Fixture("imaging"), "*.png")[0];
        var (code, _, error) = CliRunner.Run("features", "--image", image, "--backbone", "dino_vits16", "--out", Path.Combine(folder.Path, "f.safetensors"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith($"error: weights of backbone 'dino_vits16' not found; looked for {folder.Path}/dino_deitsmall16_pretrain.pth, " +
            $"{ThisCheckout}/weights/dino_deitsmall16_pretrain.pth").And.Contain(Backbones.Get("dino_vits16").Url));
        Assert.That(CliRunner.Run("info").Out, Does.Contain($"weights folders: {folder.Path}, {ThisCheckout}/weights"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Features;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Features;

/// <summary>Images decode on the host; a CUDA backbone gets them moved (bench e2e on a GPU failed
/// with "images must be float32 on cuda:0 like the weights" before).</summary>
[TestFixture]
public sealed class FeatureExtractorDeviceTests
{
    [Test]
    public void Extract_OnCuda_TakesHostImagesAndMatchesTheCpu()
    {
        Cuda.Require();
        var settings = new DetectorSettings { Backbone = "random_vits16", Layers = [1, 2], ImageSize = 64, Resize = 64 };
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(3);
        var images = Tensor.Randn([2, 3, 64, 64]);
        using var cpu = FeatureExtractor.Create(settings, Device.Cpu);
        using var cuda = FeatureExtractor.Create(settings, Device.Cuda());
        using var expected = cpu.Extract(images);
        using var actual = cuda.Extract(images);
        Assert.That(actual.Features.Device, Is.EqualTo(Device.Cuda()));
        VitFixtures.AssertClose(actual.Features.To(Device.Cpu), expected.Features, "patch features on cuda");
    }
}

using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Torch;

namespace Uniformaly.Tests.Bank;

/// <summary>Building the bank from kept patches, its norms, storage types and failures.</summary>
public sealed class MemoryBankTests
{
    [Test]
    public void Builder_AppendsKeptRowsByMaskOrIndex_InOrder()
    {
        using var scope = new DisposeScope();
        using var builder = new MemoryBankBuilder(2, Device.Cpu, new IdentitySampler());
        builder.Append(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 3, 2), Tensor.FromArray([true, false, true]));
        builder.Append(Tensor.FromArray([7f, 8f, 9f, 10f], 2, 2), Tensor.FromArray([1L]));
        builder.Append(Tensor.FromArray([11f, 12f], 1, 2));
        builder.Append(Tensor.FromArray([13f, 14f], 1, 2), Tensor.FromArray([false]));
        Assert.That(builder.Count, Is.EqualTo(4));
        using var bank = builder.Build();
        TensorAssert.Values(bank.Features, [4, 2], [1f, 2f, 5f, 6f, 9f, 10f, 11f, 12f]);
        TensorAssert.Values(bank.SquaredNorms, [4], [5f, 61f, 181f, 265f]);
    }

    [Test]
    public void Builder_CopiesRows_SoLaterChangesToTheInputDoNotReachTheBank()
    {
        using var scope = new DisposeScope();
        using var builder = new MemoryBankBuilder(2, Device.Cpu, new IdentitySampler());
        var features = Tensor.FromArray([1f, 2f], 1, 2);
        builder.Append(features);
        features.Fill(0);
        using var bank = builder.Build();
        TensorAssert.Values(bank.Features, [1, 2], [1f, 2f]);
    }

    [Test]
    public void Builder_AppliesTheSampler()
    {
        using var scope = new DisposeScope();
        var start = new CoresetStart(Tensor.FromArray([1f], 1, 1), Tensor.FromArray([0L, 1L]));
        using var builder = new MemoryBankBuilder(1, Device.Cpu, new ApproximateGreedyCoresetSampler(0.4, start));
        builder.Append(Tensor.FromArray([0f, 1f, 2f, 5f, 10f], 5, 1));
        using var bank = builder.Build();
        TensorAssert.Values(bank.Features, [2, 1], [10f, 5f]);
    }

    /// <summary>Streaming is invisible in the result: rows appended image by image (uneven batches,
    /// some rows dropped by a mask), kept in memory or mostly spilled to the temporary file, give the
    /// bank that the sampler's choice among all rows at once gives, bit for bit, for every sampler.</summary>
    [TestCase("coreset", 1L << 30)]
    [TestCase("coreset", 0L)]
    [TestCase("coreset", 40_000L)]
    [TestCase("random", 0L)]
    [TestCase("identity", 40_000L)]
    public void StreamedBank_EqualsTheBankOfAllRowsAtOnce(string kind, long memoryBytes)
    {
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(12);
        var features = Tensor.Randn([1500, 40]) * 2;
        IFeatureSampler Sampler() => kind switch
        {
            "coreset" => new ApproximateGreedyCoresetSampler(0.1, seed: 5),
            "random" => new RandomSampler(0.2, seed: 5),
            _ => new IdentitySampler(),
        };
        var keep = Tensor.FromArray(Enumerable.Range(0, 1500).Select(i => i % 7 != 3).ToArray());
        var kept = features.IndexSelect(0, keep.NonZero().Squeeze(1));
        var expected = kept.IndexSelect(0, Sampler().Select(kept));

        using var builder = new MemoryBankBuilder(40, Device.Cpu, Sampler(), memoryBytes);
        var random = new Random(3);
        for (var start = 0; start < 1500;)
        {
            var length = Math.Min(random.Next(1, 200), 1500 - start);
            builder.Append(features.Narrow(0, start, length), keep.Narrow(0, start, length));
            start += length;
        }
        using var bank = builder.Build();
        Assert.That(bank.Features.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()));
        Assert.That(builder.SpilledRows, memoryBytes < builder.Count * 40 * sizeof(float) ? Is.GreaterThan(0) : Is.Zero);
    }

    [Test]
    public void EmptyBank_IsAnError()
    {
        using var builder = new MemoryBankBuilder(2, Device.Cpu, new RandomSampler(0.1));
        using (new DisposeScope()) builder.Append(Tensor.Zeros([3, 2]), Tensor.Zeros([3], DType.Bool));
        Assert.That(() => builder.Build(), Throws.InvalidOperationException.With.Message.Contains("empty"));
        using (new DisposeScope()) builder.Append(Tensor.Zeros([3, 2]));
        Assert.That(() => builder.Build(), Throws.InvalidOperationException.With.Message.Contains("kept none of the 3 rows"));
        Assert.That(() => builder.Build(), Throws.InvalidOperationException.With.Message.Contains("already built"));
    }

    [Test]
    public void WrongShapes_AreRejectedWithTheirNames()
    {
        using var scope = new DisposeScope();
        using var builder = new MemoryBankBuilder(2, Device.Cpu, new IdentitySampler());
        Assert.That(() => builder.Append(Tensor.Zeros([3, 4])), Throws.ArgumentException.With.Property("ParamName").EqualTo("patchFeatures"));
        Assert.That(() => builder.Append(Tensor.Zeros([3, 2]), Tensor.Zeros([4], DType.Bool)), Throws.ArgumentException.With.Property("ParamName").EqualTo("keep"));
        Assert.That(() => MemoryBank.FromFeatures(Tensor.Zeros([3]), Device.Cpu), Throws.ArgumentException.With.Property("ParamName").EqualTo("features"));
    }

    [TestCase(DType.Float16)]
    [TestCase(DType.BFloat16)]
    public void HalfStorage_KeepsNormsOfTheStoredValues_AndSearchesInFloat32(DType storage)
    {
        using var scope = new DisposeScope();
        var features = DetectionFixtures.Load("knn_bank");
        using var bank = MemoryBank.FromFeatures(features, Device.Cpu, storage);
        Assert.That(bank.StorageType, Is.EqualTo(storage));
        var stored = bank.Features.To(DType.Float32);
        NumericAssert.Close(bank.SquaredNorms.ToArray<float>(), (stored * stored).Sum(1).ToArray<float>(), Tolerances.SquaredDistance(64), "squared norms");
        using var search = new ExactNearestNeighbourSearch(bank, chunkRows: 1000);
        using var result = search.Search(bank.Features.Narrow(0, 0, 5).To(DType.Float32));
        Assert.That(result.Indices.ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 2, 3, 4 }));
        NumericAssert.Close(result.SquaredDistances.ToArray<float>(), new float[5], Tolerances.SquaredDistance(64), "distances to themselves",
            2 * bank.SquaredNorms.Narrow(0, 0, 5).Max().Item());
    }

    [Test]
    public void BankThatCannotBeAllocated_ReportsTheSizeNeeded()
    {
        // 2^40 x 768 float32 = 3 PiB: more than any address space.
        var error = Assert.Throws<TorchException>(() => MemoryBank.Allocate(1L << 40, 768, DType.Float32, Device.Cpu));
        Assert.That(error!.Message, Does.Contain("1099511627776 x 768 float32").And.Contain("3145728.00 GiB"));
    }

    [Test]
    public void Cuda_HoldsABankThatSearches()
    {
        Cuda.Require();
        using var scope = new DisposeScope();
        var features = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        using var bank = MemoryBank.FromFeatures(features, Device.Cuda());
        using var search = new ExactNearestNeighbourSearch(bank);
        using var result = search.Search(features);
        Assert.That(result.Indices.To(Device.Cpu).ToArray<long>(), Is.EqualTo(new long[] { 0, 1 }));
    }

    [Test]
    public void CudaWithoutCuda_IsAClearTorchException()
    {
        Cuda.RequireAbsent();
        using var scope = new DisposeScope();
        var features = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        Assert.That(() => MemoryBank.FromFeatures(features, Device.Cuda()),
            Throws.TypeOf<TorchException>().With.Message.Contains("CUDA is not available"));
        Assert.That(() => new MemoryBankBuilder(2, Device.Cuda(), new IdentitySampler()),
            Throws.TypeOf<TorchException>().With.Message.Contains("CUDA is not available"));
    }
}

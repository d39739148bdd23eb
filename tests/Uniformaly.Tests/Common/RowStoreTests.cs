using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Common;

/// <summary>RowStore: rows in memory up to the budget, the rest in an unlinked temporary file, read
/// back exactly, in any order, and handed over block by block.</summary>
public sealed class RowStoreTests
{
    private const int Dim = 6, RowsPerBlock = 4;

    [Test]
    public void Gather_ReadsRowsFromMemoryTheFileAndTheOpenBlock_InTheOrderAsked()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        var rows = Tensor.Arange(0, 23 * Dim, dtype: DType.Float32).Reshape(23, Dim);
        using var store = new RowStore(Dim, Device.Cpu, RowsPerBlock, memoryBytes: 2 * RowsPerBlock * Dim * sizeof(float), folder.Path);
        foreach (var (start, length) in new[] { (0, 3), (3, 9), (12, 1), (13, 10) }) store.Append(rows.Narrow(0, start, length));

        Assert.That(store.Count, Is.EqualTo(23));
        Assert.That(store.SpilledRows, Is.EqualTo(3 * RowsPerBlock), "blocks 0-1 in memory, 2-4 in the file, the last one open");
        Assert.That(store.HeldBytes, Is.EqualTo(3 * RowsPerBlock * Dim * sizeof(float)));
        Assert.That(Directory.GetFiles(folder.Path), Is.Empty, "the temporary file is unlinked at once");
        long[] wanted = [22, 0, 13, 13, 7, 20, 9, 1];
        var gathered = store.Gather(Tensor.FromArray(wanted));
        Assert.That(gathered.ToArray<float>(), Is.EqualTo(rows.IndexSelect(0, Tensor.FromArray(wanted)).ToArray<float>()));
    }

    [Test]
    public void Drain_HandsOverEveryRowInOrder_AndEmptiesTheStore()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        var rows = Tensor.Randn([10, Dim]);
        var store = new RowStore(Dim, Device.Cpu, RowsPerBlock, memoryBytes: 0, folder.Path);
        store.Append(rows);
        var drained = store.Drain().Select(b => (b.FirstRow, Values: b.Rows.ToArray<float>())).ToList();
        Assert.That(drained.Select(b => b.FirstRow), Is.EqualTo(new long[] { 0, 4, 8 }));
        Assert.That(drained.SelectMany(b => b.Values), Is.EqualTo(rows.ToArray<float>()));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public void UnwritableSpillFolder_IsAnIOExceptionThatNamesIt()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        var blocker = folder.File("not-a-folder");
        using var store = new RowStore(Dim, Device.Cpu, RowsPerBlock, memoryBytes: 0, Path.Combine(blocker, "spill"));
        var error = Assert.Throws<IOException>(() => store.Append(Tensor.Zeros([RowsPerBlock, Dim])));
        Assert.That(error!.Message, Does.Contain(blocker).And.Contain("TMPDIR"));
    }

    [Test]
    public void BadArguments_AreRejected()
    {
        using var scope = new DisposeScope();
        using var store = new RowStore(Dim, Device.Cpu, RowsPerBlock);
        Assert.That(() => store.Append(Tensor.Zeros([2, Dim + 1])), Throws.ArgumentException.With.Property("ParamName").EqualTo("rows"));
        store.Append(Tensor.Zeros([2, Dim]));
        Assert.That(() => store.Gather(Tensor.FromArray([2L])), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}

using System.Diagnostics;
using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Tensor lifetimes: scopes free intermediates, results move out, nothing leaks.</summary>
public sealed class DisposeScopeTests
{
    [Test]
    public void Scope_FreesEveryIntermediate()
    {
        var before = Tensor.LiveCount;
        using (var scope = new DisposeScope())
        {
            var x = Tensor.Ones([4]);
            var y = (x + 1) * 2 - x;
            Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { 3, 3, 3, 3 }));
            Assert.That(scope.Count, Is.EqualTo(4), "x, x + 1, (x + 1) * 2 and the result");
        }
        Assert.That(Tensor.LiveCount, Is.EqualTo(before));
    }

    [Test]
    public void MoveToOuter_KeepsTheResultAlive()
    {
        var before = Tensor.LiveCount;
        Tensor result;
        using (var outer = new DisposeScope())
        {
            using (var inner = new DisposeScope())
            {
                var x = Tensor.Ones([2]);
                result = inner.MoveToOuter(x * 3);
            }
            Assert.That(result.IsDisposed, Is.False);
            Assert.That(result.ToArray<float>(), Is.EqualTo(new float[] { 3, 3 }));
            Assert.That(outer.Count, Is.EqualTo(1));
        }
        Assert.That(result.IsDisposed, Is.True, "the outer scope took ownership and freed it");
        Assert.That(Tensor.LiveCount, Is.EqualTo(before));
    }

    [Test]
    public void DetachFromDisposeScope_SurvivesTheScope()
    {
        Tensor kept;
        using (new DisposeScope())
            kept = Tensor.Ones([1]).DetachFromDisposeScope();
        Assert.That(kept.IsDisposed, Is.False);
        kept.Dispose();
    }

    [Test]
    public void DisposingATensorEarly_RemovesItFromItsScope()
    {
        using var scope = new DisposeScope();
        var t = Tensor.Ones([1]);
        t.Dispose();
        Assert.That(scope.Count, Is.EqualTo(0));
    }

    [Test]
    public void Scopes_MustCloseInnermostFirst()
    {
        var outer = new DisposeScope();
        var inner = new DisposeScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.That(DisposeScope.Current, Is.Null);
    }

    [Test]
    public void TenThousandCreateDisposeIterations_DoNotGrowMemory()
    {
        // Warm up allocator caches first, then require the resident set to stay flat.
        Churn(1000);
        var before = ResidentBytes();
        var live = Tensor.LiveCount;
        Churn(10_000);
        var grown = ResidentBytes() - before;
        Assert.That(Tensor.LiveCount, Is.EqualTo(live), "no native tensor left alive");
        // Each iteration allocates ~64 KB natively: a leak of all of them would be ~640 MB.
        Assert.That(grown, Is.LessThan(32L << 20), $"resident memory grew by {grown / (1 << 20)} MB");
    }

    private static void Churn(int iterations)
    {
        var data = new float[16 * 1024];
        for (var i = 0; i < iterations; i++)
        {
            using var scope = new DisposeScope();
            var t = Tensor.FromArray(data, 128, 128);
            var u = t * 2 + 1;
            u.Sum().Item();
        }
        using (var t = Tensor.FromArray(data)) t.Sum().Item();
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}

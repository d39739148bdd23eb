using NUnit.Framework;
using Uniformaly.Research.Common;

namespace Uniformaly.Tests.Common;

/// <summary>The one lock of result folders and the feature cache: held until disposed, refused or
/// waited for meanwhile, and a lock file deleted by its holder does not let two holders in.</summary>
public sealed class FileLockTests
{
    [Test]
    public void AHeldLock_IsRefusedUntilReleased()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "lock");
        using (var held = FileLock.TryTake(path))
        {
            Assert.That(held, Is.Not.Null);
            Assert.That(FileLock.TryTake(path), Is.Null, "a second holder is refused at once");
            Assert.That(FileLock.Wait(path, TimeSpan.FromMilliseconds(50)), Is.Null, "and after waiting");
        }
        using var again = FileLock.TryTake(path);
        Assert.That(again, Is.Not.Null, "free once the holder is disposed");
    }

    [Test]
    public void ALockFileDeletedByItsHolder_IsTakenAfresh()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "lock");
        var first = FileLock.TryTake(path)!;
        first.DeleteFile();
        using var second = FileLock.TryTake(path);
        Assert.That(second, Is.Not.Null);
        Assert.That(File.Exists(path), "the new holder locks a file that exists");
        first.Dispose();
        Assert.That(FileLock.TryTake(path), Is.Null, "the new holder's lock still excludes others");
    }
}

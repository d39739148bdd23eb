using System.Text;
using NUnit.Framework;
using Uniformaly.Research.Checkpoints;

namespace Uniformaly.Tests.Checkpoints;

/// <summary>Malicious, truncated, corrupt and unknown files: each refused with a message naming
/// the file and the reason, and no pickled code ever run.</summary>
public sealed class UnsafeCheckpointTests
{
    /// <summary>The os.system payloads run `touch "$UNIFORMALY_SENTINEL"` (tools/make_checkpoint_fixtures.py;
    /// torch.load creates that file). Each test points the variable at a file in its own folder.</summary>
    private const string SentinelVariable = "UNIFORMALY_SENTINEL";

    [TestCase("malicious_system.pth", "'posix.system'")]
    [TestCase("malicious_system_legacy.pth", "'posix.system'")]
    public void Read_SystemPayload_IsRefusedByName_AndNeverRuns(string file, string global)
    {
        var path = CheckpointFixtures.Path(file);
        Assert.That(Encoding.Latin1.GetString(File.ReadAllBytes(path)), Does.Contain($"touch \"${{{SentinelVariable}:?}}\""), "the payload aims at the sentinel");
        using var folder = new TempFolder();
        var sentinel = Path.Combine(folder.Path, "sentinel");
        var previous = Environment.GetEnvironmentVariable(SentinelVariable);
        Environment.SetEnvironmentVariable(SentinelVariable, sentinel);
        try
        {
            var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("refuses the pickled global " + global));
            Assert.That(File.Exists(sentinel), Is.False, "the payload must never run");
        }
        finally
        {
            Environment.SetEnvironmentVariable(SentinelVariable, previous);
        }
    }

    [TestCase("malicious_eval.pth", "'__builtin__.eval'")] // protocol 2 writes Python 2's module name
    [TestCase("whole_module.pth", "'torch.nn.modules.linear.Linear'")]
    public void Read_DisallowedGlobal_IsRefusedByName(string file, string global)
    {
        var path = CheckpointFixtures.Path(file);
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("refuses the pickled global " + global));
    }

    [TestCase("truncated_zip.pth", "no end-of-central-directory record (truncated?)")]
    [TestCase("truncated_legacy.pth", "is truncated: storage")]
    [TestCase("truncated.safetensors", "do not fit it or the 188-byte data section (truncated file?)")]
    [TestCase("empty.pth", "is empty")]
    [TestCase("out_of_bounds.pth", "has a tensor of shape [7] reaching element 6 of storage '0', which holds 6")]
    [TestCase("wrong_numel.pth", "holds 24 bytes, but 5 Float32 elements need 20")]
    [TestCase("missing_storage.pth", "lacks the member 'six/data/0' of storage '0'")]
    [TestCase("garbage.bin", "has an unknown format")]
    public void Read_BadFile_IsRefusedWithReason(string file, string message)
    {
        var path = CheckpointFixtures.Path(file);
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(message));
    }

    // Four-digit \x escapes: C#'s \x is variable-length and would swallow following hex letters.
    [TestCase("\x0080\x0002cnt\nsystem\n.", "refuses the pickled global 'nt.system'")]
    [TestCase("\x0080\x0004\x008c\x0002os\x008c\x0006system\x0093.", "refuses the pickled global 'os.system'")]
    [TestCase("\x0080\x0002csubprocess\nPopen\n.", "refuses the pickled global 'subprocess.Popen'")]
    [TestCase("\x0080\x0002\x00ff", "unsupported pickle opcode 0xff")]
    [TestCase("\x0080\x0002h\x0005.", "memo key 5 was never stored")]
    [TestCase("\x0080\x0002t.", "no MARK to pop to")]
    [TestCase("\x0080\x0002K\x0001\x0085R.", "stack underflow")]
    [TestCase("\x0080\x0002K\x0001K\x0002\x0085R.", "calling a Int64")]
    [TestCase("\x0080\x0002K\x0001.", "is a pickle but not a torch.save file")]
    [TestCase("\x0080\x0002X\x0010\x0000\x0000\x0000ab", "is truncated: a pickle ends early")]
    [TestCase("\x0080\x0002ccollections\nOrderedDict\nK\x0001\x0085R.", "a construction of collections.OrderedDict with 1 arguments")]
    public void Read_HostileOrCorruptPickle_IsRefused(string pickle, string message)
    {
        using var folder = new TempFolder();
        var path = folder.File("hostile.pkl", Encoding.Latin1.GetBytes(pickle));
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(message));
    }

    [Test]
    public void Read_ZipWithoutTorchPickle_IsRefused()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "plain.zip");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            writer.Write("not a checkpoint");
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("expected one '<name>/data.pkl' member, found 0"));
    }

    [Test]
    public void Read_MissingFile_NamesIt()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "absent.pth");
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("cannot be opened"));
    }
}

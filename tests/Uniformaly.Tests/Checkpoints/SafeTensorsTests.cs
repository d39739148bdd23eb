using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Checkpoints;

/// <summary>safetensors reading (against a file written by an independent Python writer),
/// round trips through the C# writer, atomic writes and every malformed-file error.</summary>
public sealed class SafeTensorsTests
{
    private string _dir = "";

    [SetUp]
    public void CreateTempDir() => _dir = Directory.CreateTempSubdirectory("ufm-safetensors-").FullName;

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Read_PythonWrittenFile_GivesEveryDTypeExactly()
    {
        var expected = CheckpointFixtures.Tensors("hand_written.safetensors");
        using var tensors = SafeTensors.Read(CheckpointFixtures.Path("hand_written.safetensors"));
        Assert.That(tensors.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, e) in expected)
            CheckpointFixtures.AssertTensor(tensors[name], e, name);
        Assert.That(tensors.Metadata, Is.EqualTo(new Dictionary<string, string> { ["format"] = "pt", ["source"] = "fixture" }));
    }

    [Test]
    public void Write_ThenRead_RoundTripsDTypesShapesStridesAndMetadata()
    {
        using var scope = new DisposeScope();
        var matrix = Tensor.Arange(0, 12, dtype: DType.Float32).Reshape(3, 4);
        var tensors = new Dictionary<string, Tensor>
        {
            ["z.transposed"] = matrix.Transpose(0, 1),
            ["a.bf16"] = (matrix * 0.5).To(DType.BFloat16),
            ["f16"] = (matrix - 3).To(DType.Float16),
            ["f64"] = matrix.To(DType.Float64) / 3,
            ["i64"] = Tensor.FromArray(new long[] { long.MinValue, -1, 0, long.MaxValue }),
            ["i32"] = Tensor.FromArray(new[] { int.MinValue, 7 }),
            ["u8"] = Tensor.FromArray(new byte[] { 0, 255 }),
            ["bool"] = Tensor.FromArray(new[] { true, false, true }),
            ["scalar"] = Tensor.Scalar(1.5),
            ["empty"] = Tensor.Zeros([0, 3]),
        };
        var path = System.IO.Path.Combine(_dir, "out.safetensors");
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["epoch"] = "3" });

        using var back = SafeTensors.Read(path);
        Assert.That(back.Keys, Is.EqualTo(tensors.Keys.Order(StringComparer.Ordinal)));
        foreach (var (name, t) in tensors)
        {
            Assert.That(back[name].DType, Is.EqualTo(t.DType), name);
            Assert.That(back[name].Shape, Is.EqualTo(t.Shape), name);
            Assert.That(CheckpointFixtures.Values(back[name]), Is.EqualTo(CheckpointFixtures.Values(t)), name);
        }
        Assert.That(back.Metadata["epoch"], Is.EqualTo("3"));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(8 + HeaderLength(path) + tensors.Values.Sum(t => t.NumEl * t.DType.ElementSize())));
        Assert.That(HeaderLength(path) % 8, Is.Zero, "header padded to 8 bytes");
    }

    [Test]
    public void Write_ReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        var path = System.IO.Path.Combine(_dir, "w.safetensors");
        File.WriteAllText(path, "old contents");
        using (var t = Tensor.FromArray(new float[] { 1, 2 }))
            SafeTensors.Write(path, new Dictionary<string, Tensor> { ["w"] = t });
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
        using var back = SafeTensors.Read(path);
        Assert.That(back["w"].ToArray<float>(), Is.EqualTo(new float[] { 1, 2 }));
    }

    [Test]
    public void Write_ReservedName_IsRefused()
    {
        using var t = Tensor.Zeros([1]);
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensors.Write(System.IO.Path.Combine(_dir, "x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = t }));
        Assert.That(e!.Message, Does.Contain("__metadata__"));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    [Test]
    public void Read_TruncatedFile_NamesFileAndTensor()
    {
        var path = CheckpointFixtures.Path("truncated.safetensors");
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("truncated"));
    }

    [TestCase(new byte[] { 1, 2, 3 }, "too short")]
    [TestCase(new byte[] { 0xff, 0xff, 0, 0, 0, 0, 0, 0, (byte)'{' }, "header claims 65535 bytes")]
    public void Read_BadLength_IsRefused(byte[] bytes, string message)
    {
        var path = Write("bad.safetensors", bytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(message));
    }

    [TestCase("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", 8, "corrupt safetensors header")]
    [TestCase("[1, 2]", 0, "not a JSON object")]
    [TestCase("{\"a\": {\"dtype\": \"C64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8, "unsupported dtype 'C64'")]
    [TestCase("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, "'a' (F32 [3], 12 bytes) has data_offsets [0, 8]")]
    [TestCase("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4, "data_offsets [0, 8] that do not fit")]
    [TestCase("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "'a' and 'b' overlap")]
    [TestCase("{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8, "'a' has a malformed safetensors entry")]
    [TestCase("{\"__metadata__\": {\"k\": 1}}", 0, "entry 'k' is not a string")]
    public void Read_CorruptHeader_IsRefusedWithReason(string header, int dataBytes, string message)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        var path = Write("corrupt.safetensors", bytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(message));
    }

    [Test]
    public void Read_MissingFile_NamesIt()
    {
        var path = System.IO.Path.Combine(_dir, "absent.safetensors");
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("cannot be opened"));
    }

    private string Write(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static long HeaderLength(string path) =>
        (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8));
}

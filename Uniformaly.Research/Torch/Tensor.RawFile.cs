using Microsoft.Win32.SafeHandles;

namespace Uniformaly.Research.Torch;

/// <summary>Moving raw element bytes between files and native tensor memory without a managed
/// copy of the whole tensor (checkpoints hold hundreds of MB).</summary>
public sealed partial class Tensor
{
    // Span lengths are ints: large tensors move in chunks of this many bytes.
    private const int FileChunkBytes = 1 << 30;

    /// <summary>A new contiguous CPU tensor of <paramref name="shape"/> and <paramref name="dtype"/>
    /// filled with the little-endian bytes found at <paramref name="offset"/> in <paramref name="file"/>.</summary>
    /// <exception cref="EndOfStreamException">the file ends before the tensor's bytes do.</exception>
    public static Tensor ReadFrom(SafeFileHandle file, long offset, DType dtype, ReadOnlySpan<long> shape)
    {
        var tensor = Empty(shape, dtype);
        try
        {
            var nbytes = tensor.NumEl * dtype.ElementSize();
            for (long done = 0; done < nbytes;)
            {
                var span = tensor.RawBytes(done, (int)Math.Min(FileChunkBytes, nbytes - done));
                var read = RandomAccess.Read(file, span, offset + done);
                if (read == 0)
                    throw new EndOfStreamException($"file ends at byte {offset + done}, {nbytes - done} bytes short of a {dtype} tensor of shape [{string.Join(", ", shape.ToArray())}]");
                done += read;
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>A new contiguous CPU tensor filled with the next little-endian element bytes of
    /// <paramref name="stream"/> (e.g. an inflating stream).</summary>
    /// <exception cref="EndOfStreamException">the stream ends before the tensor's bytes do.</exception>
    public static Tensor ReadFrom(Stream stream, DType dtype, ReadOnlySpan<long> shape)
    {
        var tensor = Empty(shape, dtype);
        try
        {
            var nbytes = tensor.NumEl * dtype.ElementSize();
            for (long done = 0; done < nbytes;)
            {
                var count = (int)Math.Min(FileChunkBytes, nbytes - done);
                stream.ReadExactly(tensor.RawBytes(done, count));
                done += count;
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Writes the elements' little-endian bytes (row-major) to <paramref name="stream"/>;
    /// tensors on another device or with other strides are copied to a contiguous CPU tensor first.</summary>
    public void WriteTo(Stream stream)
    {
        using var scope = new DisposeScope();
        var source = Device == Device.Cpu && IsContiguous ? this : To(Device.Cpu).Contiguous();
        var nbytes = source.NumEl * DType.ElementSize();
        for (long done = 0; done < nbytes;)
        {
            var count = (int)Math.Min(FileChunkBytes, nbytes - done);
            stream.Write(source.RawBytes(done, count));
            done += count;
        }
    }

    /// <summary>A span over <paramref name="count"/> bytes of a contiguous CPU tensor's memory,
    /// from byte <paramref name="start"/>. Valid only while the tensor is alive.</summary>
    internal unsafe Span<byte> RawBytes(long start, int count)
    {
        if (count == 0) return [];
        var data = (byte*)Native.ufm_data_ptr(Handle);
        if (data == null) throw TorchException.FromLastError();
        return new Span<byte>(data + start, count);
    }
}

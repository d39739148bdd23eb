using System.Text;

namespace Uniformaly.Research.Checkpoints;

/// <summary>The one entry point for model weights: reads a torch.save file (zip or legacy format)
/// or a safetensors file without executing anything, and returns the backbone's state dict.</summary>
public static class CheckpointReader
{
    /// <summary>Reads the state dict of <paramref name="path"/>: found at the top level or under
    /// <c>state_dict</c>/<c>model</c>/<c>teacher</c>, keys renamed by <see cref="StateDictKeys"/>
    /// (wrapper prefixes stripped, heads dropped), tensors in their stored dtype on the CPU, each
    /// storage read straight from the file into native memory. The caller disposes the result;
    /// check it against the model with <see cref="StateDict.MatchStrict"/>.</summary>
    /// <exception cref="CheckpointException">unknown, truncated or corrupt file, a disallowed
    /// pickled global, or no state dict; the message names the file.</exception>
    public static StateDict Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = SafeTensors.OpenForReading(path);
        var length = RandomAccess.GetLength(file);
        var prefix = new byte[(int)Math.Min(16, length)];
        RandomAccess.Read(file, prefix, 0);
        switch (Detect(prefix, length, path))
        {
            case Format.TorchZip:
                return StateDictLocator.Extract(TorchZipArchive.Open(file, path));
            case Format.TorchLegacy:
                return StateDictLocator.Extract(TorchLegacyArchive.Open(file, path));
            default:
                using (var raw = SafeTensors.Read(path))
                    return StateDictLocator.Normalize(raw);
        }
    }

    private enum Format { TorchZip, TorchLegacy, SafeTensors }

    private static Format Detect(byte[] prefix, long length, string path)
    {
        if (length == 0) throw new CheckpointException(path, "is empty");
        if (prefix.AsSpan().StartsWith("PK\x03\x04"u8)) return Format.TorchZip;
        // A binary pickle (PROTO opcode): a legacy file starts with a pickle of its magic number,
        // which the legacy reader checks, so a plain pickle is told apart there.
        if (prefix[0] == 0x80) return Format.TorchLegacy;
        if (SafeTensors.LooksLikeSafeTensors(prefix, length)) return Format.SafeTensors;
        throw new CheckpointException(path,
            $"has an unknown format (starts with {Convert.ToHexString(prefix.AsSpan(0, Math.Min(8, prefix.Length)))}" +
            $" \"{Printable(prefix)}\"); expected a torch.save zip or legacy file, or safetensors");
    }

    private static string Printable(byte[] bytes) =>
        new(Encoding.Latin1.GetString(bytes, 0, Math.Min(8, bytes.Length)).Select(c => c is >= ' ' and <= '~' ? c : '.').ToArray());
}

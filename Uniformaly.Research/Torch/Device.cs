using System.Globalization;

namespace Uniformaly.Research.Torch;

public enum DeviceType { Cpu = 0, Cuda = 1 }

/// <summary>Where a tensor lives: <c>cpu</c> or <c>cuda[:N]</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index)
{
    public static Device Cpu { get; } = new(DeviceType.Cpu, -1);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text) =>
        TryParse(text, out var device) ? device : throw new ArgumentException($"unknown device '{text}': expected cpu, cuda or cuda:N");

    /// <summary>Reads "cpu", "cuda" or "cuda:N" (any case); false for anything else.</summary>
    public static bool TryParse(string text, out Device device)
    {
        var s = text.Trim().ToLowerInvariant();
        (var ok, device) = s switch
        {
            "cpu" => (true, Cpu),
            "cuda" => (true, Cuda(0)),
            _ when s.StartsWith("cuda:", StringComparison.Ordinal)
                && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index) => (true, Cuda(index)),
            _ => (false, Cpu),
        };
        return ok;
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}

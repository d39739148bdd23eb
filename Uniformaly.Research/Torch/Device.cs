namespace Uniformaly.Research.Torch;

public enum DeviceType { Cpu = 0, Cuda = 1 }

/// <summary>Where a tensor lives: <c>cpu</c> or <c>cuda[:N]</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index)
{
    public static Device Cpu { get; } = new(DeviceType.Cpu, -1);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "cuda") return Cuda(0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out var index) && index >= 0)
            return Cuda(index);
        throw new ArgumentException($"unknown device '{text}': expected cpu, cuda or cuda:N");
    }

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}

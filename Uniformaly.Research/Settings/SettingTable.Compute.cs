using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Settings;

/// <summary>Where and how fast: none of these changes what is computed beyond float32 rounding.</summary>
public static partial class SettingTable
{
    public static Setting<Device> Device { get; } = new("device", "Where the work runs: cpu, cuda or cuda:N", Torch.Device.Cpu, new(
        "cpu, cuda or cuda:N", "cpu|cuda[:N]", text => Torch.Device.TryParse(text, out var d) ? (true, d) : (false, default), _ => true,
        d => d.ToString(), d => System.Text.Json.Nodes.JsonValue.Create(d.ToString()), InHelp: false));

    public static Setting<int> BatchSize { get; } = new("batch-size", "Images per forward pass", 8, ValueKinds.Whole(1, 4096));

    public static Setting<int?> Threads { get; } = new("threads", "CPU threads for libtorch (default: one per core)", null,
        ValueKinds.Optional(ValueKinds.Whole(1, 1024)));
}

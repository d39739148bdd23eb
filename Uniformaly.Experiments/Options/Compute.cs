using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Options;

/// <summary>The compute settings (<see cref="SettingGroups.Compute"/>) applied to libtorch.</summary>
public static class Compute
{
    /// <summary>Sets the thread count (recording the one in effect in <paramref name="values"/>, for
    /// settings.json) and returns the device, checked to be available.</summary>
    public static Device Apply(SettingValues values)
    {
        TorchRuntime.Initialize();
        if (values.Get(SettingTable.Threads) is { } threads) TorchRuntime.NumThreads = threads;
        else values.Set(SettingTable.Threads, TorchRuntime.NumThreads, SettingTable.Threads.Option);
        var device = values.Get(SettingTable.Device);
        TorchRuntime.EnsureAvailable(device);
        return device;
    }
}

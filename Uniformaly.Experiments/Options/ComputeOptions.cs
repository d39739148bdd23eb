using System.CommandLine;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Options;

/// <summary>Where and how fast: device, batch size, threads.</summary>
public sealed class ComputeOptions
{
    public Option<string> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 8 };
    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for libtorch (default: all cores)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Device);
        command.Options.Add(BatchSize);
        command.Options.Add(Threads);
    }

    /// <summary>Applies the thread setting and returns the (available) device.</summary>
    public Device Apply(ParseResult parse)
    {
        TorchRuntime.Initialize();
        if (parse.GetValue(Threads) is { } threads) TorchRuntime.NumThreads = threads;
        var device = Research.Torch.Device.Parse(parse.GetValue(Device)!);
        TorchRuntime.EnsureAvailable(device);
        if (parse.GetValue(BatchSize) < 1) throw new ArgumentException("--batch-size must be at least 1");
        return device;
    }
}

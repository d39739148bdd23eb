using System.CommandLine;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly checkpoint FILE</c>: reads a checkpoint safely and lists its state dict.</summary>
public static class CheckpointCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A torch.save (.pth, zip or legacy) or safetensors file" };
        var all = new Option<bool>("--all") { Description = "List every tensor, not only the first 10" };
        var command = new Command("checkpoint", "Read a checkpoint without executing it and list its backbone tensors");
        command.Arguments.Add(file);
        command.Options.Add(all);
        command.SetAction(parseResult =>
        {
            TorchRuntime.Initialize();
            using var stateDict = CheckpointReader.Read(parseResult.GetValue(file)!);
            foreach (var line in Describe(stateDict, parseResult.GetValue(all))) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    public static IEnumerable<string> Describe(StateDict stateDict, bool all)
    {
        var parameters = stateDict.Values.Sum(t => t.NumEl);
        var dtypes = stateDict.Values.GroupBy(t => t.DType).Select(g => $"{g.Key} x{g.Count()}");
        yield return $"{stateDict.Source}: {stateDict.Count} tensors, {parameters:N0} elements ({string.Join(", ", dtypes)})";
        foreach (var (name, tensor) in all ? stateDict : stateDict.Take(10))
            yield return $"  {name} [{string.Join(", ", tensor.Shape)}] {tensor.DType}";
        if (!all && stateDict.Count > 10) yield return $"  ... {stateDict.Count - 10} more (--all lists them)";
    }
}

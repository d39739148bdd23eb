using System.CommandLine;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly info</c>: what the bridge runs on, and where named backbones are looked for.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the native bridge, libtorch version, image codecs, threads, CUDA availability, devices and weights folders");
        command.SetAction(_ =>
        {
            TorchRuntime.Initialize();
            foreach (var line in Describe()) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    public static IEnumerable<string> Describe()
    {
        yield return $"uniformaly {typeof(InfoCommand).Assembly.GetName().Version}";
        yield return $"native bridge:   {NativeLibraryResolver.Source}";
        yield return $"libtorch:        {TorchRuntime.Version}";
        yield return $"image codecs:    {ImageCodecs.Describe()}";
        yield return $"threads:         {TorchRuntime.NumThreads} (cores: {Environment.ProcessorCount})";
        var cuda = TorchRuntime.CudaIsAvailable;
        yield return $"cuda available:  {(cuda ? "yes" : "no")}";
        var count = cuda ? TorchRuntime.CudaDeviceCount : 0;
        yield return $"cuda devices:    {count}";
        yield return "devices:         " + string.Join(", ", new[] { "cpu" }.Concat(Enumerable.Range(0, count).Select(i => $"cuda:{i}")));
        yield return $"weights folders: {string.Join(", ", Backbones.WeightsFolders())} (searched in this order)";
    }
}

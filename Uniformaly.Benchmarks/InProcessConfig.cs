using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Uniformaly.Benchmarks;

/// <summary>Runs benchmarks inside this process (the native bridge and the reference server are
/// set up once) and reports the ratio to the baseline, which is always the reference.</summary>
public class InProcessConfig : ManualConfig
{
    public InProcessConfig() : this(InProcessEmitToolchain.Instance)
    {
    }

    /// <summary>With <see cref="LongRunning"/> for suites whose benchmark can outlast the
    /// in-process toolchain's default limit of 5 minutes per benchmark.</summary>
    protected InProcessConfig(IToolchain toolchain)
    {
        AddJob(Job.Default.WithToolchain(toolchain).WithWarmupCount(3).WithIterationCount(15));
        AddColumn(BaselineRatioColumn.RatioMean);
        AddColumnProvider(DefaultColumnProviders.Instance);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }

    /// <summary>The in-process toolchain with a 2-hour limit per benchmark (e.g. 18 batch-32 ViT
    /// forwards on a few CPU cores, or whole fit-and-predict runs).</summary>
    public static InProcessEmitToolchain LongRunning { get; } = new(TimeSpan.FromHours(2), logOutput: true);
}

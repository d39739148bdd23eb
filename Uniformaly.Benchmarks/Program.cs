using BenchmarkDotNet.Running;

namespace Uniformaly.Benchmarks;

/// <summary>Runs the BenchmarkDotNet suites: <c>make bench ARGS="--filter *MatMul*"</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

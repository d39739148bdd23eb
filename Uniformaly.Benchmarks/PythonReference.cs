using System.Diagnostics;
using System.Text.Json;

namespace Uniformaly.Benchmarks;

/// <summary>
/// A PyTorch process (tools/bench/reference_server.py under <see cref="Interpreter"/>) that
/// prepares a workload and runs it on request, so that the reference is measured in the same
/// BenchmarkDotNet run as the bridge, with the same threads.
/// </summary>
public sealed class PythonReference : IDisposable
{
    /// <summary>$UNIFORMALY_PYTHON, else Debian's /usr/bin/python3 (python3-torch). A GPU machine's
    /// CUDA PyTorch lives elsewhere (tools/gpu/run.sh sets the variable).</summary>
    public static string Interpreter =>
        Environment.GetEnvironmentVariable("UNIFORMALY_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3";

    private readonly Process _process;

    private PythonReference(Process process) => _process = process;

    /// <summary>Starts the server and prepares <paramref name="kind"/> with the given arguments.</summary>
    public static PythonReference Start(string kind, int threads, IReadOnlyDictionary<string, object> arguments)
    {
        var script = Path.Combine(RepositoryRoot(), "tools", "bench", "reference_server.py");
        var info = new ProcessStartInfo(Interpreter, script)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Interpreter} {script}");
        var reference = new PythonReference(process);
        var request = new Dictionary<string, object>(arguments) { ["op"] = "setup", ["kind"] = kind, ["threads"] = threads };
        reference.Call(request);
        return reference;
    }

    /// <summary>Runs the prepared workload (or its <paramref name="variant"/>) <paramref name="repeats"/> times.</summary>
    public void Run(int repeats, string variant = "default") =>
        Call(new Dictionary<string, object> { ["op"] = "run", ["repeats"] = repeats, ["variant"] = variant });

    private void Call(Dictionary<string, object> request)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(request));
        _process.StandardInput.Flush();
        var reply = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"the reference server exited (code {(_process.HasExited ? _process.ExitCode : -1)})");
        if (!reply.Contains("\"ok\": true", StringComparison.Ordinal))
            throw new InvalidOperationException($"reference server: {reply}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.WriteLine("{\"op\": \"quit\"}");
            _process.StandardInput.Flush();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }

    /// <summary>Runs a one-shot script (relative to the checkout) to completion and returns what it
    /// printed; a non-zero exit is an exception carrying its stderr.</summary>
    public static string RunScript(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), script));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Interpreter} {script}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Interpreter} {script} exited with {process.ExitCode}: {error.Result}");
        return output;
    }

    /// <summary>The checkout this benchmark binary was built from (it holds tools/bench).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "tools", "bench", "reference_server.py")))
                return dir.FullName;
        throw new DirectoryNotFoundException("tools/bench/reference_server.py not found above " + AppContext.BaseDirectory);
    }
}

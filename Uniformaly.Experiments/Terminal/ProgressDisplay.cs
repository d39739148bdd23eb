using System.Diagnostics;
using Spectre.Console;
using Uniformaly.Research.Common;

namespace Uniformaly.Experiments.Terminal;

/// <summary>
/// Shows progress: Spectre.Console bars with counts and ETA on an interactive terminal, plain
/// "stage: done/total" lines (at most every 10 %) when output is redirected (CI, logs).
/// </summary>
public static class ProgressDisplay
{
    private static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;

    /// <summary>Where to write log lines while <see cref="Run"/> shows progress: through Spectre on a
    /// terminal (so lines print above the live bars instead of through them), else standard error.</summary>
    public static TextWriter Log => Interactive ? new SpectreLineWriter() : System.Console.Error;

    /// <summary>Runs <paramref name="work"/> with a progress sink suited to the console.</summary>
    public static T Run<T>(Func<IProgressSink, T> work)
    {
        if (!Interactive)
            return work(new PlainProgress(System.Console.Error));
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new SpectreProgress(context)));
    }

    private sealed class SpectreProgress(ProgressContext context) : IProgressSink
    {
        public IProgressStage Begin(string stage, long total) => new Stage(context.AddTask(Markup.Escape(stage), maxValue: Math.Max(1, total)));

        private sealed class Stage(ProgressTask task) : IProgressStage
        {
            public void Advance(long steps = 1) => task.Increment(steps);

            public void Dispose()
            {
                task.Value = task.MaxValue;
                task.StopTask();
            }
        }
    }

    /// <summary>Whole lines to the Spectre console, escaped (file names may contain [ and ]).</summary>
    private sealed class SpectreLineWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value) => AnsiConsole.MarkupLine(Markup.Escape(value ?? ""));
    }

    /// <summary>"done/total" of a task as a Spectre column.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0}");
    }
}

/// <summary>Progress as plain lines, for logs: a line at every 10 % and at the end, with an ETA.</summary>
public sealed class PlainProgress(TextWriter writer) : IProgressSink
{
    public IProgressStage Begin(string stage, long total) => new Stage(writer, stage, Math.Max(1, total));

    private sealed class Stage(TextWriter writer, string name, long total) : IProgressStage
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done;
        private long _nextReport = Math.Max(1, total / 10);

        public void Advance(long steps = 1)
        {
            _done += steps;
            if (_done < _nextReport || _done >= total) return;
            _nextReport = _done + Math.Max(1, total / 10);
            var eta = _clock.Elapsed.TotalSeconds / _done * (total - _done);
            writer.WriteLine($"{name}: {_done}/{total} ({_clock.Elapsed.TotalSeconds:F1} s, ETA {eta:F0} s)");
        }

        public void Dispose() => writer.WriteLine($"{name}: {Math.Min(_done, total)}/{total} done in {_clock.Elapsed.TotalSeconds:F1} s");
    }
}

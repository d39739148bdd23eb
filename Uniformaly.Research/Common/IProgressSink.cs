namespace Uniformaly.Research.Common;

/// <summary>Where long work reports how far it got: one stage (feature extraction, sampling, scoring...)
/// at a time, each with a known number of steps. The CLI renders it; the library only counts.</summary>
public interface IProgressSink
{
    IProgressStage Begin(string stage, long total);
}

/// <summary>A running stage; disposing it marks it finished.</summary>
public interface IProgressStage : IDisposable
{
    void Advance(long steps = 1);
}

/// <summary>Reports nothing (library calls without a display).</summary>
public sealed class NullProgress : IProgressSink, IProgressStage
{
    public static NullProgress Instance { get; } = new();

    public IProgressStage Begin(string stage, long total) => this;

    public void Advance(long steps = 1) { }

    public void Dispose() { }
}

using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>A selection that depends on the number of rows only (identity, random): it counts
/// them and chooses with <paramref name="choose"/>(M) at the end.</summary>
internal sealed class CountingSession(long dim, Device device, Func<long, Tensor> choose) : ISamplingSession
{
    public long Rows { get; private set; }

    public void Add(Tensor rows)
    {
        SamplerArguments.Rows(rows, dim, nameof(rows));
        Rows += rows.Size(0);
    }

    public Tensor Select(IProgressSink? progress = null)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(choose(Rows).To(device));
    }

    public void Dispose() { }
}

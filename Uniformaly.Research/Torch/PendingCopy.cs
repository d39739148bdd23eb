namespace Uniformaly.Research.Torch;

/// <summary>
/// A copy started by <see cref="Tensor.StartCopy"/> and not yet consumed. <see cref="Finish"/> makes
/// work queued from then on wait for it (the host does not wait) and returns the copy; disposing an
/// unfinished copy abandons it. Double buffering: start the next chunk's copy, compute on the
/// current one, then finish the next.
/// </summary>
public sealed class PendingCopy : IDisposable
{
    private IntPtr _copy;

    private PendingCopy(IntPtr copy) => _copy = copy;

    internal static PendingCopy Start(Tensor source, Device device)
    {
        var copy = Native.ufm_copy_start(source.Handle, (int)device.Type, device.Index);
        if (copy == IntPtr.Zero) throw TorchException.FromLastError();
        return new PendingCopy(copy);
    }

    /// <summary>The copied tensor, usable by everything queued after this call.</summary>
    public Tensor Finish()
    {
        var copy = Interlocked.Exchange(ref _copy, IntPtr.Zero);
        if (copy == IntPtr.Zero) throw new InvalidOperationException("this copy was already finished or abandoned");
        return Tensor.Wrap(Native.ufm_copy_finish(copy));
    }

    public void Dispose()
    {
        var copy = Interlocked.Exchange(ref _copy, IntPtr.Zero);
        if (copy != IntPtr.Zero) Native.ufm_copy_free(copy);
    }
}

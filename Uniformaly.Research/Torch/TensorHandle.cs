using System.Runtime.InteropServices;

namespace Uniformaly.Research.Torch;

/// <summary>Owns one native at::Tensor. A SafeHandle, so the runtime keeps it alive for the
/// duration of every native call that uses it and frees it even if nobody disposes it.</summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long _live;

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    /// <summary>Stands for an absent optional tensor argument (a native nullptr).</summary>
    public static TensorHandle Null { get; } = new();

    /// <summary>Native tensors currently alive (created and not yet freed).</summary>
    public static long Live => Interlocked.Read(ref _live);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Called once a native call has returned this handle successfully.</summary>
    internal void MarkAlive() => Interlocked.Increment(ref _live);

    protected override bool ReleaseHandle()
    {
        Native.ufm_free(handle);
        Interlocked.Decrement(ref _live);
        return true;
    }
}

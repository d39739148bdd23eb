namespace Uniformaly.Research.Torch;

public enum InterpolationMode { Nearest = 0, Bilinear = 1, Bicubic = 2 }

public enum PaddingMode { Constant = 0, Reflect = 1, Replicate = 2 }

/// <summary>Neural-network functionals with torch.nn.functional's semantics.</summary>
public static class Functional
{
    /// <summary>x @ weight^T + bias. x [..., in], weight [out, in], bias [out].</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(Native.ufm_linear(x.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null));

    /// <summary>GELU(x @ weight^T + bias), exact (erf) GELU, computed in place on the product.</summary>
    public static Tensor LinearGelu(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(Native.ufm_linear_gelu(x.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null));

    /// <summary>residual + (x @ weight^T + bias), the product accumulated onto residual + bias;
    /// <paramref name="residual"/> has the output's shape.</summary>
    public static Tensor LinearAdd(Tensor x, Tensor weight, Tensor? bias, Tensor residual) =>
        Tensor.Wrap(Native.ufm_linear_add(x.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null, residual.Handle));

    /// <summary>
    /// The core of DINO's multi-head self-attention from its qkv projection [B, T, 3D] (q, k, v each
    /// laid out as heads x D/heads): the heads' outputs softmax(scale * q k^T) v concatenated, [B, T, D],
    /// and, when <paramref name="withAttention"/>, the softmax attention [B, heads, T, T] (else null).
    /// </summary>
    public static (Tensor Output, Tensor? Attention) MultiHeadAttention(Tensor qkv, long heads, double scale, bool withAttention)
    {
        var status = Native.ufm_attention(qkv.Handle, heads, scale, withAttention ? 1 : 0, out var output, out var attention);
        if (status == 0 && attention.IsInvalid)
        {
            attention.Dispose();
            return (Tensor.Wrap(output), null);
        }
        return Tensor.WrapPair(status, output, attention);
    }

    /// <summary>2-D convolution of x [B, C, H, W] with weight [O, C/groups, kh, kw].</summary>
    public static unsafe Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, (long H, long W)? stride = null,
        (long H, long W)? padding = null, (long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        long* sv = stackalloc long[] { s.H, s.W };
        long* pv = stackalloc long[] { p.H, p.W };
        long* dv = stackalloc long[] { d.H, d.W };
        return Tensor.Wrap(Native.ufm_conv2d(x.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null, sv, pv, dv, groups));
    }

    /// <summary>Layer normalization over the trailing <paramref name="normalizedShape"/> dims.</summary>
    public static unsafe Tensor LayerNorm(Tensor x, ReadOnlySpan<long> normalizedShape, Tensor? weight = null,
        Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* n = normalizedShape)
            return Tensor.Wrap(Native.ufm_layer_norm(x.Handle, n, normalizedShape.Length,
                weight?.Handle ?? TensorHandle.Null, bias?.Handle ?? TensorHandle.Null, eps));
    }

    /// <summary>GELU; exact (erf) unless <paramref name="tanhApproximation"/>.</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false) =>
        Tensor.Wrap(Native.ufm_gelu(x.Handle, tanhApproximation ? 1 : 0));

    public static Tensor Softmax(Tensor x, long dim) => Tensor.Wrap(Native.ufm_softmax(x.Handle, dim));

    public static Tensor LogSoftmax(Tensor x, long dim) => Tensor.Wrap(Native.ufm_log_softmax(x.Handle, dim));

    /// <summary>Average pooling of x [B, C, H, W]. With <paramref name="countIncludePad"/> the
    /// zero padding counts in each window's divisor (what BPM's smoothing uses).</summary>
    public static unsafe Tensor AvgPool2d(Tensor x, long kernel, long stride, long padding, bool ceilMode = false,
        bool countIncludePad = true)
    {
        long* k = stackalloc long[] { kernel, kernel };
        long* s = stackalloc long[] { stride, stride };
        long* p = stackalloc long[] { padding, padding };
        return Tensor.Wrap(Native.ufm_avg_pool2d(x.Handle, k, s, p, ceilMode ? 1 : 0, countIncludePad ? 1 : 0));
    }

    /// <summary>Resizes x [B, C, H, W] to (height, width). <paramref name="scale"/> is what
    /// F.interpolate(scale_factor=...) passes on: it changes the coordinate mapping.</summary>
    public static Tensor Interpolate(Tensor x, long height, long width, InterpolationMode mode,
        bool alignCorners = false, bool antialias = false, (double H, double W)? scale = null) =>
        Tensor.Wrap(Native.ufm_interpolate(x.Handle, height, width, (int)mode, alignCorners ? 1 : 0, antialias ? 1 : 0,
            scale?.H ?? double.NaN, scale?.W ?? double.NaN));

    /// <summary>Pads like F.pad: <paramref name="pads"/> = (left, right, top, bottom, ...), last dim first.</summary>
    public static unsafe Tensor Pad(Tensor x, ReadOnlySpan<long> pads, PaddingMode mode = PaddingMode.Constant, double value = 0)
    {
        fixed (long* p = pads) return Tensor.Wrap(Native.ufm_pad(x.Handle, p, pads.Length, (int)mode, value));
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>
/// DINOv3's RopePositionEmbedding at inference (docs/method.md section 2.1): for an h x w patch grid,
/// each patch's centre in [-1, 1] per axis (coordinates normalised separately by h and by w, the
/// hub's "separate"), angles 2 pi coord / period for the saved <c>rope_embed.periods</c> [head dim / 4]
/// (rows' angles, then columns', tiled twice): (sin, cos) [h*w, head dim]. The training-only
/// shift, jitter and rescale of the coordinates do nothing in eval mode and are not here.
/// </summary>
internal sealed class RopePositionEmbedding(IReadOnlyDictionary<string, Tensor> parameters)
{
    private readonly Tensor _periods = parameters["rope_embed.periods"];

    public (Tensor Sin, Tensor Cos) Forward(long h, long w)
    {
        using var scope = new DisposeScope();
        var device = _periods.Device;
        var coordsH = Tensor.Arange(0.5, h, 1, DType.Float32, device) / h;
        var coordsW = Tensor.Arange(0.5, w, 1, DType.Float32, device) / w;
        var coords = Tensor.Stack([coordsH.View(h, 1).Expand(h, w), coordsW.View(1, w).Expand(h, w)], 2).Reshape(h * w, 2);
        coords = 2.0 * coords - 1.0;
        var angles = 2 * Math.PI * coords.Unsqueeze(2) / _periods.View(1, 1, -1);
        angles = angles.Flatten(1, 2);
        angles = Tensor.Cat([angles, angles], 1);
        return (scope.MoveToOuter(angles.Sin()), scope.MoveToOuter(angles.Cos()));
    }

    /// <summary>rope_apply on x [..., N, head dim] (the last N tokens' heads): x cos + rotate_half(x) sin,
    /// rotate_half([x1, x2]) = [-x2, x1] over the two halves of the head.</summary>
    public static Tensor Apply(Tensor x, Tensor sin, Tensor cos)
    {
        using var scope = new DisposeScope();
        var last = x.Dim - 1;
        var half = x.Size(-1) / 2;
        var rotated = Tensor.Cat([x.Narrow(last, half, half).Neg(), x.Narrow(last, 0, half)], last);
        return scope.MoveToOuter(x * cos + rotated * sin);
    }
}

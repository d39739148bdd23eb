using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>transforms.ToTensor() + Normalize(ImageNet mean, std): 8-bit values to (v/255 - mean) / std.</summary>
public static class ImageNetNormalization
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>HWC RGB bytes [height, width, 3] -> float32 [3, height, width], normalized.</summary>
    public static Tensor FromHwc(byte[] rgb, int width, int height)
    {
        using var scope = new DisposeScope();
        var chw = Tensor.FromArray(rgb, height, width, 3).Permute(2, 0, 1).To(DType.Float32);
        return scope.MoveToOuter(Normalize(chw));
    }

    /// <summary>Values 0..255 in [..., 3, H, W] (any dtype) -> normalized float32 of the same shape.
    /// Computed as torchvision does, in float32: (v / 255 - mean) / std. The result is contiguous
    /// even for a permuted (channels-last) input.</summary>
    public static Tensor Normalize(Tensor values)
    {
        using var scope = new DisposeScope();
        var mean = Tensor.FromArray(Mean, 3, 1, 1).To(values.Device);
        var std = Tensor.FromArray(Std, 3, 1, 1).To(values.Device);
        var unit = values.To(DType.Float32) / 255.0;
        return scope.MoveToOuter(((unit - mean) / std).Contiguous());
    }
}

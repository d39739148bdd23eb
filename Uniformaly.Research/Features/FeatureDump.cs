using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// Everything the pipeline computes for one image up to Back Patch Masking, as named float32 CPU
/// tensors for `uniformaly features`: <c>input</c> [3, H, W], <c>block_&lt;l&gt;</c> [T, D] (every token: CLS, registers, patches) for each l
/// in L, <c>patch_features</c> [N, D], <c>cls_attention</c> [N], <c>bpm_smoothed</c> [N] (normalized)
/// and <c>bpm_mask</c> [N] (0/1).
/// </summary>
public static class FeatureDump
{
    /// <summary>Runs the backbone once on <paramref name="image"/> [3, H, W] (normalized, any device).
    /// The caller disposes the tensors.</summary>
    /// <param name="model">The backbone.</param>
    /// <param name="image">[3, H, W], normalized.</param>
    /// <param name="layers">L, 1-based, within the backbone's depth.</param>
    /// <param name="attentionLayer">a, 1-based, within the backbone's depth.</param>
    /// <param name="bpm">Smoothing kernel and threshold (the mask is binary BPM's, whatever the mode).</param>
    public static Dictionary<string, Tensor> Compute(VisionTransformer model, Tensor image, IReadOnlyList<int> layers,
        int attentionLayer, BackPatchMasking bpm)
    {
        using var scope = new DisposeScope();
        var batch = image.To(model.Device, DType.Float32).Unsqueeze(0);
        using var outputs = model.Forward(batch, layers, attentionLayer, AttentionForm.ClsHeadMean);
        var attention = FeatureAggregator.PatchAttention(outputs);
        var smoothed = bpm.Smooth(attention, outputs.GridHeight, outputs.GridWidth);
        var named = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["input"] = image,
            ["patch_features"] = FeatureAggregator.AverageLayers(outputs, layers),
            ["cls_attention"] = attention,
            ["bpm_smoothed"] = smoothed,
            ["bpm_mask"] = bpm.Mask(smoothed).To(DType.Float32),
        };
        foreach (var l in layers) named[$"block_{l}"] = outputs.Blocks[l];
        return named.ToDictionary(kv => kv.Key, kv => scope.MoveToOuter(FirstImageOnCpu(kv.Value, kv.Key == "input")), StringComparer.Ordinal);
    }

    /// <summary>Writes the tensors as safetensors, atomically (temporary file, then rename),
    /// creating the folder if needed.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensors.Write(path, tensors);
    }

    private static Tensor FirstImageOnCpu(Tensor tensor, bool isInput)
    {
        using var scope = new DisposeScope();
        var single = isInput ? tensor : tensor.Select(0, 0);
        return scope.MoveToOuter(single.To(Device.Cpu, DType.Float32).Contiguous());
    }
}

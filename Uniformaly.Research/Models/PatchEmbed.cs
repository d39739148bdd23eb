using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINO's PatchEmbed: Conv2d(3, D, kernel p, stride p), flattened to tokens.</summary>
internal sealed class PatchEmbed(IReadOnlyDictionary<string, Tensor> parameters, int patchSize)
{
    private readonly Tensor _weight = parameters["patch_embed.proj.weight"];
    private readonly Tensor _bias = parameters["patch_embed.proj.bias"];

    public int PatchSize { get; } = patchSize;

    /// <summary>images [B, 3, H, W] -> patch tokens [B, h*w, D], row-major over the (H/p, W/p) grid.</summary>
    public Tensor Forward(Tensor images)
    {
        using var scope = new DisposeScope();
        var grid = Functional.Conv2d(images, _weight, _bias, stride: (PatchSize, PatchSize));
        return scope.MoveToOuter(grid.Flatten(2).Transpose(1, 2));
    }
}

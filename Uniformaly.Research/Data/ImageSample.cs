namespace Uniformaly.Research.Data;

/// <summary>One image of a dataset split.</summary>
/// <param name="Path">Absolute path of the image file.</param>
/// <param name="RelativePath">Path relative to the data root, with '/' separators (for reports).</param>
/// <param name="Category">The category (MVTec class, BTAD product, ...).</param>
/// <param name="AnomalyType">"good" for normal images, else the defect type (folder name).</param>
/// <param name="Label">0 normal, 1 anomalous.</param>
/// <param name="MaskPath">Ground-truth mask of an anomalous image, when the dataset has one.</param>
public sealed record ImageSample(string Path, string RelativePath, string Category, string AnomalyType, int Label, string? MaskPath)
{
    public const string Normal = "good";

    public bool IsAnomalous => Label == 1;
}

/// <summary>The training and test images of one category.</summary>
public sealed record CategorySplit(string Category, IReadOnlyList<ImageSample> Train, IReadOnlyList<ImageSample> Test)
{
    /// <summary>Whether any test image carries a pixel mask (pixel metrics need them).</summary>
    public bool HasMasks => Test.Any(s => s.MaskPath is not null);
}

/// <summary>A dataset problem (missing folder, no images, bad mask): the message names the path.</summary>
public sealed class DatasetException(string message) : Exception(message);

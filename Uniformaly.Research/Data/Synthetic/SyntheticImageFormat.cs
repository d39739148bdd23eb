namespace Uniformaly.Research.Data.Synthetic;

/// <summary>How <see cref="SyntheticDataset"/> writes its images and masks.</summary>
public enum SyntheticImageFormat { Png, Bmp }

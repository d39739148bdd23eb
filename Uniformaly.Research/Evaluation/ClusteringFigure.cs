using System.Globalization;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Evaluation;

/// <summary>A category's clustering as a figure: its image features on their first two principal
/// components (<see cref="Pca"/>), coloured by cluster, shaped by true anomaly type (<see cref="ClusterScatter"/>).</summary>
public static class ClusteringFigure
{
    /// <summary>Writes FOLDER/&lt;category&gt;_clusters.png and .svg.</summary>
    public static void Write(string folder, CategoryClustering c)
    {
        var projected = Pca.Project2D(c.Images.Select(i => i.Feature).ToList());
        var points = c.Images.Select((image, i) => new ClusterPoint(projected[i].X, projected[i].Y, image.Cluster, image.Sample.AnomalyType)).ToList();
        using var plot = ClusterScatter.Create($"{c.Category}: {c.K} clusters (NMI {c.Nmi.ToString("F3", CultureInfo.InvariantCulture)})",
            "principal component 1", "principal component 2", points, c.K);
        Figure.Write(plot, Path.Combine(folder, $"{Figure.FileName(c.Category)}_clusters"), ClusterScatter.Width, ClusterScatter.Height);
    }
}

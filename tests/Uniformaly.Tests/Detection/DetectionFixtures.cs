using System.Text;
using System.Text.RegularExpressions;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Detection;

/// <summary>Reads the .npy arrays written by tools/make_detection_fixtures.py
/// (little-endian float32 / int64 / bool, C order, NPY format 1.0).</summary>
public static partial class DetectionFixtures
{
    public static string PathOf(string name) => TestSetup.Fixture("detection", name + ".npy");

    /// <summary>The array <paramref name="name"/> as a CPU tensor of its dtype and shape.</summary>
    public static Tensor Load(string name)
    {
        var path = PathOf(name);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not an .npy file");
        var headerLength = bytes[8] | (bytes[9] << 8);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        var descr = Descr().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order");
        var shape = ShapeOf().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var dtype = descr switch
        {
            "<f4" => DType.Float32,
            "<i8" => DType.Int64,
            "|b1" => DType.Bool,
            _ => throw new InvalidDataException($"{path}: unsupported dtype {descr}"),
        };
        return Tensor.FromBytes(bytes.AsSpan(10 + headerLength), dtype, shape);
    }

    public static float[] Floats(string name)
    {
        using var t = Load(name);
        return t.ToArray<float>();
    }

    /// <summary>max |q|² + max |b|² over knn_queries and knn_bank: the magnitude a squared distance
    /// |q|² - 2 q.b + |b|² is computed from, which its rounding is relative to.</summary>
    public static double KnnScale => SquaredNorms("knn_queries").Max() + SquaredNorms("knn_bank").Max();

    /// <summary>Each row's |x|², in float64.</summary>
    public static double[] SquaredNorms(string name)
    {
        using var t = Load(name);
        return t.ToArray<float>().Chunk((int)t.Size(1)).Select(row => row.Sum(v => (double)v * v)).ToArray();
    }

    public static long[] Longs(string name)
    {
        using var t = Load(name);
        return t.ToArray<long>();
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeOf();
}

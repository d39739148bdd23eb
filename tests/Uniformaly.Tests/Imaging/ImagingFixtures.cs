using System.Text.Json;

namespace Uniformaly.Tests.Imaging;

/// <summary>The files written by tools/make_image_fixtures.py (PIL 9.4, torchvision 0.14).</summary>
internal static class ImagingFixtures
{
    private static readonly Lazy<JsonElement> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path("manifest.json"))).RootElement);

    public static string Path(string name) => TestSetup.Fixture("imaging", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    public static float[] Floats(string name)
    {
        var bytes = Bytes(name);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static IEnumerable<JsonElement> Entries(string section) => Manifest.Value.GetProperty(section).EnumerateArray();

    public static JsonElement Section(string section) => Manifest.Value.GetProperty(section);

    /// <summary>Largest absolute difference between two byte arrays of equal length.</summary>
    public static int MaxDifference(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        int max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}

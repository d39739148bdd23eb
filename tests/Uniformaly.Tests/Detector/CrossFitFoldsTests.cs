using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Detector;

/// <summary>Cross-fit folds with --rotate-references: an image's rotated copies arrive as consecutive
/// rows and must all stay in its fold, or a fold's bank would hold copies of the images it scores.</summary>
[TestFixture]
public sealed class CrossFitFoldsTests
{
    private const int Images = 4, Grid = 2, Dim = 4;

    [Test]
    public void RotatedCopies_StayInTheirImagesFold()
    {
        var settings = new DetectorSettings
        {
            Masking = ForegroundMasking.None, Sampler = SamplerKind.Identity, RotateReferences = true, TopK = 1, Resize = 16, ImageSize = 16,
        };
        var copies = RotatedReferences.CopiesPerImage(settings);
        using var scope = new DisposeScope();
        // Every patch of image i (and of each of its copies) is the vector (i + 1, ..., i + 1); two batches, so the image count runs on.
        var rows = Enumerable.Range(0, Images * copies).Select(r => Image(r / copies)).ToList();
        PatchFeatures[] batches = [Batch(rows.Take(rows.Count / 2)), Batch(rows.Skip(rows.Count / 2))];
        var (full, folds) = UniformalyDetector.FitWithFolds(settings, batches, Device.Cpu, folds: 2);
        using (full)
        {
            Assert.That(full.BankSize, Is.EqualTo(Images * copies * Grid * Grid));
            for (var j = 0; j < folds.Count; j++)
            {
                using var fold = folds[j];
                Assert.That(fold.BankSize, Is.EqualTo(Images / 2 * copies * Grid * Grid), $"fold {j} leaves out its two images' copies");
                foreach (var image in Enumerable.Range(0, Images).Where(i => i % 2 == j))
                {
                    // Its nearest bank rows are a neighbouring image's, one unit away in each coordinate; a copy of itself would give 0.
                    using var output = fold.Predict(Batch([Image(image)]));
                    Assert.That(output.Scores.ToArray<float>(), Is.EqualTo(new[] { (float)Dim }), $"image {image} scored by fold {j}");
                }
            }
        }
    }

    private static float[] Image(int image) => Enumerable.Repeat((float)(image + 1), Grid * Grid * Dim).ToArray();

    private static PatchFeatures Batch(IEnumerable<float[]> images)
    {
        var list = images.ToList();
        var features = Tensor.FromArray(list.SelectMany(x => x).ToArray(), list.Count, Grid * Grid, Dim);
        return new PatchFeatures(features, Tensor.Ones([list.Count, Grid * Grid]), Grid, Grid);
    }
}

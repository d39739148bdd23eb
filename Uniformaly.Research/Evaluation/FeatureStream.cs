using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Research.Evaluation;

/// <summary>
/// Images in, patch features out, one batch at a time: each batch is loaded, its features
/// extracted, handed to the consumer and freed when the consumer asks for the next. With skipping on, unreadable
/// files are dropped with a warning instead of ending the run.
/// </summary>
public sealed class FeatureStream(IImageInput input, IFeatureExtractor extractor, int batchSize, bool skipBadImages)
{
    private readonly List<string> _warnings = [];
    private readonly List<(ImageSample Sample, string Reason)> _skipped = [];

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The images skipped so far, each with why it could not be read.</summary>
    public IReadOnlyList<(ImageSample Sample, string Reason)> Skipped => _skipped;

    /// <param name="images">The images, in batches of the stream's size.</param>
    /// <param name="stage">Advanced per batch.</param>
    /// <param name="through">Another extractor for these images (the training images' rotations,
    /// <see cref="RotatedReferences"/>); by default the stream's.</param>
    public IEnumerable<(IReadOnlyList<ImageSample> Samples, PatchFeatures Features)> Extract(
        IReadOnlyList<ImageSample> images, IProgressStage stage, IFeatureExtractor? through = null)
    {
        foreach (var batch in images.Chunk(batchSize))
        {
            var readable = skipBadImages ? Readable(batch) : batch;
            if (readable.Count > 0)
            {
                using var tensor = input.LoadBatch(readable.Select(s => s.Path).ToList());
                using var features = (through ?? extractor).Extract(tensor);
                yield return (readable, features);
            }
            stage.Advance(batch.Length); // after the consumer's work, so rates and ETAs include it
        }
    }

    /// <summary>The samples whose files can be read; each other one leaves a warning.</summary>
    private IReadOnlyList<ImageSample> Readable(ImageSample[] batch)
    {
        var readable = new List<ImageSample>();
        foreach (var sample in batch)
        {
            try
            {
                input.LoadBatch([sample.Path]).Dispose();
                readable.Add(sample);
            }
            catch (Exception e) when (input.IsUnreadable(e))
            {
                _warnings.Add($"skipped {sample.RelativePath}: {e.Message}");
                _skipped.Add((sample, e.Message));
            }
        }
        return readable;
    }
}

using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Data;

/// <summary>One image of a semantic dataset: an id for reports and its class.</summary>
public sealed record SemanticSample(string Id, int ClassIndex);

/// <summary>
/// A classification dataset used for semantic anomaly detection (docs/method.md section 12): CIFAR-10/100 from
/// the binary releases (CIFAR-100 by its 20 super-classes) or an ImageFolder tree (ImageNet-30,
/// Species-60). It lists the train and test images with their classes and turns a batch of them
/// into network input.
/// </summary>
public abstract class SemanticDataset
{
    public abstract string Name { get; }

    public abstract IReadOnlyList<string> ClassNames { get; }

    public abstract IReadOnlyList<SemanticSample> Train { get; }

    public abstract IReadOnlyList<SemanticSample> Test { get; }

    /// <summary>S: <see cref="LoadBatch"/> gives S x S images.</summary>
    public abstract int ImageSize { get; }

    /// <summary>[B, 3, S, S] normalized images of <paramref name="samples"/> from the given split.</summary>
    public abstract Tensor LoadBatch(IReadOnlyList<SemanticSample> samples, bool train);

    /// <summary>The kinds <see cref="Open"/> reads.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["cifar10", "cifar100", "imagefolder"];

    /// <summary>One of <see cref="Kinds"/>; an ImageFolder tree gets the preprocessing of MVTec-style images,
    /// from the folders <paramref name="trainSplit"/> and <paramref name="testSplit"/>.</summary>
    public static SemanticDataset Open(string kind, string root, ImagePreprocessor preprocessor, string trainSplit, string testSplit) => kind switch
    {
        "cifar10" => new CifarDataset(root, cifar100: false),
        "cifar100" => new CifarDataset(root, cifar100: true),
        "imagefolder" => new FolderDataset(root, trainSplit, testSplit, preprocessor),
        _ => throw new ArgumentException($"'{kind}' is not a semantic dataset: {string.Join(", ", Kinds)}"),
    };

    private sealed class CifarDataset : SemanticDataset
    {
        private readonly IReadOnlyList<CifarImage> _train;
        private readonly IReadOnlyList<CifarImage> _test;
        private readonly bool _cifar100;

        public CifarDataset(string root, bool cifar100)
        {
            var folder = CifarBinary.ResolveFolder(root, cifar100);
            (_cifar100, _train, _test) = (cifar100, CifarBinary.Read(folder, cifar100, train: true), CifarBinary.Read(folder, cifar100, train: false));
            Train = _train.Select(i => new SemanticSample($"train/{i.Index}", ClassOf(i))).ToList();
            Test = _test.Select(i => new SemanticSample($"test/{i.Index}", ClassOf(i))).ToList();
        }

        public override string Name => _cifar100 ? "cifar100" : "cifar10";

        public override int ImageSize => CifarPreprocessor.OutputSide;

        /// <summary>CIFAR-100 is used by its 20 super-classes, named by index.</summary>
        public override IReadOnlyList<string> ClassNames =>
            _cifar100 ? Enumerable.Range(0, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() : CifarBinary.Cifar10Classes;

        public override IReadOnlyList<SemanticSample> Train { get; }

        public override IReadOnlyList<SemanticSample> Test { get; }

        public override Tensor LoadBatch(IReadOnlyList<SemanticSample> samples, bool train)
        {
            var images = train ? _train : _test;
            return CifarPreprocessor.PreprocessBatch(samples.Select(s => images[int.Parse(s.Id[(s.Id.IndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture)].Rgb).ToList());
        }

        private int ClassOf(CifarImage image) => _cifar100 ? image.SuperClass : image.Label;
    }

    private sealed class FolderDataset : SemanticDataset
    {
        private readonly string _root;
        private readonly ImagePreprocessor _preprocessor;

        public FolderDataset(string root, string trainSplit, string testSplit, ImagePreprocessor preprocessor)
        {
            (_root, _preprocessor) = (root, preprocessor);
            ClassNames = ImageFolderDataset.Classes(root, trainSplit);
            var testClasses = ImageFolderDataset.Classes(root, testSplit);
            if (!testClasses.SequenceEqual(ClassNames))
                throw new DatasetException($"{Path.Combine(root, testSplit)} has other class folders than {Path.Combine(root, trainSplit)}");
            Train = ImageFolderDataset.Images(root, trainSplit).Select(i => new SemanticSample(i.RelativePath, i.ClassIndex)).ToList();
            Test = ImageFolderDataset.Images(root, testSplit).Select(i => new SemanticSample(i.RelativePath, i.ClassIndex)).ToList();
        }

        public override string Name => "imagefolder";

        public override int ImageSize => _preprocessor.ImageSize;

        public override IReadOnlyList<string> ClassNames { get; }

        public override IReadOnlyList<SemanticSample> Train { get; }

        public override IReadOnlyList<SemanticSample> Test { get; }

        public override Tensor LoadBatch(IReadOnlyList<SemanticSample> samples, bool train) =>
            _preprocessor.LoadBatch(samples.Select(s => Path.Combine(_root, s.Id)).ToList());
    }
}

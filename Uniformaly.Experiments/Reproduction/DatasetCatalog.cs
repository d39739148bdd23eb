namespace Uniformaly.Experiments.Reproduction;

/// <summary>
/// The datasets of the paper: the folder each is expected in under --data-root, how it is read,
/// and where to get it (nothing is downloaded; a missing dataset is reported as skipped with this).
/// </summary>
public static class DatasetCatalog
{
    private sealed record Entry(string Kind, string Title, string Source, string Layout);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mvtec"] = new("mvtec", "MVTec AD", "https://www.mvtec.com/company/research/datasets/mvtec-anomaly-detection (mvtec_anomaly_detection.tar.xz)",
            "mvtec/<category>/{train,test,ground_truth}/..."),
        ["btad"] = new("btad", "BTAD", "https://github.com/pankajmishra000/VT-ADL (BTAD: BeanTech Anomaly Detection)", "btad/{01,02,03}/{train/ok,test/ok,test/ko,ground_truth/ko}"),
        ["mtd"] = new("folder", "MTD", "https://github.com/abin24/Magnetic-tile-defect-datasets. (arrange as an MVTec-layout category)", "mtd/<category>/{train/good,test/<type>,ground_truth/<type>}"),
        ["cpd"] = new("folder", "CPD", "https://www.kaggle.com/datasets/ravirajsinh45/real-life-industrial-dataset-of-casting-product (arrange as an MVTec-layout category)", "cpd/<category>/{train/good,test/<type>}"),
        ["cifar10"] = new("cifar10", "CIFAR-10", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "cifar10/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin (the unpacked tarball)"),
        ["cifar100"] = new("cifar100", "CIFAR-100", "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", "cifar100/cifar-100-binary/{train,test}.bin (the unpacked tarball)"),
        ["imagenet30"] = new("imagenet30", "ImageNet-30", "https://github.com/hendrycks/ss-ood (ImageNet-30 train and test tarballs)", "imagenet30/{train,test}/<class>/*.jpg"),
        ["species60"] = new("species60", "Species-60", "https://github.com/hendrycks/anomaly-seg (Species; the 60 classes of the paper's Table 12)", "species60/{train,test}/<class>/*.jpg"),
    };

    /// <summary>The dataset's name in the paper ("MVTec AD"), or the folder's name for an unknown folder.</summary>
    public static string Title(string folder) => Entries.TryGetValue(folder, out var entry) ? entry.Title : folder;

    /// <summary>The folder names the catalog knows.</summary>
    public static IEnumerable<string> Folders => Entries.Keys;

    /// <summary>How the dataset in <paramref name="folder"/> is read, or null for an unknown folder.</summary>
    public static string? KindOf(string folder) => Entries.TryGetValue(folder, out var entry)
        ? entry.Kind is "imagenet30" or "species60" ? "imagefolder" : entry.Kind
        : null;

    /// <summary>Why a task cannot run (its folder is missing), with where to get the data; null when present.</summary>
    public static string? Missing(string dataRoot, string folder)
    {
        var path = Path.Combine(dataRoot, folder);
        if (Directory.Exists(path)) return null;
        return Entries.TryGetValue(folder, out var entry)
            ? $"{path} not found; get {folder} from {entry.Source} and arrange it as {entry.Layout}"
            : $"{path} not found";
    }

    /// <summary>When <paramref name="dataRoot"/> seems to be one dataset's own folder, or a folder
    /// inside it, rather than the folder that holds the datasets (--data-root /data/mvtec instead of
    /// /data): what it looks like and what to give instead; null when it does not look so.</summary>
    public static string? DataRootAdvice(string dataRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataRoot));
        if (Entries.TryGetValue(Path.GetFileName(root), out var entry))
            return $"{root} looks like {entry.Title} itself: use {Path.GetDirectoryName(root)}";
        var parent = Path.GetDirectoryName(root);
        if (parent is not null && Entries.TryGetValue(Path.GetFileName(parent), out entry))
            return $"{root} is a folder inside {entry.Title}: use {Path.GetDirectoryName(parent)}";
        bool Has(string folder, string name) => Directory.Exists(Path.Combine(folder, name));
        var what = Has(root, "cifar-10-batches-bin") ? Entries["cifar10"].Title
            : Has(root, "cifar-100-binary") ? Entries["cifar100"].Title
            : Has(root, "train") && Has(root, "test") ? "a dataset (it has train/ and test/)"
            : Directory.EnumerateDirectories(root).Any(f => Has(f, "train") && Has(f, "test")) ? "an MVTec-layout dataset (its folders have train/ and test/)"
            : null;
        return what is null ? null
            : $"{root} looks like {what} itself: give the folder above the datasets, each in a folder of the name listed";
    }
}

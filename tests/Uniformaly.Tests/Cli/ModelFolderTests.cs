using System.Security.Cryptography;
using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Cli;

/// <summary>
/// A fitted model folder names the checkpoint it was fitted with by SHA-256, and `predict` refuses
/// other weights at that path, a memory bank that is not finite, and warns about older folders.
/// </summary>
public sealed class ModelFolderTests
{
    private static TempFolder _data = null!;

    [OneTimeSetUp]
    public static void WriteDataset()
    {
        _data = new TempFolder();
        SyntheticDataset.Write(_data.Path, new SyntheticDatasetOptions { Categories = ["synth_texture"], TrainImages = 3, TestGoodImages = 1, TestImagesPerDefect = 1, Size = 64 });
    }

    [OneTimeTearDown]
    public static void Delete() => _data.Dispose();

    private static string Train => Path.Combine(_data.Path, "synth_texture", "train", "good");

    private static string Test => Path.Combine(_data.Path, "synth_texture", "test", "hole");

    /// <summary>Fits on a copy of the tiny ViT in <paramref name="temp"/>; returns the model folder and the copy.</summary>
    private static (string Model, string Checkpoint) Fit(TempFolder temp)
    {
        var checkpoint = Path.Combine(temp.Path, "vit.pth");
        File.Copy(ParityFixture.Checkpoint, checkpoint);
        var model = Path.Combine(temp.Path, "model");
        var (code, _, error) = FitWith(checkpoint, model);
        Assert.That(code, Is.EqualTo(0), error);
        return (model, checkpoint);
    }

    private static (int Code, string Out, string Error) FitWith(string checkpoint, string model) => CliRunner.Run("fit", "--images", Train,
        "--out", model, "--checkpoint", checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler", "identity");

    private static (int Code, string Out, string Error) Predict(string model) => CliRunner.Run("predict", "--model", model, "--images", Test);

    [Test]
    public void Fit_RecordsTheCheckpointsFileAndHash()
    {
        using var temp = new TempFolder();
        var (model, checkpoint) = Fit(temp);
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "checkpoint.json")));
        Assert.That(record.RootElement.GetProperty("file").GetString(), Is.EqualTo(checkpoint));
        Assert.That(record.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(checkpoint)))));
        Assert.That(record.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(new FileInfo(checkpoint).Length));
    }

    [Test]
    public void AnotherCheckpointAtTheSamePath_IsRefusedNamingBothHashes()
    {
        using var temp = new TempFolder();
        var (model, checkpoint) = Fit(temp);
        var (code, scored, error) = Predict(model);
        Assert.That(code, Is.EqualTo(0), error);
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(checkpoint)));

        // The case: another ViT of the same shape written over the file used to change every score silently.
        WriteScaledCopy(checkpoint, checkpoint, "qkv.weight", 1.5);
        var found = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(checkpoint)));
        (code, _, error) = Predict(model);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(checkpoint).And.Contain($"expected sha256 {expected}").And.Contain($"found sha256 {found}"));

        File.Copy(ParityFixture.Checkpoint, checkpoint, overwrite: true);
        var (again, rescored, _) = Predict(model);
        Assert.That((again, rescored), Is.EqualTo((0, scored)), "the original file is accepted again and scores as before");
    }

    [Test]
    public void AMemoryBankWithNaN_IsRefusedNamingTheFile()
    {
        using var temp = new TempFolder();
        var (model, _) = Fit(temp);
        var bank = Path.Combine(model, "memory_bank.safetensors");
        using (var saved = SafeTensors.Read(bank))
        {
            var features = saved["features"];
            using var nan = Tensor.Full(features.Shape, double.NaN);
            SafeTensors.Write(bank, new Dictionary<string, Tensor> { ["features"] = nan });
        }
        var (code, _, error) = Predict(model);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(bank).And.Contain("NaN or infinite"));
    }

    [Test]
    public void AFitWhoseFeaturesAreNotFinite_FailsAndKeepsThePreviousModel()
    {
        using var temp = new TempFolder();
        var (model, checkpoint) = Fit(temp);
        var before = Directory.GetFiles(model).ToDictionary(f => f, File.ReadAllBytes);
        var broken = Path.Combine(temp.Path, "nan.safetensors");
        // NaN in the last block's output only: the attention BPM reads (that block's input) stays finite, the features do not.
        WriteScaledCopy(checkpoint, broken, "blocks.2.mlp.fc2.bias", double.NaN);
        var (code, _, error) = FitWith(broken, model);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("values are NaN or infinite"));
        Assert.That(Directory.GetFiles(model).ToDictionary(f => f, File.ReadAllBytes), Is.EqualTo(before));
    }

    [Test]
    public void ANamedBackbone_RecordsItsFileInTheWeightsFolder_AndRefusesAnother()
    {
        using var weights = new TempFolder();
        var spec = Backbones.Get("dino_vits16");
        var file = Path.Combine(weights.Path, spec.WeightsFile);
        WriteRandom(spec.Architecture, file, seed: 1);
        var settings = new DetectorSettings { Backbone = spec.Name, Layers = [1, 2], Resize = 32, ImageSize = 32 };
        CheckpointRecord record;
        using (var backend = DetectorBackend.Create(settings, Device.Cpu, weights.Path)) record = backend.Record()!;
        Assert.That(record.File, Is.EqualTo(file));
        Assert.That(record.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))));
        using (DetectorBackend.Create(settings, Device.Cpu, weights.Path, expected: record)) { }

        WriteRandom(spec.Architecture, file, seed: 2);
        var e = Assert.Throws<InvalidDataException>(() => DetectorBackend.Create(settings, Device.Cpu, weights.Path, expected: record))!;
        Assert.That(e.Message, Does.Contain(file).And.Contain($"expected sha256 {record.Sha256}"));
    }

    [Test]
    public void AModelFolderWithoutARecord_LoadsWithAWarning()
    {
        using var temp = new TempFolder();
        var (model, checkpoint) = Fit(temp);
        File.Delete(Path.Combine(model, "checkpoint.json")); // as written before checkpoints were recorded
        var (code, stdout, error) = Predict(model);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("000.png"));
        Assert.That(error, Does.Contain($"warning: {model} records no checkpoint hash").And.Contain(checkpoint));
    }

    /// <summary>Writes <paramref name="from"/>'s tensors with those whose names end in <paramref name="suffix"/>
    /// scaled by <paramref name="factor"/>: same shape, other weights.</summary>
    private static void WriteScaledCopy(string from, string to, string suffix, double factor)
    {
        using var scope = new DisposeScope();
        using var stateDict = CheckpointReader.Read(from);
        var tensors = stateDict.ToDictionary(kv => kv.Key, kv => kv.Key.EndsWith(suffix, StringComparison.Ordinal) ? kv.Value * factor : kv.Value);
        SafeTensors.Write(to, tensors);
    }

    /// <summary>A checkpoint of <paramref name="architecture"/> with seeded random weights (float16, as safetensors).</summary>
    private static void WriteRandom(VitArchitecture architecture, string path, ulong seed)
    {
        TorchRuntime.ManualSeed(seed);
        using var scope = new DisposeScope();
        using var vit = VisionTransformer.Random(architecture);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensors.Write(path, vit.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float16)));
    }
}

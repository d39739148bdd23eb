using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Common;

namespace Uniformaly.Tests.Common;

/// <summary>
/// <see cref="ResultFolder"/>: a result set appears whole or not at all, only the toolkit's own
/// files are ever replaced or deleted, one writer at a time, and what a crashed writer left is
/// finished or cleared by the next. (A lock held by a killed process: ResultFolderProcessTests.)
/// </summary>
public sealed class ResultFolderTests
{
    [Test]
    public void Publish_ReplacesThePreviousSet_AndKeepsTheUsersFiles()
    {
        using var temp = new TempFolder();
        var user = temp.File("notes.txt", "mine"u8.ToArray());
        var userInMaps = temp.File(Path.Combine("maps", "a", "mine.png"), [7]);
        Write(temp.Path, "run", ("scores.csv", "old"), ("metrics.json", "old"), (Path.Combine("maps", "a", "1.png"), "old"),
            (Path.Combine("maps", "b", "2.png"), "old"));

        Write(temp.Path, "run", ("scores.csv", "new"), (Path.Combine("maps", "c", "3.png"), "new"));

        Assert.That(File.ReadAllText(Path.Combine(temp.Path, "scores.csv")), Is.EqualTo("new"));
        Assert.That(File.Exists(Path.Combine(temp.Path, "metrics.json")), Is.False, "the previous set's file the new set lacks");
        Assert.That(Directory.Exists(Path.Combine(temp.Path, "maps", "b")), Is.False, "a folder emptied of the previous set goes too");
        Assert.That(File.Exists(Path.Combine(temp.Path, "maps", "c", "3.png")));
        Assert.That(File.ReadAllText(user), Is.EqualTo("mine"));
        Assert.That(File.ReadAllBytes(userInMaps), Is.EqualTo(new byte[] { 7 }), "a user's file inside a result folder's subfolder stays");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(temp.Path, ".uniformaly")).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "lock", "results.json" }), "no staging left behind");
    }

    [Test]
    public void AFailedWriter_LeavesThePreviousSetWhole()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "run", ("scores.csv", "old"), ("metrics.json", "old"));
        var before = Snapshot(temp.Path);

        Assert.Throws<InvalidOperationException>(() =>
        {
            using var folder = ResultFolder.Open(temp.Path, "run");
            File.WriteAllText(Path.Combine(folder.Staging, "scores.csv"), "header only");
            throw new InvalidOperationException("the run failed before publishing");
        });

        Assert.That(Snapshot(temp.Path), Is.EqualTo(before));
    }

    [Test]
    public void ASecondWriter_IsRefusedNamingTheFolder_UntilTheFirstIsDone()
    {
        using var temp = new TempFolder();
        var first = ResultFolder.Open(temp.Path, "run");
        var e = Assert.Throws<IOException>(() => ResultFolder.Open(temp.Path, "run"))!;
        Assert.That(e.Message, Does.Contain(temp.Path).And.Contain("in use"));
        first.Dispose();
        using var second = ResultFolder.Open(temp.Path, "run");
        Assert.That(Directory.Exists(second.Staging));
    }

    [Test]
    public void AFolderHoldingAnotherCommandsResults_IsRefused()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "fit", ("memory_bank.safetensors", "bank"), ("settings.json", "settings"));
        var e = Assert.Throws<IOException>(() => ResultFolder.Open(temp.Path, "run"))!;
        Assert.That(e.Message, Does.Contain(temp.Path).And.Contain("`uniformaly fit`").And.Contain("`uniformaly run`"));
        Assert.That(File.ReadAllText(Path.Combine(temp.Path, "settings.json")), Is.EqualTo("settings"));
    }

    [Test]
    public void AFolderInTheWayOfANewFile_IsRefusedBeforeAnythingMoves()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "run", ("scores.csv", "old"));
        Directory.CreateDirectory(Path.Combine(temp.Path, "metrics.json"));
        using var folder = ResultFolder.Open(temp.Path, "run");
        File.WriteAllText(Path.Combine(folder.Staging, "scores.csv"), "new");
        File.WriteAllText(Path.Combine(folder.Staging, "metrics.json"), "new");
        var e = Assert.Throws<IOException>(() => folder.Publish())!;
        Assert.That(e.Message, Does.Contain(Path.Combine(temp.Path, "metrics.json")));
        Assert.That(File.ReadAllText(Path.Combine(temp.Path, "scores.csv")), Is.EqualTo("old"));
    }

    [Test]
    public void WhatACrashedWriterStaged_IsClearedByTheNextOne()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "run", ("scores.csv", "old"));
        var before = Snapshot(temp.Path);
        // A writer killed before publishing leaves its staging folder (and the OS drops its lock).
        temp.File(Path.Combine(".uniformaly", "staging", "scores.csv"), "half"u8.ToArray());
        temp.File(Path.Combine(".uniformaly", ".results.json.123.0f.tmp"), "half"u8.ToArray());

        using (ResultFolder.Open(temp.Path, "run")) { }

        Assert.That(Snapshot(temp.Path), Is.EqualTo(before));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(temp.Path, ".uniformaly")).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "lock", "results.json" }));
    }

    [Test]
    public void APublishKilledHalfway_IsFinishedByTheNextWriterOrReader()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "fit", ("memory_bank.safetensors", "old bank"), ("settings.json", "old settings"), ("extra.json", "old"));
        // The state a writer killed between its two moves leaves: the journal, the bank already moved, the settings still staged.
        File.WriteAllText(Path.Combine(temp.Path, "memory_bank.safetensors"), "new bank");
        temp.File(Path.Combine(".uniformaly", "staging", "settings.json"), "new settings"u8.ToArray());
        File.WriteAllText(Path.Combine(temp.Path, ".uniformaly", "publishing.json"), JsonSerializer.Serialize(new
        {
            move = new[] { "memory_bank.safetensors", "settings.json" },
            remove = new[] { "extra.json" },
            result = new { command = "fit", files = new[] { "memory_bank.safetensors", "settings.json" } },
        }));

        ResultFolder.FinishInterruptedPublish(temp.Path); // what loading a model does first

        Assert.That(Snapshot(temp.Path), Is.EqualTo(new Dictionary<string, string>
        {
            ["memory_bank.safetensors"] = "new bank", ["settings.json"] = "new settings",
        }));
        Assert.That(File.Exists(Path.Combine(temp.Path, ".uniformaly", "publishing.json")), Is.False);
    }

    [Test]
    public void Parts_ArePublishedOneByOne_AndKeptByTheWholeSet()
    {
        using var temp = new TempFolder();
        Write(temp.Path, "reproduce", (Path.Combine("cells", "a", "cell.json"), "a"), ("README.md", "old report"), ("old.svg", "old"));
        using (var folder = ResultFolder.Open(temp.Path, "reproduce"))
        {
            var cell = Path.Combine("cells", "b");
            temp.File(Path.Combine(".uniformaly", "staging", cell, "cell.json"), "b"u8.ToArray());
            folder.PublishPart(cell);
            Assert.That(File.ReadAllText(Path.Combine(temp.Path, cell, "cell.json")), Is.EqualTo("b"), "a finished cell is in place at once");
            Assert.That(File.ReadAllText(Path.Combine(temp.Path, "README.md")), Is.EqualTo("old report"), "the report is not yet");
            File.WriteAllText(Path.Combine(folder.Staging, "README.md"), "new report");
            folder.Publish(keep: "cells");
        }
        Assert.That(Snapshot(temp.Path), Is.EqualTo(new Dictionary<string, string>
        {
            [Path.Combine("cells", "a", "cell.json")] = "a", [Path.Combine("cells", "b", "cell.json")] = "b", ["README.md"] = "new report",
        }));
    }

    [Test]
    public void AFileWhereTheFolderShouldBe_IsRefused()
    {
        using var temp = new TempFolder();
        var file = temp.File("out", "not a folder"u8.ToArray());
        var e = Assert.Throws<IOException>(() => ResultFolder.Open(file, "run"))!;
        Assert.That(e.Message, Does.Contain(file).And.Contain("is a file"));
    }

    /// <summary>Publishes a result set of (relative path, content) into <paramref name="path"/>.</summary>
    private static void Write(string path, string command, params (string File, string Content)[] files)
    {
        using var folder = ResultFolder.Open(path, command);
        foreach (var (file, content) in files)
        {
            var target = Path.Combine(folder.Staging, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
        }
        folder.Publish();
    }

    /// <summary>Every file outside the bookkeeping folder, with its content.</summary>
    private static Dictionary<string, string> Snapshot(string path) =>
        Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(path, f))
            .Where(f => !f.StartsWith(".uniformaly", StringComparison.Ordinal))
            .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(path, f)));
}

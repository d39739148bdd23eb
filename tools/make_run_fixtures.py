#!/usr/bin/python3
"""Expected results of the command-line runs tested in tests/Uniformaly.Tests/Cli/, computed by
tools/reference_pipeline.py's independent implementation (torch, faiss, scipy, sklearn), so that
those tests check values instead of ranges.

Run with Debian's Python after `make build` (the stand-in datasets are written by the toolkit's own
generators, the code the tests call, and their SHA-256 is recorded, so that a test can tell a changed
generator from a changed result):

    env -u OPENBLAS_CORETYPE /usr/bin/python3 tools/make_run_fixtures.py

(unsetting OPENBLAS_CORETYPE only keeps the file byte-identical to the committed one, which was
written without it; any BLAS gives values within the tests' tolerances).

Writes tests/Uniformaly.Tests/fixtures/runs/expected.json:
  run       `uniformaly run --dataset folder` on `uniformaly synth --train 4 --test-good 3
            --per-defect 1 --size 64` with the parity fixture's tiny ViT (RunCommandTests): per
            category the bank size, each test image's score, the squared-distance scale the scores'
            rounding is relative to, and the eight metrics of metrics.json, each with its rounding
            bound (Tolerances.Metric in the tests)
  cluster   `uniformaly cluster` on `synth --train 3 --test-good 2 --per-defect 2 --size 64`
            (ClusterCommandTests), per selector: per category k, NMI, ARI, F1 (the toolkit's seeded
            k-means, reference_pipeline.kmeans)
  semantic  `uniformaly run --dataset cifar10|cifar100` on tools/write_cifar_standins.cs's
            synthetic CIFAR (SemanticRunTests): per normal-class choice (and low-shot draw) the
            training images, bank size, image scores and image metrics
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sklearn.metrics
import torch
from PIL import Image
from torchvision import transforms

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
import reference_pipeline as rp  # noqa: E402
from make_detection_fixtures import greedy_coreset, seeded_default  # noqa: E402
from make_metric_fixtures import aupro, auroc_rounding, f1_max, hungarian_f1, perturbed_rounding  # noqa: E402

OUT = ROOT / "tests" / "Uniformaly.Tests" / "fixtures" / "runs"
CHECKPOINT = ROOT / "tests" / "Uniformaly.Tests" / "fixtures" / "parity" / "vit_tiny_p16_d128_fp16.pth"

# The tests' settings (RunCommandTests.Model and ClusterCommandTests.Model), everything else the
# toolkit's defaults: attention layer = the last of the layers, lambda 0.1, binary BPM, k-ratio
# 0.05, n_nn 1, seed 0.
LAYERS = [1, 2, 3]
KERNEL = 3
THRESHOLD = 0.1
TOPK = 0.05
RUN_SYNTH = ["--train", "4", "--test-good", "3", "--per-defect", "1", "--size", "64"]
CLUSTER_SYNTH = ["--train", "3", "--test-good", "2", "--per-defect", "2", "--size", "64"]
SAMPLER_RATIO = 0.5
# SemanticRunTests' runs: per dataset, (normal classes, low-shot images or None).
SEMANTIC = {"cifar10": [([3], None), ([0, 1, 2, 3, 4], None), ([0, 1, 2, 3, 4], 3)], "cifar100": [([7], None)]}
# Scores and maps agree with ours to this relative error of the distance scale (C#:
# Tolerances.Pipeline, 4 u sqrt(768 x 39), which the tests check against the value recorded here);
# the metrics' rounding bounds are computed for errors of that size.
PIPELINE_TOLERANCE = 4 * 2.0 ** -24 * math.sqrt(768 * 39)


def tree_sha256(root):
    """SHA-256 over every file's relative path and bytes, in path order (RunFixture.cs computes the same)."""
    h = hashlib.sha256()
    for name in sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file()):
        h.update(name.encode() + b"\n")
        h.update((Path(root) / name).read_bytes())
    return h.hexdigest()


def synth(out, args):
    subprocess.run([str(ROOT / "uniformaly"), "synth", "--out", str(out), *args], check=True, stdout=subprocess.DEVNULL)


def embed(model, paths, resize, crop):
    transform = rp.image_transform(resize, crop)
    x = torch.stack([transform(Image.open(p).convert("RGB")) for p in paths])
    return rp.embed(model, x, LAYERS, LAYERS[-1], KERNEL)


def category_bank(model, train, sampler_ratio):
    features, smoothed = embed(model, train, 64, 64)
    bank = features[smoothed > THRESHOLD].contiguous()
    if sampler_ratio is not None:
        projection, starts = seeded_default(bank, 0)
        bank = bank[torch.from_numpy(greedy_coreset(bank, projection, starts, sampler_ratio))].contiguous()
    return bank, features


def distance_scale(bank, test_features):
    """max |q|^2 + max |b|^2: the magnitude every squared distance is computed from."""
    return float(test_features.square().sum(-1).max() + bank.square().sum(-1).max())


def image_metrics(labels, scores, error):
    """The image metrics of metrics.json, each with its rounding bound."""
    return {
        "image_auroc": {"value": sklearn.metrics.roc_auc_score(labels, scores), "rounding": auroc_rounding(scores, labels, error)},
        "image_ap": {"value": sklearn.metrics.average_precision_score(labels, scores),
                     "rounding": perturbed_rounding(lambda v: sklearn.metrics.average_precision_score(labels, v), scores, error)},
        "image_f1max": {"value": f1_max(labels, scores), "rounding": perturbed_rounding(lambda v: f1_max(labels, v), scores, error)},
    }


def pixel_metrics(masks, maps, anomalous, error):
    """The pixel metrics of metrics.json, each with its rounding bound."""
    flat_masks, flat_maps = masks.ravel(), maps.ravel()
    return {
        "pixel_auroc": {"value": sklearn.metrics.roc_auc_score(flat_masks, flat_maps), "rounding": auroc_rounding(flat_maps, flat_masks, error)},
        "pixel_auroc_anomalous": {"value": sklearn.metrics.roc_auc_score(masks[anomalous].ravel(), maps[anomalous].ravel()),
                                  "rounding": auroc_rounding(maps[anomalous].ravel(), masks[anomalous].ravel(), error)},
        "aupro": {"value": aupro(masks, maps), "rounding": perturbed_rounding(lambda v: aupro(masks, v), maps, error)},
        "pixel_ap": {"value": sklearn.metrics.average_precision_score(flat_masks, flat_maps),
                     "rounding": perturbed_rounding(lambda v: sklearn.metrics.average_precision_score(flat_masks, v.ravel()), maps, error)},
        "pixel_f1max": {"value": f1_max(flat_masks, flat_maps), "rounding": perturbed_rounding(lambda v: f1_max(flat_masks, v.ravel()), maps, error)},
    }


def defect_run(model, data_root):
    result = {}
    for category in sorted(os.listdir(data_root)):
        train, test = rp.list_category(data_root, category)
        bank, _ = category_bank(model, train, SAMPLER_RATIO)
        features, smoothed = embed(model, [p for p, _, _, _ in test], 64, 64)
        scores, patch_scores, _ = rp.score_images(bank, features, (smoothed > THRESHOLD).float(), 1, TOPK)
        maps = rp.anomaly_maps(patch_scores, 64)
        masks = np.stack([rp.mask_pixels(m, {"resize": 64, "imagesize": 64}) for _, _, _, m in test]).astype(np.int64)
        labels = np.array([label for _, _, label, _ in test])
        scale = distance_scale(bank, features)
        error = PIPELINE_TOLERANCE * scale
        result[category] = {
            "bank_size": int(bank.shape[0]),
            "distance_scale": scale,
            "scores": {os.path.relpath(p, data_root): float(s) for (p, _, _, _), s in zip(test, scores)},
            "metrics": {**image_metrics(labels, scores.numpy(), error), **pixel_metrics(masks, maps, labels == 1, error)},
        }
    return result


def cluster_run(model, data_root):
    result = {}
    for selector in ("topk", "max", "all"):
        per_category = {}
        for category in sorted(os.listdir(data_root)):
            train, test = rp.list_category(data_root, category)
            bank, _ = category_bank(model, train, None)
            features, smoothed = embed(model, [p for p, _, _, _ in test], 64, 64)
            weights = (smoothed > THRESHOLD).float()
            if selector == "all":
                description = features.mean(1)
            else:
                topk = TOPK if selector == "topk" else 1 / features.shape[1]
                _, _, description = rp.score_images(bank, features, weights, 1, topk)
            types = sorted({kind for _, kind, _, _ in test})
            truth = np.array([types.index(kind) for _, kind, _, _ in test])
            k = len(types)
            labels = rp.kmeans(description.double().numpy(), k)
            per_category[category] = {
                "k": k,
                "nmi": sklearn.metrics.normalized_mutual_info_score(truth, labels),
                "ari": sklearn.metrics.adjusted_rand_score(truth, labels),
                "f1": hungarian_f1(truth, labels),
            }
        result[selector] = per_category
    return result


def cifar_standins(out, dataset):
    """SemanticRunTests' synthetic CIFAR (1 training and 2 test images per class), written by the toolkit."""
    subprocess.run(["dotnet", "run", str(TOOLS / "write_cifar_standins.cs"), "--", str(out), dataset, "1", "2"], check=True,
                   stdout=subprocess.DEVNULL)


def read_cifar(root, dataset):
    """(train, test) lists of (class, 32x32x3 uint8) in file order: CIFAR-10's five batches, or
    CIFAR-100's train.bin with its coarse (super-class) label."""
    def records(path, label_bytes):
        raw = np.fromfile(path, np.uint8).reshape(-1, label_bytes + 3072)
        return [(int(r[0]), r[label_bytes:].reshape(3, 32, 32).transpose(1, 2, 0)) for r in raw]
    if dataset == "cifar100":
        folder = Path(root) / "cifar-100-binary"
        return records(folder / "train.bin", 2), records(folder / "test.bin", 2)
    folder = Path(root) / "cifar-10-batches-bin"
    train = [r for b in range(1, 6) for r in records(folder / f"data_batch_{b}.bin", 1)]
    return train, records(folder / "test_batch.bin", 1)


def cifar_tensor(image):
    """SPEC section 12: PIL's ANTIALIAS (Lanczos) 32 -> 112, black padding to 224, ImageNet normalization."""
    resized = Image.fromarray(image).resize((112, 112), Image.LANCZOS)
    canvas = Image.new("RGB", (224, 224))
    canvas.paste(resized, (56, 56))
    return transforms.Normalize(rp.IMAGENET_MEAN, rp.IMAGENET_STD)(transforms.ToTensor()(canvas))


def semantic_run(model, root, dataset, normal, low_shot):
    train, test = read_cifar(root, dataset)
    pool = [image for label, image in train if label in normal]
    if low_shot is not None:
        order = list(range(len(pool)))
        rp.SplitMix64(0).shuffle(order)
        pool = [pool[i] for i in sorted(order[:low_shot])]
    embed_images = lambda images: rp.embed(model, torch.stack([cifar_tensor(i) for i in images]), LAYERS, LAYERS[-1], KERNEL)
    features, smoothed = embed_images(pool)
    bank = features[smoothed > THRESHOLD].contiguous()
    test_features, test_smoothed = embed_images([image for _, image in test])
    scores, _, _ = rp.score_images(bank, test_features, (test_smoothed > THRESHOLD).float(), 1, TOPK)
    labels = np.array([0 if label in normal else 1 for label, _ in test])
    scale = distance_scale(bank, test_features)
    return {"train_images": len(pool), "bank_size": int(bank.shape[0]), "distance_scale": scale,
            "scores": {f"test/{i}": float(v) for i, v in enumerate(scores)}, "metrics": image_metrics(labels, scores.numpy(), PIPELINE_TOLERANCE * scale)}


def main():
    torch.set_num_threads(1)
    torch.set_grad_enabled(False)
    model = rp.load_vit(CHECKPOINT)
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_root = Path(tmp) / "run"
        synth(run_root, RUN_SYNTH)
        expected["pipeline_tolerance"] = PIPELINE_TOLERANCE
        expected["run"] = {"synth": RUN_SYNTH, "sha256": tree_sha256(run_root), "categories": defect_run(model, str(run_root))}
        cluster_root = Path(tmp) / "cluster"
        synth(cluster_root, CLUSTER_SYNTH)
        expected["cluster"] = {"synth": CLUSTER_SYNTH, "sha256": tree_sha256(cluster_root), "selectors": cluster_run(model, str(cluster_root))}
        expected["semantic"] = {}
        for dataset in ("cifar10", "cifar100"):
            root = Path(tmp) / dataset
            cifar_standins(root, dataset)
            expected["semantic"][dataset] = {"sha256": tree_sha256(root)}
            for normal, low_shot in SEMANTIC[dataset]:
                key = ",".join(map(str, normal)) + ("" if low_shot is None else f"|low-shot {low_shot}")
                expected["semantic"][dataset][key] = semantic_run(model, root, dataset, set(normal), low_shot)
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    for category, c in expected["run"]["categories"].items():
        print(category, c["bank_size"], {k: (round(v["value"], 6), f"{v['rounding']:.1e}") for k, v in c["metrics"].items()})
    for selector, cs in expected["cluster"]["selectors"].items():
        print(selector, cs)
    for dataset, runs in expected["semantic"].items():
        for key, r in runs.items():
            if key != "sha256":
                print(dataset, key, r["train_images"], r["bank_size"], {k: (round(v["value"], 6), f"{v['rounding']:.1e}") for k, v in r["metrics"].items()})


if __name__ == "__main__":
    main()

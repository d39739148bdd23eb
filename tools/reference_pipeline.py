#!/usr/bin/python3
"""Independent reference implementation of UniFormaly (shared/SPEC.md sections 1, 4-10).

Written against Debian's python3-torch, python3-torchvision, python3-faiss (IndexFlatL2),
python3-scipy and python3-sklearn, without any Uniformaly code, so that the C# pipeline can be
checked against it.

  fixture   writes tests/Uniformaly.Tests/fixtures/parity/: a tiny MVTec-layout dataset (PNG), a
            random-weight ViT saved with torch.save (zip format) and, for several settings,
            every test image's score and anomaly map plus the AUROCs (safetensors + JSON).
  run       fits and scores an MVTec-layout category with a checkpoint and prints images/second
            (the reference side of docs/benchmarks.md's end-to-end figure); --device cuda runs the
            backbone and the search on the GPU (there the search is a torch squared-L2 mm + topk,
            as faiss is CPU-only here).
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import scipy.ndimage
import sklearn.metrics
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


# ---- the backbone (DINO's ViT semantics, SPEC section 2) ------------------------------------

class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x), attn


class Mlp(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        self.gelu = "none"  # DINO's exact (erf) GELU; make_vit_fixtures.py's mistakes set "tanh"

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate=self.gelu))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim)

    def forward(self, x):
        y, attn = self.attn(self.norm1(x))
        x = x + y
        return x + self.mlp(self.norm2(x)), attn


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    def __init__(self, patch, dim, depth, heads, grid):
        super().__init__()
        self.patch = patch
        self.patch_embed = PatchEmbed(patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, grid * grid + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pos_offset = 0.1  # DINO's; make_vit_fixtures.py's mistakes set 0

    def interpolate_pos_encoding(self, npatch, w, h):
        """DINO: w, h are the input's dims 2 and 3 (prepare_tokens unpacks B, nc, w, h); the grid is
        kept only for the checkpoint's own patch count AND a square input (DINO's skip condition)."""
        n = self.pos_embed.shape[1] - 1
        if npatch == n and w == h:
            return self.pos_embed
        dim = self.pos_embed.shape[-1]
        w0, h0 = w // self.patch + self.pos_offset, h // self.patch + self.pos_offset
        side = int(math.sqrt(n))
        patch_pos = F.interpolate(self.pos_embed[:, 1:].reshape(1, side, side, dim).permute(0, 3, 1, 2),
                                  scale_factor=(w0 / side, h0 / side), mode="bicubic")
        assert patch_pos.shape[-2] == int(w0) and patch_pos.shape[-1] == int(h0)
        patch_pos = patch_pos.permute(0, 2, 3, 1).reshape(1, -1, dim)
        return torch.cat((self.pos_embed[:, :1], patch_pos), dim=1)

    def prepare_tokens(self, x):
        """Patch tokens with CLS, plus the position embedding used (interpolated when needed)."""
        b, _, w, h = x.shape
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1)
        pos = self.interpolate_pos_encoding(x.shape[1] - 1, w, h)
        return x + pos, pos

    def run(self, x):
        """Every block's output (before the final norm) and softmax attention, and the pos_embed used."""
        x, pos = self.prepare_tokens(x)
        outputs, attentions = [], []
        for block in self.blocks:
            x, attention = block(x)
            outputs.append(x)
            attentions.append(attention)
        return outputs, attentions, pos

    def forward_features(self, x, layers, attention_layer):
        """Outputs of the 1-based `layers` and the attention of `attention_layer` (stops after the last needed block)."""
        x, _ = self.prepare_tokens(x)
        outputs, attention = {}, None
        for i, block in enumerate(self.blocks, start=1):
            x, attn = block(x)
            if i in layers:
                outputs[i] = x
            if i == attention_layer:
                attention = attn
            if i >= max(max(layers), attention_layer):
                break
        return outputs, attention


def load_vit(path):
    """A ViT checkpoint (plain DINO state dict) as a float32 model, its architecture read from the tensors."""
    state = torch.load(path, map_location="cpu")
    dim = state["cls_token"].shape[-1]
    depth = len({k.split(".")[1] for k in state if k.startswith("blocks.")})
    patch = state["patch_embed.proj.weight"].shape[-1]
    grid = int(math.sqrt(state["pos_embed"].shape[1] - 1))
    model = VisionTransformer(patch, dim, depth, dim // 64, grid)
    model.load_state_dict(state, strict=True)
    return model.eval()


def random_vit(seed, patch=16, dim=128, depth=3, heads=2, grid=4):
    """Random weights, rounded to float16 (the checkpoint stores them so) and used in float32.
    The qkv weights are large enough that attention is peaked, so that BPM masks something."""
    torch.manual_seed(seed)
    model = VisionTransformer(patch, dim, depth, heads, grid)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                value = 1 + 0.1 * torch.randn_like(p)
            elif name.endswith("qkv.weight"):
                value = 0.15 * torch.randn_like(p)
            else:
                value = 0.05 * torch.randn_like(p)
            p.copy_(value.half().float())
    return model.eval()


# ---- data ----------------------------------------------------------------------------------

def image_transform(resize, crop):
    return transforms.Compose([
        transforms.Resize(resize), transforms.CenterCrop(crop), transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def mask_transform(resize, crop):
    return transforms.Compose([transforms.Resize(resize), transforms.CenterCrop(crop), transforms.ToTensor()])


def list_category(root, category):
    """(train paths, test [(path, type, label, mask path or None)]) in sorted order."""
    base = os.path.join(root, category)
    train_dir = os.path.join(base, "train", "good")
    train = [os.path.join(train_dir, f) for f in sorted(os.listdir(train_dir))]
    test = []
    for kind in sorted(os.listdir(os.path.join(base, "test"))):
        folder = os.path.join(base, "test", kind)
        for f in sorted(os.listdir(folder)):
            mask = None
            if kind != "good":
                mask = os.path.join(base, "ground_truth", kind, os.path.splitext(f)[0] + "_mask.png")
            test.append((os.path.join(folder, f), kind, 0 if kind == "good" else 1, mask))
    return train, test


# ---- the method ------------------------------------------------------------------------------

def backbone(model, images, layers, attention_layer):
    """Layer-averaged patch features [B,N,D] and head-mean CLS attention over patches [B,N]."""
    with torch.no_grad():
        outputs, attn = model.forward_features(images, layers, attention_layer)
        features = torch.stack([outputs[l][:, 1:] for l in layers]).mean(0)
        return features, attn[:, :, 0, 1:].mean(1)


def embed(model, images, layers, attention_layer, kernel):
    """Patch features [B,N,D] and per-image max-normalized smoothed CLS attention [B,N]."""
    features, cls_attention = backbone(model, images, layers, attention_layer)
    with torch.no_grad():
        b, n = cls_attention.shape
        side = int(math.sqrt(n))
        smoothed = F.avg_pool2d(cls_attention.reshape(b, 1, side, side), kernel, 1, kernel // 2,
                                count_include_pad=True).reshape(b, n)
        smoothed = smoothed / smoothed.max(dim=1, keepdim=True).values
    return features, smoothed


def patch_weights(smoothed, mode, threshold):
    if mode == "binary":
        return (smoothed > threshold).float()
    if mode == "soft":
        return smoothed
    return torch.ones_like(smoothed)


def faiss_search(bank, queries, n_nn):
    """Squared L2 distances [Q, n_nn] to the nearest bank rows, by faiss IndexFlatL2 (CPU tensors)."""
    import faiss  # here only: a GPU machine's Python may lack faiss and uses torch_search

    index = faiss.IndexFlatL2(bank.shape[1])
    index.add(bank.numpy())
    distances, _ = index.search(queries.numpy(), n_nn)
    return torch.from_numpy(distances)


def torch_search(bank, queries, n_nn):
    """The same distances as faiss_search by |q|^2 - 2 q.b + |b|^2 and topk, on the tensors' device."""
    d = torch.addmm(bank.square().sum(1).unsqueeze(0), queries, bank.t(), alpha=-2)
    return (d.topk(n_nn, dim=1, largest=False).values + queries.square().sum(1, keepdim=True)).clamp_min(0)


def score_images(bank, test_features, weights, n_nn, topk, search=faiss_search):
    b, n, d = test_features.shape
    distances = search(bank, test_features.reshape(-1, d), n_nn)
    patch_scores = distances.mean(1).reshape(b, n) * weights
    k = max(1, round(topk * n))
    top = patch_scores.topk(k, dim=1)
    clustering = torch.stack([test_features[i, top.indices[i]].mean(0) for i in range(b)])
    return top.values.mean(1), patch_scores, clustering


def anomaly_maps(patch_scores, size):
    b, n = patch_scores.shape
    side = int(math.sqrt(n))
    up = F.interpolate(patch_scores.reshape(b, 1, side, side), size=(size, size), mode="bilinear",
                       align_corners=False)[:, 0].numpy()
    return np.stack([scipy.ndimage.gaussian_filter(m, sigma=4) for m in up]).astype(np.float32)


def run_setting(model, train_x, test_x, setting):
    layers = list(range(setting["layer_first"], setting["layer_last"] + 1))
    args = (layers, setting["attention_layer"], setting["kernel"])
    train_features, train_smoothed = embed(model, train_x, *args)
    test_features, test_smoothed = embed(model, test_x, *args)
    keep = patch_weights(train_smoothed, setting["bpm"], setting["threshold"]) > 0
    bank = train_features[keep].contiguous()
    weights = patch_weights(test_smoothed, setting["bpm"], setting["threshold"])
    scores, patch_scores, clustering = score_images(bank, test_features, weights, setting["nn"], setting["topk"])
    return scores, anomaly_maps(patch_scores, test_x.shape[-1]), bank.shape[0], clustering


# ---- clustering (SPEC section 11) ---------------------------------------------------------------

class SplitMix64:
    """The toolkit's seeded generator (Uniformaly.Research.Common.SplitMix64), bit for bit, so that
    the reference draws the same k-means++ seeds and low-shot subsets as the toolkit (as the coreset
    fixtures draw libtorch's)."""
    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed

    def next_uint64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_uint64() >> 11) * (1.0 / (1 << 53))

    def next_int(self, lo, hi):
        return lo + int(self.next_double() * (hi - lo))

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next_int(0, i + 1)
            items[i], items[j] = items[j], items[i]


def squared_distance(a, b):
    total = 0.0
    for p, q in zip(a, b):
        d = p - q
        total += d * d
    return total


def kmeans_plus_plus(x, k, rng, margin):
    """sklearn's _kmeans_plusplus (first centre uniform, then the best of 2 + ln k candidates drawn
    with probability proportional to D^2), drawing from rng; sums run left to right in float64, as the
    toolkit's do. A draw closer than `margin` (relative) to a boundary of the cumulative weights
    could go either way under rounding of x, so it is refused."""
    n, trials = len(x), 2 + int(math.log(k))
    centers = [x[rng.next_int(0, n)]]
    closest = [squared_distance(p, centers[0]) for p in x]
    while len(centers) < k:
        potential = 0.0
        for v in closest:
            potential += v
        best = (None, math.inf, closest)
        for _ in range(trials):
            target, cumulative, candidate = potential * rng.next_double(), 0.0, n - 1
            for i, v in enumerate(closest):
                cumulative += v
                assert abs(cumulative - target) > margin * potential, "a k-means++ draw within rounding of a boundary"
                if cumulative > target:
                    candidate = i
                    break
            updated = [min(c, squared_distance(p, x[candidate])) for c, p in zip(closest, x)]
            total = 0.0
            for v in updated:
                total += v
            if total < best[1]:
                best = (x[candidate], total, updated)
        centers.append(best[0])
        closest = best[2]
    return centers


def kmeans(x, k, seed=0, restarts=10, margin=1e-6):
    """The toolkit's K-means (KMeans.Fit): k-means++ seeds from SplitMix64(seed), sklearn's Lloyd
    iterations from each, the lowest inertia of `restarts` runs. Returns the labels."""
    import sklearn.cluster

    rng, best = SplitMix64(seed), None
    points = [list(map(float, row)) for row in x]
    for _ in range(restarts):
        init = np.array(kmeans_plus_plus(points, k, rng, margin))
        model = sklearn.cluster.KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(x)
        if best is None or model.inertia_ < best.inertia_:
            best = model
    return best.labels_


# ---- fixture ----------------------------------------------------------------------------------

def draw_texture(rng, size):
    y, x = np.mgrid[0:size, 0:size]
    base = 120 + 40 * np.sin(x / 5.0) * np.cos(y / 7.0)
    rgb = np.stack([base, base * 0.9 + 20, base * 0.7 + 30], -1) + rng.normal(0, 8, (size, size, 3))
    return np.clip(rgb, 0, 255).astype(np.uint8)


def draw_defect(rng, image, size):
    mask = np.zeros((size, size), np.uint8)
    cy, cx = rng.integers(size // 4, 3 * size // 4, 2)
    r = int(rng.integers(5, 12))
    y, x = np.ogrid[0:size, 0:size]
    region = (y - cy) ** 2 + (x - cx) ** 2 <= r * r
    image[region] = (0.6 * image[region] + 0.4 * np.array([90, 150, 60])).astype(np.uint8)
    mask[region] = 255
    return image, mask


def write_dataset(root, rng, size=128, train=5, good=4, bad=4):
    cat = os.path.join(root, "tile")
    for folder in ("train/good", "test/good", "test/stain", "ground_truth/stain"):
        os.makedirs(os.path.join(cat, folder), exist_ok=True)
    for i in range(train):
        Image.fromarray(draw_texture(rng, size)).save(os.path.join(cat, "train/good", f"{i:03d}.png"))
    for i in range(good):
        Image.fromarray(draw_texture(rng, size)).save(os.path.join(cat, "test/good", f"{i:03d}.png"))
    for i in range(bad):
        image, mask = draw_defect(rng, draw_texture(rng, size), size)
        Image.fromarray(image).save(os.path.join(cat, "test/stain", f"{i:03d}.png"))
        Image.fromarray(mask).save(os.path.join(cat, "ground_truth/stain", f"{i:03d}_mask.png"))


def write_safetensors(path, tensors):
    """Minimal safetensors writer (float32 only), so no extra package is needed."""
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


SETTINGS = {
    "binary_nn1": {"bpm": "binary", "nn": 1},
    "soft_nn1": {"bpm": "soft", "nn": 1},
    "off_nn1": {"bpm": "off", "nn": 1},
    "binary_nn3": {"bpm": "binary", "nn": 3},
}
COMMON = {"layer_first": 1, "layer_last": 3, "attention_layer": 3, "kernel": 3, "threshold": 0.3,
          "topk": 0.05, "resize": 128, "imagesize": 112}


# The detector's scores and maps agree with ours to this relative error of the distance scale
# max |q|^2 + max |b|^2 (C#: Tolerances.Detector, 4 u sqrt(128 x 5)); AUPRO's rounding bound is
# computed for errors of that size.
DETECTOR_TOLERANCE = 4 * 2.0 ** -24 * math.sqrt(128 * 5)


def make_fixture(out):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_metric_fixtures import aupro, hungarian_f1, perturbed_rounding
    torch.set_num_threads(1)
    rng = np.random.default_rng(7)
    data_root = os.path.join(out, "data")
    write_dataset(data_root, rng)
    model = random_vit(seed=11)
    half = {k: v.half() for k, v in model.state_dict().items()}
    torch.save(half, os.path.join(out, "vit_tiny_p16_d128_fp16.pth"))
    train, test = list_category(data_root, "tile")
    transform = image_transform(COMMON["resize"], COMMON["imagesize"])
    load = lambda p: transform(Image.open(p).convert("RGB"))
    train_x = torch.stack([load(p) for p in train])
    test_x = torch.stack([load(p) for p, _, _, _ in test])
    labels = np.array([label for _, _, label, _ in test])
    masks = np.stack([mask_pixels(m, COMMON) for _, _, _, m in test])
    summary = {"common": COMMON, "settings": {}, "test_images": [os.path.relpath(p, data_root) for p, _, _, _ in test]}
    layers = list(range(COMMON["layer_first"], COMMON["layer_last"] + 1))
    tensors = {}
    for split, x in (("train", train_x), ("test", test_x)):
        features, cls_attention = backbone(model, x, layers, COMMON["attention_layer"])
        tensors[f"{split}.features"] = features.numpy()
        tensors[f"{split}.cls_attention"] = cls_attention.numpy()
    tensors["test.masks"] = masks.astype(np.float32)
    # max |q|^2 + max |b|^2: the magnitude the squared distances are computed from
    scale = float(sum((tensors[f"{split}.features"] ** 2).sum(-1).max() for split in ("train", "test")))
    for name, setting in SETTINGS.items():
        scores, maps, bank_size, clustering = run_setting(model, train_x, test_x, {**COMMON, **setting})
        tensors[f"{name}.scores"] = scores.numpy()
        tensors[f"{name}.clustering_features"] = clustering.numpy()
        tensors[f"{name}.maps"] = maps
        summary["settings"][name] = {
            **setting, "bank_size": int(bank_size),
            "image_auroc": sklearn.metrics.roc_auc_score(labels, scores.numpy()),
            "pixel_auroc": sklearn.metrics.roc_auc_score(masks.ravel(), maps.ravel()),
            "aupro": aupro(masks.astype(np.int64), maps),
            "aupro_rounding": perturbed_rounding(lambda v: aupro(masks.astype(np.int64), v), maps, DETECTOR_TOLERANCE * scale)}
    types = [kind for _, kind, _, _ in test]
    truth = np.array([sorted(set(types)).index(kind) for kind in types])
    clusters = kmeans(tensors["binary_nn1.clustering_features"].astype(np.float64), len(set(types)))
    summary["clustering"] = {"setting": "binary_nn1", "nmi": sklearn.metrics.normalized_mutual_info_score(truth, clusters),
                             "ari": sklearn.metrics.adjusted_rand_score(truth, clusters), "f1": hungarian_f1(truth, clusters)}
    write_safetensors(os.path.join(out, "reference.safetensors"), tensors)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(summary, f, indent=2)


def mask_pixels(path, common):
    size = common["imagesize"]
    if path is None:
        return np.zeros((size, size), np.uint8)
    m = mask_transform(common["resize"], size)(Image.open(path).convert("L"))[0]
    return (m.numpy() * 255).astype(np.int64) == 255  # anomalous only where exactly 255


# ---- timing run -------------------------------------------------------------------------------

def timed_run(args):
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    search = faiss_search if args.knn == "faiss" else torch_search
    if args.knn == "faiss":
        if device.type != "cpu":
            sys.exit("--knn faiss needs --device cpu (the faiss here is CPU-only)")
        import faiss

        faiss.omp_set_num_threads(args.threads)
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    model = load_vit(args.checkpoint).to(device)
    setting = {**COMMON, "resize": args.resize, "imagesize": args.imagesize, "layer_first": 3,
               "layer_last": 10, "attention_layer": 10, "kernel": 7, "threshold": 0.1, "bpm": "binary", "nn": 1}
    train, test = list_category(args.data_root, args.category)
    transform = image_transform(args.resize, args.imagesize)
    start = time.perf_counter()
    batches = lambda paths: [torch.stack([transform(Image.open(p).convert("RGB")) for p in paths[i:i + args.batch_size]]).to(device)
                             for i in range(0, len(paths), args.batch_size)]
    layers = list(range(3, 11))
    train_parts = [embed(model, x, layers, 10, 7) for x in batches(train)]
    sync()
    fit_seconds = time.perf_counter() - start
    features = torch.cat([f for f, _ in train_parts])
    smoothed = torch.cat([s for _, s in train_parts])
    bank = features[smoothed > 0.1].contiguous()
    start = time.perf_counter()
    labels, scores = [], []
    for x in batches([p for p, _, _, _ in test]):
        f, s = embed(model, x, layers, 10, 7)
        image_scores, patch_scores, _ = score_images(bank, f, (s > 0.1).float(), 1, 0.05, search)
        anomaly_maps(patch_scores.cpu(), args.imagesize)
        scores.append(image_scores.cpu())
    sync()
    predict_seconds = time.perf_counter() - start
    labels = [label for _, _, label, _ in test]
    print(json.dumps({"fit_images_per_second": len(train) / fit_seconds,
                      "predict_images_per_second": len(test) / predict_seconds,
                      "image_auroc": sklearn.metrics.roc_auc_score(labels, torch.cat(scores).numpy()),
                      "bank_size": int(bank.shape[0]), "threads": args.threads, "device": args.device, "knn": args.knn}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fixture = sub.add_parser("fixture")
    fixture.add_argument("--out", default="tests/Uniformaly.Tests/fixtures/parity")
    run = sub.add_parser("run")
    run.add_argument("--data-root", required=True)
    run.add_argument("--category", required=True)
    run.add_argument("--checkpoint", required=True)
    run.add_argument("--resize", type=int, default=256)
    run.add_argument("--imagesize", type=int, default=224)
    run.add_argument("--batch-size", type=int, default=8)
    run.add_argument("--threads", type=int, default=os.cpu_count())
    run.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    run.add_argument("--knn", choices=("faiss", "torch"), help="nearest-neighbour search (default: faiss on cpu, torch on cuda)")
    checkpoint = sub.add_parser("random-checkpoint", help="a random-weight ViT saved with torch.save, for timing runs")
    checkpoint.add_argument("--dim", type=int, default=384)
    checkpoint.add_argument("--depth", type=int, default=12)
    checkpoint.add_argument("--patch", type=int, default=16)
    checkpoint.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.command == "fixture":
        os.makedirs(args.out, exist_ok=True)
        make_fixture(args.out)
    elif args.command == "random-checkpoint":
        model = random_vit(seed=0, patch=args.patch, dim=args.dim, depth=args.depth, heads=args.dim // 64, grid=224 // args.patch)
        torch.save(model.state_dict(), args.out)
    else:
        args.knn = args.knn or ("faiss" if args.device == "cpu" else "torch")
        timed_run(args)


if __name__ == "__main__":
    sys.exit(main())

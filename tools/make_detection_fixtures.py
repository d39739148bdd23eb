#!/usr/bin/python3
"""Reference fixtures for Uniformaly's detection core (docs/method.md sections 6-9).

Run with Debian's interpreter (torch 1.13, faiss, scipy):

    /usr/bin/python3 tools/make_detection_fixtures.py

Writes .npy files under tests/Uniformaly.Tests/fixtures/detection/ (about 1 MB in all):

  coreset_*      approximate greedy coreset (PatchCore's algorithm, written out here with the
                 same distance formula), once with an explicit projection and start rows and once
                 with the seeded default (libtorch generator: rand for the map, randperm for starts)
  knn_*          faiss IndexFlatL2 search, n_nn 1 and 3, with duplicated bank rows and queries
                 that coincide with bank rows; `knn_unambiguous_k*` marks queries whose neighbour
                 order is not decided by a near tie
  topk_*         masking (off / binary / soft) and top k-ratio image scores
  map_*          bilinear upsampling + scipy.ndimage.gaussian_filter(sigma=4), and the filter alone
                 on maps smaller than its radius
"""
import os

import faiss
import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import gaussian_filter

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Uniformaly.Tests", "fixtures", "detection")


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array))


# ---- section 6: approximate greedy coreset ------------------------------------------------------

def euclidean(a, b):
    """PatchCore's batchwise Euclidean distances: sqrt(clamp(|a|^2 - 2ab + |b|^2, 0))."""
    a2 = (a * a).sum(1, keepdim=True)
    b2 = (b * b).sum(1).unsqueeze(0)
    return (a2 - 2 * a.mm(b.t()) + b2).clamp(min=0).sqrt()


def greedy_coreset(features, projection, starts, ratio):
    reduced = F.linear(features, projection)
    distances = euclidean(reduced, reduced[starts]).mean(1)
    selected = []
    for _ in range(int(len(features) * ratio)):
        index = int(torch.argmax(distances))
        selected.append(index)
        distances = torch.minimum(distances, euclidean(reduced, reduced[index:index + 1]).squeeze(1))
    return np.array(selected, dtype=np.int64)


def seeded_default(features, seed):
    """The toolkit's seeded default: map = rand*(2/sqrt(D)) - 1/sqrt(D), starts = randperm[:10]."""
    m, d = features.shape
    bound = 1.0 / np.sqrt(d)
    torch.manual_seed(seed)
    projection = torch.rand(128, d) * (2 * bound) - bound
    starts = torch.randperm(m)[: min(10, m)]
    return projection, starts


def coreset_fixtures():
    g = torch.Generator().manual_seed(11)
    features = torch.randn(600, 160, generator=g)
    projection = (torch.rand(128, 160, generator=g) * 2 - 1) / np.sqrt(160)
    starts = torch.randperm(600, generator=g)[:10]
    save("coreset_features", features.numpy())
    save("coreset_projection", projection.numpy())
    save("coreset_starts", starts.numpy())
    save("coreset_selected_r0.1", greedy_coreset(features, projection, starts, 0.1))
    save("coreset_selected_r0.05", greedy_coreset(features, projection, starts, 0.05))
    projection, starts = seeded_default(features, 7)
    save("coreset_selected_seed7_r0.1", greedy_coreset(features, projection, starts, 0.1))


# ---- section 7: exact nearest neighbours --------------------------------------------------------

def knn_fixtures():
    rng = np.random.default_rng(5)
    bank = rng.standard_normal((3000, 64)).astype(np.float32)
    bank[2000:2100] = bank[:100]                                   # exact duplicate rows
    bank[2100:2200] = bank[100:200] + 1e-3 * rng.standard_normal((100, 64)).astype(np.float32)
    queries = rng.standard_normal((300, 64)).astype(np.float32) * 0.9
    queries[:40] = bank[rng.choice(3000, 40, replace=False)]       # distance 0
    queries[40:80] = bank[rng.choice(3000, 40, replace=False)] + 0.05 * rng.standard_normal((40, 64)).astype(np.float32)
    save("knn_bank", bank)
    save("knn_queries", queries)
    index = faiss.IndexFlatL2(64)
    index.add(bank)
    exact = ((queries.astype(np.float64)[:, None, :] - bank.astype(np.float64)[None]) ** 2).sum(-1)
    ordered = np.sort(exact, axis=1)
    for k in (1, 3):
        distances, indices = index.search(queries, k)
        save(f"knn_distances_k{k}", distances.astype(np.float32))
        save(f"knn_indices_k{k}", indices.astype(np.int64))
        # The order of the first k neighbours is decided when consecutive exact distances differ
        # by more than float32 rounding of the matmul formulation can move them.
        gaps = np.diff(ordered[:, : k + 1], axis=1)
        scale = 1e-4 * (1.0 + ordered[:, : k + 1].max(axis=1))
        save(f"knn_unambiguous_k{k}", (gaps > scale[:, None]).all(axis=1))


# ---- sections 5 and 8: masking and top k-ratio scoring ------------------------------------------

def masked(scores, attention, mode, threshold=0.1):
    if mode == "binary":
        return scores * (attention > threshold).float()
    if mode == "soft":
        return scores * attention
    return scores


def image_scores(scores, selector, k):
    n = scores.shape[1]
    if selector == "all":
        return scores.mean(1)
    count = 1 if selector == "max" else max(1, round(k * n))
    return torch.topk(scores, count, dim=1).values.mean(1)


def topk_fixtures():
    g = torch.Generator().manual_seed(3)
    scores = torch.rand(3, 196, generator=g) * 4
    smoothed = F.avg_pool2d(torch.rand(3, 1, 14, 14, generator=g) ** 3, 3, 1, 1, count_include_pad=True).flatten(1)
    attention = smoothed / smoothed.max(1, keepdim=True).values
    save("topk_scores", scores.numpy())
    save("topk_attention", attention.numpy())
    for mode in ("off", "binary", "soft"):
        m = masked(scores, attention, mode)
        save(f"topk_masked_{mode}", m.numpy())
        for selector, k in (("topk", 0.05), ("topk", 0.01), ("topk", 0.0025), ("max", 1.0), ("all", 1.0)):
            save(f"topk_image_{mode}_{selector}_{k}", image_scores(m, selector, k).numpy())


# ---- section 9: anomaly maps --------------------------------------------------------------------

def map_fixtures():
    g = torch.Generator().manual_seed(9)
    scores = torch.rand(2, 14 * 14, generator=g) * 3
    upsampled = F.interpolate(scores.reshape(2, 1, 14, 14), size=(224, 224), mode="bilinear", align_corners=False)
    maps = np.stack([gaussian_filter(m, sigma=4) for m in upsampled[:, 0].numpy()])
    save("map_scores_14x14", scores.numpy())
    save("map_expected_224", maps.astype(np.float32))
    for h, w in ((8, 8), (5, 13), (40, 33)):
        image = torch.rand(h, w, generator=g).numpy() * 10
        save(f"blur_input_{h}x{w}", image)
        save(f"blur_expected_{h}x{w}", gaussian_filter(image, sigma=4).astype(np.float32))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    coreset_fixtures()
    knn_fixtures()
    topk_fixtures()
    map_fixtures()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference values for Uniformaly's metrics (shared/SPEC.md sections 10-11), from sklearn and scipy.

Writes tests/Uniformaly.Tests/fixtures/metrics/metrics.json: each case holds its inputs and the
reference outputs, so the C# tests need no Python. AUPRO follows the Dinomaly codebase's
compute_pro (200 thresholds from min to max with np.arange, per-region overlap over connected
components of each mask, FPR over normal pixels, keep fpr < 0.3, rescale fpr by its max,
trapezoid area); connected components use scipy.ndimage.label with the full 3x3 structure, which
is skimage.measure.label's default 8-connectivity.
"""
import json
import os

import numpy as np
import scipy.ndimage
import scipy.optimize
import sklearn.cluster
import sklearn.decomposition
import sklearn.metrics

OUT = "tests/Uniformaly.Tests/fixtures/metrics"


def f1_max(labels, scores):
    precision, recall, _ = sklearn.metrics.precision_recall_curve(labels, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    return float(np.max(f1[np.isfinite(f1)]))


def aupro(masks, amaps, num_th=200):
    binary = np.zeros_like(amaps, dtype=bool)
    min_th, max_th = amaps.min(), amaps.max()
    delta = (max_th - min_th) / num_th
    pros_fprs = []
    structure = np.ones((3, 3), dtype=int)
    regions = [scipy.ndimage.label(m, structure=structure) for m in masks]
    inverse = 1 - masks
    for th in np.arange(min_th, max_th, delta):
        binary[amaps <= th] = 0
        binary[amaps > th] = 1
        pros = []
        for b, (labelled, count) in zip(binary, regions):
            for region in range(1, count + 1):
                where = labelled == region
                pros.append(b[where].sum() / where.sum())
        fpr = np.logical_and(inverse, binary).sum() / inverse.sum()
        pros_fprs.append((np.mean(pros), fpr))
    pro = np.array([p for p, f in pros_fprs if f < 0.3])
    fpr = np.array([f for p, f in pros_fprs if f < 0.3])
    fpr = fpr / fpr.max()
    return float(sklearn.metrics.auc(fpr, pro))


def auroc_rounding(scores, labels, error):
    """The most the AUROC can move when every score moves by up to error: only positive-negative
    pairs closer than 2 * error can change order, each by 1 / (P N) (C#: Tolerances.RocAuc)."""
    positives, negatives = scores[labels == 1], np.sort(scores[labels == 0])
    pairs = sum(np.searchsorted(negatives, p + 2 * error, "right") - np.searchsorted(negatives, p - 2 * error, "left") for p in positives)
    return float(pairs / (len(positives) * len(negatives)))


def perturbed_rounding(metric, values, error, trials=16):
    """Twice the largest change of metric(values) over random +-error moves of every value: an
    estimate of what rounding at the tests' tolerance does to a rank metric with no simple bound
    (AUPRO, AP, F1-max), thresholds included."""
    rng = np.random.default_rng(0)
    base = metric(values)
    return 2 * max(abs(metric((values + error * rng.choice([-1.0, 1.0], values.shape)).astype(np.float32)) - base)
                   for _ in range(trials))


def binary_case(name, labels, scores):
    labels = np.asarray(labels, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float32)
    case = {"name": name, "labels": labels.tolist(), "scores": scores.astype(float).tolist(),
            "auroc": float(sklearn.metrics.roc_auc_score(labels, scores)),
            "ap": float(sklearn.metrics.average_precision_score(labels, scores)),
            "f1max": f1_max(labels, scores)}
    if len(scores) <= 1000:
        # Every threshold's point, highest threshold first: ROC from (0, 0), and (recall, precision)
        # without the (0, 1) point sklearn appends.
        fpr, tpr, _ = sklearn.metrics.roc_curve(labels, scores, drop_intermediate=False)
        precision, recall, _ = sklearn.metrics.precision_recall_curve(labels, scores)
        case["roc"] = np.stack([fpr, tpr], 1).tolist()
        case["pr"] = np.stack([recall[-2::-1], precision[-2::-1]], 1).tolist()
    return case


def hungarian_f1(truth, predicted):
    labels = np.unique(truth)
    clusters = np.unique(predicted)
    table = np.array([[np.sum((predicted == c) & (truth == l)) for l in labels] for c in clusters])
    rows, cols = scipy.optimize.linear_sum_assignment(-table)
    mapping = {clusters[r]: labels[c] for r, c in zip(rows, cols)}
    mapped = np.array([mapping.get(p, -1) for p in predicted])
    return float(sklearn.metrics.f1_score(truth, mapped, average="micro"))


def clustering_case(name, truth, predicted):
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    return {"name": name, "truth": truth.tolist(), "predicted": predicted.tolist(),
            "nmi": float(sklearn.metrics.normalized_mutual_info_score(truth, predicted)),
            "ari": float(sklearn.metrics.adjusted_rand_score(truth, predicted)),
            "f1": hungarian_f1(truth, predicted)}


def kmeans_case(name, rng, n, d, k, spread):
    centres = rng.normal(0, 4, (k, d))
    x = np.concatenate([c + rng.normal(0, spread, (n // k, d)) for c in centres])
    init = x[rng.choice(len(x), k, replace=False)]
    model = sklearn.cluster.KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(x)
    best = sklearn.cluster.KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=0).fit(x)
    return {"name": name, "data": x.tolist(), "init": init.tolist(), "k": k,
            "labels": model.labels_.tolist(), "inertia": float(model.inertia_), "iterations": int(model.n_iter_),
            "best_inertia_kmeanspp": float(best.inertia_)}


def main():
    rng = np.random.default_rng(0)
    binary = [
        binary_case("simple", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),
        binary_case("ties", [0, 1, 0, 1, 1, 0, 1, 0], [0.5, 0.5, 0.2, 0.9, 0.5, 0.2, 0.1, 0.9]),
        binary_case("all_same_scores", [0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]),
        binary_case("random", (rng.random(300) < 0.3).astype(int), np.round(rng.random(300), 2)),
        binary_case("pixels", (rng.random(20000) < 0.05).astype(int), rng.random(20000) + 0.5 * (rng.random(20000) < 0.05)),
    ]
    masks = np.zeros((4, 24, 32), dtype=np.int64)
    masks[1, 3:8, 4:10] = 1
    masks[1, 15:20, 20:23] = 1
    masks[2, 10:14, 10:14] = 1
    masks[2, 14, 14] = 1  # touches the square only diagonally: one 8-connected region
    masks[3, 0:24, 30:32] = 1
    amaps = rng.random(masks.shape).astype(np.float32) * 0.6 + masks * rng.random(masks.shape).astype(np.float32) * 0.8
    pro = {"masks": masks.tolist(), "maps": amaps.astype(float).tolist(), "aupro": aupro(masks, amaps)}
    # Coarse maps: many pixels tie with each other and with thresholds (strict '>' matters).
    coarse = (np.round(amaps * 20) / 20).astype(np.float32)
    pro_coarse = {"maps": coarse.astype(float).tolist(), "aupro": aupro(masks, coarse)}
    clustering = [
        clustering_case("perfect_relabelled", [0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]),
        clustering_case("mixed", [0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 1, 2, 2, 2, 0, 2]),
        clustering_case("more_clusters", [0, 0, 1, 1, 1, 0], [0, 1, 2, 3, 3, 0]),
        clustering_case("random", rng.integers(0, 5, 200), rng.integers(0, 6, 200)),
    ]
    kmeans = [kmeans_case("blobs", rng, 120, 3, 4, 1.0), kmeans_case("overlapping", rng, 90, 5, 3, 3.0)]
    pca_data = rng.normal(0, 1, (25, 6)) * np.array([5, 3, 1, 0.5, 0.2, 0.1]) + 2
    pca = {"data": pca_data.tolist(), "projection": sklearn.decomposition.PCA(2).fit_transform(pca_data).tolist()}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump({"binary": binary, "aupro": pro, "aupro_coarse": pro_coarse, "clustering": clustering, "kmeans": kmeans, "pca": pca}, f)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference values for Uniformaly's decisions (docs/method.md section 14), from numpy and sklearn.

Writes tests/Uniformaly.Tests/fixtures/decisions/decisions.json:
- conformal: normal scores and rates with the split-conformal threshold, the k-th smallest score for
  k = ceil((n + 1)(1 - rate)), as numpy's quantile (method "inverted_cdf", the empirical distribution's inverse) at level k / n gives it (null when
  k > n);
- f1: scores and labels with sklearn's best F1 and the threshold where it is reached (the first maximum
  over precision_recall_curve's ascending thresholds, as anomalib's F1AdaptiveThreshold takes it);
- normalise: anomalib's min-max normalisation, clip((x - threshold) / (max - min) + 0.5, 0, 1).
"""
import json
import math
import os
from fractions import Fraction

import numpy as np
import sklearn.metrics

OUT = "tests/Uniformaly.Tests/fixtures/decisions"


def conformal(scores, rate):
    n = len(scores)
    k = max(1, math.ceil((n + 1) * (1 - Fraction(str(rate)))))
    if k > n:
        return None
    return float(np.quantile(np.asarray(scores, dtype=np.float64), k / n, method="inverted_cdf"))


def f1_optimal(labels, scores):
    precision, recall, thresholds = sklearn.metrics.precision_recall_curve(labels, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    f1 = np.nan_to_num(f1[:-1])  # the last point (recall 0) has no threshold
    best = int(np.argmax(f1))
    return float(f1[best]), float(thresholds[best])


def main():
    rng = np.random.default_rng(13)
    cases = {"conformal": [], "f1": [], "normalise": []}
    for n in [1, 9, 19, 60, 99, 100, 250]:
        scores = np.sort(rng.gamma(4.0, 10.0, n).astype(np.float32))
        for rate in [0.01, 0.05, 0.1, 0.25]:
            cases["conformal"].append({"scores": scores.tolist(), "rate": rate, "threshold": conformal(scores.tolist(), rate)})
    for n, positives, ties in [(30, 8, False), (200, 40, False), (120, 60, True), (5000, 300, True)]:
        labels = np.zeros(n, dtype=np.uint8)
        labels[rng.choice(n, positives, replace=False)] = 1
        scores = (rng.normal(0, 1, n) + 1.5 * labels).astype(np.float32)
        if ties:
            scores = np.round(scores * 4) / 4  # many equal scores, as pixel maps have
        f1, threshold = f1_optimal(labels, scores)
        cases["f1"].append({"scores": scores.tolist(), "labels": labels.tolist(), "f1": f1, "threshold": threshold})
    for threshold, low, high in [(50.0, 20.0, 120.0), (3.0, 0.5, 9.0), (1.0, 1.0, 1.0)]:
        values = np.linspace(low - 10, high + 10, 25).astype(np.float32)
        width = high - low if high > low else 1.0
        cases["normalise"].append({"values": values.tolist(), "threshold": threshold, "min": low, "max": high,
                                   "normalised": np.clip((values.astype(np.float64) - threshold) / width + 0.5, 0, 1).tolist()})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "decisions.json"), "w") as f:
        json.dump(cases, f)
    print(f"wrote {OUT}/decisions.json")


if __name__ == "__main__":
    main()

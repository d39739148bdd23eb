#!/usr/bin/python3
"""Reference fixtures for AnomalyDINO's recipe as settings (docs/method.md sections 5-7).

Run with Debian's interpreter (numpy, scipy, scikit-learn 1.2):

    /usr/bin/python3 tools/make_recipe_fixtures.py

Writes .npy files under tests/Uniformaly.Tests/fixtures/detection/ (about 100 kB):

  pca_*       --masking pca: scikit-learn PCA(n_components=1) scores of each image's patch
              features, AnomalyDINO's threshold (10), centre check (border 0.2, share 0.35) and
              flip, then OpenCV's 3x3 dilation and closing written with scipy.ndimage (pixels outside
              the grid: background for the dilation, foreground for the closing's erosion, as
              cv2.dilate / cv2.morphologyEx with their default border). Scores are kept at least
              0.5 from the threshold, so rounding cannot move a patch across it.
  rotation_*  --rotate-references: scipy.ndimage.affine_transform(order=1, mode="mirror") rotations
              by AnomalyDINO's angles about the geometric centre, checked here against a direct
              bilinear interpolation with OpenCV's BORDER_REFLECT_101 indices.
  cosine_*    --distance cosine: numpy 1 - cos to the nearest bank row (rows with an unambiguous
              nearest neighbour), and a detector's image scores: 1 - cos of each test patch, times
              the PCA mask of its image, mean of the round(k N) largest.
"""
import os

import numpy as np
from scipy.ndimage import affine_transform, binary_dilation, binary_erosion
from sklearn.decomposition import PCA

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Uniformaly.Tests", "fixtures", "detection")
THRESHOLD, BORDER, SHARE = 10.0, 0.2, 0.35
ANGLES = [0, 45, 90, 135, 180, 225, 270, 315]


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array))


# ---- section 5: AnomalyDINO's PCA foreground mask --------------------------------------------------

def first_component_scores(features):
    """PCA(n_components=1) scores; scikit-learn 1.2 signs them so the largest-magnitude score is positive."""
    scores = PCA(n_components=1, svd_solver="full").fit_transform(features.astype(np.float64))[:, 0]
    randomized = PCA(n_components=1, svd_solver="randomized", random_state=0).fit_transform(features.astype(np.float32))[:, 0]
    assert np.allclose(scores, randomized, atol=1e-3 * np.abs(scores).max()), "randomized PCA (AnomalyDINO's) differs"
    assert scores[np.argmax(np.abs(scores))] > 0
    return scores


def pca_mask(features, h, w):
    scores = first_component_scores(features)
    mask = scores > THRESHOLD
    centre = mask.reshape(h, w)[int(h * BORDER):int(h * (1 - BORDER)), int(w * BORDER):int(w * (1 - BORDER))]
    if centre.sum() <= centre.size * SHARE:
        mask = -scores > THRESHOLD
    square = np.ones((3, 3), dtype=bool)
    dilated = binary_dilation(mask.reshape(h, w), square, border_value=0)
    closed = binary_erosion(binary_dilation(dilated, square, border_value=0), square, border_value=1)
    return scores, closed.reshape(-1)


def pca_features(rng, h, w, dim, objects):
    """Images of an object (a rectangle of the grid) on a background, with salt patches and noise:
    features along a random direction, the object at +amplitude."""
    batch = []
    for top, left, height, width, amplitude in objects:
        layout = np.zeros((h, w))
        layout[top:top + height, left:left + width] = 1
        layout[rng.random((h, w)) < 0.03] = 1  # isolated patches: the dilation and closing act on them
        layout[top + height // 2, left + width // 2] = 0  # a hole the closing fills
        direction = rng.standard_normal(dim)
        direction /= np.linalg.norm(direction)
        noise = rng.standard_normal((h * w, dim)) * 0.3
        batch.append((layout.reshape(-1, 1) * amplitude * direction + noise + rng.standard_normal(dim)).astype(np.float32))
    return np.stack(batch)


def write_pca(rng):
    h, w, dim = 12, 10, 32
    # (top, left, height, width, amplitude): a centred object; one that fills most of the grid, so the
    # background has the largest scores and the centre check flips to the object; a small centred
    # one; one in a corner, flipped to the background side, where no score passes (an empty mask)
    objects = [(3, 3, 6, 4, 40), (1, 1, 10, 8, 40), (4, 3, 4, 4, 60), (0, 0, 5, 4, 50)]
    while True:
        features = pca_features(rng, h, w, dim, objects)
        results = [pca_mask(f, h, w) for f in features]
        scores = np.stack([r[0] for r in results])
        if np.min(np.abs(np.abs(scores) - THRESHOLD)) > 0.5:
            break
    save("pca_features", features)
    save("pca_scores", scores.astype(np.float32))
    save("pca_mask", np.stack([r[1] for r in results]))
    save("pca_grid", np.array([h, w], dtype=np.int64))
    return features, np.stack([r[1] for r in results])


# ---- section 6: rotated reference images ---------------------------------------------------------

def rotate(plane, degrees):
    """Counter-clockwise about ((H - 1) / 2, (W - 1) / 2), bilinear, mirrored (reflect-101) borders."""
    h, w = plane.shape
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    # output (row, col) -> input (row, col) = M (out - centre) + centre
    matrix = np.array([[c, s], [-s, c]])
    centre = np.array([(h - 1) / 2, (w - 1) / 2])
    return affine_transform(plane, matrix, offset=centre - matrix @ centre, order=1, mode="mirror")


def rotate_direct(plane, degrees):
    h, w = plane.shape
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    cy, cx = (h - 1) / 2, (w - 1) / 2

    def mirror(i, n):
        period = 2 * (n - 1)
        i = abs(i) % period
        return i if i < n else period - i

    out = np.empty_like(plane)
    for y in range(h):
        for x in range(w):
            sx = c * (x - cx) - s * (y - cy) + cx
            sy = s * (x - cx) + c * (y - cy) + cy
            x0, y0 = int(np.floor(sx)), int(np.floor(sy))
            tx, ty = sx - x0, sy - y0
            l, r, t, b = mirror(x0, w), mirror(x0 + 1, w), mirror(y0, h), mirror(y0 + 1, h)
            out[y, x] = (1 - ty) * ((1 - tx) * plane[t, l] + tx * plane[t, r]) + ty * ((1 - tx) * plane[b, l] + tx * plane[b, r])
    return out


def write_rotation(rng):
    images = rng.standard_normal((2, 3, 9, 7))
    rotated = np.stack([np.stack([rotate(channel, angle) for channel in image]) for image in images for angle in ANGLES])
    direct = np.stack([np.stack([rotate_direct(channel, angle) for channel in image]) for image in images for angle in ANGLES])
    assert np.allclose(rotated, direct, atol=1e-12), "scipy's mirror mode is not OpenCV's BORDER_REFLECT_101"
    square = rng.standard_normal((6, 6))
    assert np.allclose(rotate(square, 90), np.rot90(square), atol=1e-12), "90 degrees counter-clockwise is numpy's quarter turn"
    save("rotation_images", images.astype(np.float32))
    save("rotation_expected", rotated.astype(np.float32))


# ---- section 7: cosine distance ------------------------------------------------------------------

def cosine_distances(queries, bank):
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    b = bank / np.linalg.norm(bank, axis=1, keepdims=True)
    return 1 - q @ b.T


def write_cosine(rng):
    bank = rng.standard_normal((60, 16)) * rng.uniform(0.1, 10, (60, 1))  # norms differ: cosine and L2 rank differently
    queries = rng.standard_normal((25, 16)) * rng.uniform(0.1, 10, (25, 1))
    distances = cosine_distances(queries, bank)
    ordered = np.sort(distances, axis=1)
    save("cosine_bank", bank.astype(np.float32))
    save("cosine_queries", queries.astype(np.float32))
    save("cosine_distance", ordered[:, 0].astype(np.float32))
    save("cosine_index", np.argmin(distances, axis=1).astype(np.int64))
    save("cosine_unambiguous", ordered[:, 1] - ordered[:, 0] > 1e-4)


def write_detector(rng, test_features, test_masks, topk):
    """Training features [2, N, D] (all kept: --masking pca masks test images only) and the image scores."""
    n, dim = test_features.shape[1], test_features.shape[2]
    train = (test_features[rng.permutation(len(test_features))[:2]] + rng.standard_normal((2, n, dim)) * 0.5).astype(np.float32)
    bank = train.reshape(-1, dim).astype(np.float64)
    k = max(1, int(np.round(topk * n)))
    scores = []
    for features, mask in zip(test_features.astype(np.float64), test_masks):
        patch = cosine_distances(features, bank).min(axis=1) * mask
        scores.append(np.sort(patch)[::-1][:k].mean())
    save("cosine_train", train)
    save("cosine_image_scores", np.array(scores, dtype=np.float32))


if __name__ == "__main__":
    rng = np.random.default_rng(15)
    features, masks = write_pca(rng)
    write_rotation(rng)
    write_cosine(rng)
    write_detector(rng, features, masks, topk=0.05)

#!/usr/bin/env python3
"""How far a random γ₀ alone decides a static N-EM grouping: the "tilt" bound.

    python3 scripts/tilt_bound.py static-test-777.h5 [--components 3] [--grid G] [--kmeans-share S]

Draws γ₀ as `nem` does (|N(0,1)| per pixel, or on a G×G grid bilinearly upsampled, normalised over K;
optionally blended with the k-means start, (1 − S)·random + S·k-means, `model.initial_gamma_kmeans_share`),
then gives every object wholly to the component whose γ₀ leans to it most (the largest sum of γ₀ over the
object's pixels) and scores that labelling with AMI (max normalisation, background and overlaps excluded),
per image, averaged. Where two objects lean to the same component they are scored as merged: this is the
grouping a model gets if it only follows the start's tilt and never moves an object to a free component.
Compare with `nem eval --model samples/models/static-shapes-n-em.safetensors` under the same start.

Needs numpy, h5py and scikit-learn.
"""
import argparse

import h5py
import numpy as np
from sklearn.metrics import adjusted_mutual_info_score


def upsampled(grid, size):
    """(N, G, G) → (N, size, size): bilinear between the centres of a G×G tiling, clamped (as `nem`)."""
    g = grid.shape[1]
    u = np.clip((np.arange(size) + 0.5) * g / size - 0.5, 0, g - 1)
    lo = u.astype(int)
    hi = np.minimum(lo + 1, g - 1)
    t = u - lo
    rows = grid[:, lo, :] * (1 - t)[None, :, None] + grid[:, hi, :] * t[None, :, None]
    return rows[:, :, lo] * (1 - t)[None, None, :] + rows[:, :, hi] * t[None, None, :]


def random_gamma(rng, k, size, grid):
    if grid:
        magnitudes = upsampled(np.abs(rng.standard_normal((k, grid, grid))), size)
    else:
        magnitudes = np.abs(rng.standard_normal((k, size, size)))
    return magnitudes / magnitudes.sum(0, keepdims=True)


def kmeans_gamma(rng, frame, k):
    """γ₀ of `nem`'s k-means start (docs/training.md): weighted k-means++ and 10 Lloyd iterations over the
    pixel coordinates, weights max(0, 3×3 mean − ½); γ₀ = softmax of −d²/(2s²), s = size/14."""
    size = frame.shape[0]
    padded = np.pad(frame, 1)
    counts = np.pad(np.ones_like(frame), 1)
    box = sum(padded[dy:dy + size, dx:dx + size] for dy in range(3) for dx in range(3))
    n = sum(counts[dy:dy + size, dx:dx + size] for dy in range(3) for dx in range(3))
    weights = np.maximum(0, box / n - 0.5).ravel()
    if not weights.any():
        weights = frame.ravel().astype(float) if frame.any() else np.ones(size * size)
    points = np.stack(np.divmod(np.arange(size * size), size), 1).astype(float)
    centres = [points[rng.choice(len(points), p=weights / weights.sum())]]
    while len(centres) < k:
        nearest = ((points[:, None, :] - np.array(centres)[None]) ** 2).sum(2).min(1)
        mass = weights * nearest
        mass = mass if mass.any() else weights
        centres.append(points[rng.choice(len(points), p=mass / mass.sum())])
    centres = np.array(centres)
    for _ in range(10):
        owner = ((points[:, None, :] - centres[None]) ** 2).sum(2).argmin(1)
        for j in range(k):
            mine = (owner == j) & (weights > 0)
            if mine.any():
                centres[j] = (weights[mine, None] * points[mine]).sum(0) / weights[mine].sum()
    d2 = ((points[:, None, :] - centres[None]) ** 2).sum(2)
    scale = size / 14
    logits = -d2 / (2 * scale * scale)
    e = np.exp(logits - logits.max(1, keepdims=True))
    return (e / e.sum(1, keepdims=True)).T.reshape(k, size, size)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("--components", type=int, default=3)
    parser.add_argument("--grid", type=int, default=0)
    parser.add_argument("--kmeans-share", type=float, default=0)
    parser.add_argument("--noise", type=float, default=0.1, help="bitflip on the frame k-means reads")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with h5py.File(args.data, "r") as f:
        features = f["test/features"][0, ..., 0]
        groups = f["test/groups"][0, ..., 0].astype(int)
    scores, merged = [], 0
    for image, labels in zip(features, groups):
        size = image.shape[0]
        gamma = random_gamma(rng, args.components, size, args.grid)
        if args.kmeans_share > 0:
            noisy = np.where(rng.random(image.shape) < args.noise, 1 - image, image)
            gamma = (1 - args.kmeans_share) * gamma + args.kmeans_share * kmeans_gamma(rng, noisy, args.components)
        objects = [o for o in np.unique(labels) if o > 0]
        tilt = {o: int(gamma[:, labels == o].sum(1).argmax()) for o in objects}
        merged += len(set(tilt.values())) < len(objects)
        scored = labels > 0
        predicted = np.vectorize(lambda o: tilt[o])(labels[scored])
        scores.append(adjusted_mutual_info_score(labels[scored], predicted, average_method="max"))
    print(f"{args.data}: K {args.components}, grid {args.grid or 'per pixel'}, k-means share {args.kmeans_share}: "
          f"tilt AMI {np.mean(scores):.3f} over {len(scores)} images; objects merged in {100 * merged / len(scores):.1f} %")


if __name__ == "__main__":
    main()

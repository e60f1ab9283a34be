#!/usr/bin/env python3
"""Where a model loses: its per-sequence AMI split by how close the objects are in the last frame, or (with
--frames, for flying MNIST) its AMI frame by frame, binned by how much the digits overlap.

    nem eval --model M --data D.h5 --per-sequence per-seq.csv --json --quiet
    python3 scripts/contact_breakdown.py D.h5 per-seq.csv [--split test] [--frames]

The distance of a sequence is the smallest Chebyshev distance between scored pixels of two different
objects in its last frame: 1 means they touch or overlap (overlap pixels are unscored, group 0).

With --frames, a frame's overlap share is the share of the pixels digits cover that two digits cover
(`overlaps` = 2). Files written since session 20 leave those pixels unscored (group 0), as the original layout
does, and the ceiling is 1. Older files gave such a pixel to the digit brightest there, which a model reading
binarized frames cannot see; for them the ceiling is a grouping that knows each digit's binarized mask and
guesses between the two digits on overlap pixels (seeded, so the figures repeat). Frames where one digit alone
is scored count as 1, as in `nem eval`. It needs the per-step columns of `nem eval --per-sequence` and a file
with `overlaps`.
"""
import argparse
import csv
import sys

import h5py
import numpy as np
from sklearn.metrics import adjusted_mutual_info_score

OVERLAP_BINS = [(0.0, 0.0), (1e-9, 0.05), (0.05, 0.15), (0.15, 0.30), (0.30, 1.0)]


def smallest_gap(groups: np.ndarray) -> int:
    """Smallest Chebyshev distance between pixels of two different objects (a large number if < 2 objects)."""
    ids = [g for g in np.unique(groups) if g > 0]
    best = 10**6
    for i, a in enumerate(ids):
        pa = np.argwhere(groups == a)
        for b in ids[i + 1:]:
            pb = np.argwhere(groups == b)
            best = min(best, int(np.abs(pa[:, None, :] - pb[None, :, :]).max(-1).min()))
    return best


def ceiling(groups: np.ndarray, overlaps: np.ndarray, rng: np.random.Generator) -> float:
    """AMI (max normalisation) of exact masks with a coin flip on overlap pixels, one frame (H, W)."""
    scored = groups > 0
    truth = groups[scored]
    ids = np.unique(truth)
    if len(ids) < 2:
        return 1.0
    guess = truth.copy()
    ambiguous = (overlaps[scored] == 2) & (rng.random(truth.size) < 0.5)
    other = {ids[0]: ids[1], ids[1]: ids[0]}
    guess[ambiguous] = [other[g] for g in guess[ambiguous]]
    return adjusted_mutual_info_score(truth, guess, average_method="max")


def by_frames(data: str, per_sequence: str, split: str) -> None:
    """Prints the model's AMI and the ceiling over all scored frames and by overlap share."""
    rows = list(csv.DictReader(open(per_sequence)))
    steps = sorted(int(k.rsplit("_", 1)[1]) for k in rows[0] if k.startswith("ami_step_")) if rows else []
    if not steps:
        sys.exit(f"{per_sequence}: no ami_step_N columns (write it with a current `nem eval --per-sequence`)")
    with h5py.File(data, "r") as f:
        if split + "/overlaps" not in f:
            sys.exit(f"{data}: no {split}/overlaps dataset (flying-MNIST files from `nem dataset generate` have one)")
        groups = f[split + "/groups"][:, :len(rows), ..., 0]
        overlaps = f[split + "/overlaps"][:, :len(rows), ..., 0]
    rng = np.random.default_rng(0)
    share, model, best = [], [], []
    for i, row in enumerate(rows):
        for t in steps:  # step t is scored against frame t
            covered = overlaps[t, i] > 0
            share.append((overlaps[t, i][covered] == 2).mean() if covered.any() else 0.0)
            model.append(float(row[f"ami_step_{t}"]))
            best.append(ceiling(groups[t, i], overlaps[t, i], rng))
    share, model, best = map(np.array, (share, model, best))
    print(f"{len(rows)} sequences, {len(model)} frames: model {model.mean():.3f}, ceiling {best.mean():.3f}")
    for low, high in OVERLAP_BINS:
        chosen = (share == 0) if high == 0 else (share >= low) & (share < high if high < 1 else share <= high)
        if chosen.any():
            label = "no overlap" if high == 0 else f"overlap share {low:.2f}-{high:.2f}"
            print(f"  {label}: {chosen.mean():.0%} of frames, model {model[chosen].mean():.3f}, ceiling {best[chosen].mean():.3f}")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("per_sequence")
    parser.add_argument("--split", default="test")
    parser.add_argument("--frames", action="store_true", help="frame by frame, binned by digit overlap (flying MNIST)")
    args = parser.parse_args()
    if args.frames:
        by_frames(args.data, args.per_sequence, args.split)
        return
    with h5py.File(args.data, "r") as f:
        last = f[args.split + "/groups"][-1][..., 0]  # (N, H, W)
    rows = list(csv.DictReader(open(args.per_sequence)))
    mean = np.array([float(r["ami_mean"]) for r in rows])
    final = np.array([float(r["ami_last"]) for r in rows])
    gaps = np.array([smallest_gap(last[i]) for i in range(len(rows))])
    print(f"{len(rows)} sequences: AMI mean {mean.mean():.3f}, last {final.mean():.3f}")
    for label, chosen in [("touching or overlapping (gap 1)", gaps <= 1), ("2-3 px apart", (gaps >= 2) & (gaps <= 3)),
                          ("further apart", gaps >= 4)]:
        if chosen.any():
            print(f"  {label}: {chosen.sum()} sequences, last step {final[chosen].mean():.3f}, mean over steps {mean[chosen].mean():.3f}")


if __name__ == "__main__":
    main()

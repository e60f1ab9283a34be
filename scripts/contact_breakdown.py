#!/usr/bin/env python3
"""Where a model's last step loses: its per-sequence AMI split by how close the objects are in the last frame.

    nem eval --model M --data D.h5 --per-sequence per-seq.csv --json --quiet
    python3 scripts/contact_breakdown.py D.h5 per-seq.csv [--split test]

The distance of a sequence is the smallest Chebyshev distance between scored pixels of two different
objects in its last frame: 1 means they touch or overlap (overlap pixels are unscored, group 0).
"""
import argparse
import csv

import h5py
import numpy as np


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("per_sequence")
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
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

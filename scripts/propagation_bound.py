#!/usr/bin/env python3
"""How well can a tracker group frame t + d knowing frame t perfectly but not the motion?

Labels every scored pixel of frame t + d with the true group of the nearest scored pixel of
frame t and prints the AMI (max normalisation, scored pixels only, as `nem eval`) averaged over
sequences. With d = 1 and t = 0 this bounds step 0 of a rollout: γ at step 0 groups frame 1 from
frame 0 alone.

    python3 scripts/propagation_bound.py flying-test-777.h5 [--split test] [--gap 1]
"""
import argparse

import h5py
import numpy as np
from scipy.ndimage import distance_transform_edt
from sklearn.metrics import adjusted_mutual_info_score


def propagated_ami(groups_before, groups_after):
    """AMI of groups_after against the nearest-pixel labels of groups_before (None if < 2 groups)."""
    _, (rows, cols) = distance_transform_edt(groups_before == 0, return_indices=True)
    labels = groups_before[rows, cols]
    scored = groups_after > 0
    if len(np.unique(groups_after[scored])) < 2:
        return None
    return adjusted_mutual_info_score(groups_after[scored], labels[scored], average_method="max")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="HDF5 file in the original layout")
    parser.add_argument("--split", default="test")
    parser.add_argument("--gap", type=int, default=1, help="frames between the known and the grouped frame")
    args = parser.parse_args()
    with h5py.File(args.data, "r") as f:
        groups = f[args.split]["groups"][:, :, :, :, 0]  # (T, N, H, W)
    frames, sequences = groups.shape[:2]
    first = [propagated_ami(groups[0, n], groups[args.gap, n]) for n in range(sequences)]
    every = [propagated_ami(groups[t - args.gap, n], groups[t, n])
             for n in range(sequences) for t in range(args.gap, frames)]
    first = [a for a in first if a is not None]
    every = [a for a in every if a is not None]
    print(f"frame 0 -> {args.gap}: AMI {np.mean(first):.3f} ({len(first)} sequences)")
    print(f"frame t -> t + {args.gap}, every t: AMI {np.mean(every):.3f} ({len(every)} frame pairs)")


if __name__ == "__main__":
    main()

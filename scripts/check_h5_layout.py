#!/usr/bin/env python3
"""Open a dataset file with h5py and check it has the original Neural-EM layout.

Usage (from the repository root):
    python3 scripts/check_h5_layout.py FILE.h5 [--sample 200]

Checks: top-level groups are among training/validation/test; each holds `features` and `groups`
(and optionally `overlaps`) of one shape (T, N, H, W, C); features are float in [0, 1] or uint8
(value/255); groups are non-negative integer ids; on the first --sample sequences, scored pixels
are foreground, overlaps cover every scored pixel, pixels covered by two or more objects are unscored (group 0)
where the file says overlaps_scored = "false", and for binary data (attribute binary = "true") features are 0/1.
Prints one line per split and exits 1 on the first failure.
"""
import argparse
import sys

import h5py
import numpy as np

SPLITS = ("training", "validation", "test")


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check_split(name, group, binary, overlaps_scored, objects, sample):
    for needed in ("features", "groups"):
        if needed not in group:
            fail(f"{name}/{needed} is missing")
    features, groups = group["features"], group["groups"]
    if features.ndim != 5:
        fail(f"{name}/features has rank {features.ndim}, expected 5 (T, N, H, W, C)")
    if groups.shape != features.shape:
        fail(f"{name}/groups {groups.shape} != features {features.shape}")
    overlaps = group.get("overlaps")
    if overlaps is not None and overlaps.shape != features.shape:
        fail(f"{name}/overlaps {overlaps.shape} != features {features.shape}")
    if features.dtype not in (np.float32, np.float64, np.uint8):
        fail(f"{name}/features dtype {features.dtype}")
    if not np.issubdtype(groups.dtype, np.integer) and groups.dtype not in (np.float32, np.float64):
        fail(f"{name}/groups dtype {groups.dtype}")

    n = min(sample, features.shape[1])
    x = features[:, :n].astype(np.float64)
    if features.dtype == np.uint8:
        x /= 255.0
    g = groups[:, :n]
    if x.min() < 0 or x.max() > 1:
        fail(f"{name}/features outside [0, 1]: {x.min()}..{x.max()}")
    if (g < 0).any() or (g != np.round(g)).any():
        fail(f"{name}/groups holds values that are not non-negative integers")
    if ((g > 0) & (x <= 0)).any():
        fail(f"{name}: a scored pixel (group > 0) has feature 0")
    if binary and not np.isin(x, (0.0, 1.0)).all():
        fail(f"{name}: binary data with features other than 0 and 1")
    ids = [len(np.unique(g[:, i][g[:, i] > 0])) for i in range(n)]
    if objects is not None and max(ids) > objects:
        fail(f"{name}: a sequence has {max(ids)} object ids, more than the file's {objects} objects")
    overlap_fraction = "n/a"
    if overlaps is not None:
        o = overlaps[:, :n]
        if ((g > 0) & (o < 1)).any():
            fail(f"{name}: a scored pixel is covered by no object")
        if not overlaps_scored and ((o >= 2) & (g != 0)).any():
            fail(f"{name}: an overlap pixel is scored, but the file marks overlaps unscored")
        if binary and not overlaps_scored:
            if ((o >= 1) != (x > 0)).any():
                fail(f"{name}: foreground differs from the pixels covered by objects")
        overlap_fraction = f"{np.mean(o >= 2):.4f}"
    chunks = features.chunks
    print(f"ok {name}: features {features.shape} {features.dtype}, groups {groups.dtype}, "
          f"overlaps {'yes' if overlaps is not None else 'no'}, chunks {chunks}, compression {features.compression}; "
          f"first {n}: objects/seq {min(ids)}..{max(ids)}, overlap px {overlap_fraction}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    try:
        f = h5py.File(args.file, "r")
    except OSError as error:
        fail(f"{args.file}: {error}")
    with f:
        present = [k for k in f.keys()]
        unknown = [k for k in present if k not in SPLITS]
        if unknown:
            fail(f"unexpected top-level entries {unknown}")
        if not present:
            fail("no training/validation/test group")
        attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f.attrs.items()}
        # Files without our attributes (the paper's) skip the checks that need them.
        binary = attrs.get("binary") == "true"
        overlaps_scored = attrs.get("overlaps_scored") != "false"
        objects = int(attrs["objects"]) if "objects" in attrs else None
        print(f"{args.file}: attributes {attrs}")
        for name in SPLITS:
            if name in f:
                check_split(name, f[name], binary, overlaps_scored, objects, args.sample)
    print("OK: original layout")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Centre every frame of a dataset file on a larger empty canvas, keeping the original Neural-EM layout.

Usage (from the repository root):
    python3 scripts/pad_dataset.py IN.h5 OUT.h5 --size 28

For a model whose frames are larger than the data's, e.g. the flying-MNIST model trained on 28×28 canvases
scored on the reference's 24×24 sequences: `features`, `groups` and `overlaps` of every split get a border
of background (0) on each side, so the sequences, the digits' motion and the scored pixels are unchanged.
Attributes are copied, with `size` updated and `padded_from` added. OUT is written under a temporary name
and renamed when complete.
"""
import argparse
import os
import sys

import h5py
import numpy as np

SPLITS = ("training", "validation", "test")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--size", type=int, required=True, help="side of the new square canvas")
    args = parser.parse_args()
    try:
        source = h5py.File(args.input, "r")
    except OSError as error:
        sys.exit(f"{args.input}: cannot open as HDF5 ({error})")
    temporary = args.output + ".partial"
    with source, h5py.File(temporary, "w") as target:
        splits = [name for name in SPLITS if name in source]
        if not splits:
            sys.exit(f"{args.input}: no training, validation or test group")
        for name in splits:
            group = target.create_group(name)
            for key in ("features", "groups", "overlaps"):
                if key not in source[name]:
                    continue
                data = source[name][key][...]  # (T, N, H, W, C)
                height, width = data.shape[2], data.shape[3]
                if height > args.size or width > args.size:
                    sys.exit(f"{args.input}: frames are {height}×{width}, larger than --size {args.size}")
                top, left = (args.size - height) // 2, (args.size - width) // 2
                padded = np.zeros(data.shape[:2] + (args.size, args.size) + data.shape[4:], dtype=data.dtype)
                padded[:, :, top:top + height, left:left + width] = data
                group.create_dataset(key, data=padded, compression="gzip")
        for key, value in source.attrs.items():
            target.attrs[key] = value
        original = source[splits[0]]["features"].shape
        target.attrs["size"] = f"{args.size}x{args.size}"
        target.attrs["padded_from"] = f"{original[2]}x{original[3]}"
    os.replace(temporary, args.output)
    print(f"{args.output}: {', '.join(splits)} padded to {args.size}×{args.size}")


if __name__ == "__main__":
    main()

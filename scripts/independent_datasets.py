#!/usr/bin/env python3
"""Held-out test sets in the original HDF5 layout from a generator independent of ours (numpy + h5py).

    python3 scripts/independent_datasets.py static-shapes  --out /tmp/static-heldout.h5 --count 1000 --seed 4242
    python3 scripts/independent_datasets.py flying-shapes  --out /tmp/flying-heldout.h5 --count 500 --objects 3 --seed 4242
    python3 scripts/independent_datasets.py flying-mnist   --out /tmp/mnist-heldout.h5 --count 300 --objects 2 \
        --mnist ../shared/data/mnist --seed 4242
    nem eval --model samples/models/static-shapes-rnn-em.safetensors --data /tmp/static-heldout.h5

Writes only the `test` split: `features` (T, N, 28, 28, 1) float32 in {0, 1} (grey, 24x24 for flying MNIST) and `groups` (same shape,
uint8: 0 background and overlaps, 1..n the objects), T = 1 for static shapes and 21 for flying shapes.
Shapes follow Tagger's recipe (a 7x7 square with a 3x3 hole, a 7x12 up triangle and its vertical flip,
chosen uniformly), but positions, motion and drawing are written here from the recipe, sharing no code
with `nem dataset generate`: static objects sit at uniform integer positions fully inside the canvas;
flying objects start at a uniform real position, move at a uniform speed in [1, 2] px/frame in a
uniform direction, are reflected at the borders and drawn at the nearest integer position.

Flying MNIST (24x24 grey, features in [0, 1]): digits from the MNIST *test* file, read here from the IDX
bytes, shrunk to half size with Pillow's bilinear filter (ours averages 2x2 blocks), cropped to the box
where they reach 0.1, moving as the flying shapes do and composited with `max`; a pixel belongs to the
one digit that reaches 0.1 on it; pixels no digit or two digits reach 0.1 on are group 0 (background and
overlaps, as in the original layout).
"""
import argparse
import gzip
import os
import sys

import h5py
import numpy as np

SQUARE = ["1111111", "1111111", "1100011", "1100011", "1100011", "1111111", "1111111"]
UP = ["000001100000", "000011110000", "000111111000", "001110011100", "011100001110", "111111111111", "111111111111"]


def bitmap(rows):
    return np.array([[c == "1" for c in row] for row in rows], dtype=bool)


SHAPES = [bitmap(SQUARE), bitmap(UP), bitmap(UP)[::-1]]
SIZE = 28


def render(objects):
    """objects: list of (mask, top, left) -> (features, groups), each (28, 28)."""
    cover = np.zeros((SIZE, SIZE), dtype=np.int32)
    owner = np.zeros((SIZE, SIZE), dtype=np.uint8)
    for index, (mask, top, left) in enumerate(objects, start=1):
        h, w = mask.shape
        cover[top:top + h, left:left + w] += mask
        region = owner[top:top + h, left:left + w]
        region[mask] = index
    groups = np.where(cover == 1, owner, 0).astype(np.uint8)
    return (cover > 0).astype(np.float32), groups


def static_shapes(count, objects, rng):
    features = np.zeros((1, count, SIZE, SIZE, 1), np.float32)
    groups = np.zeros((1, count, SIZE, SIZE, 1), np.uint8)
    for n in range(count):
        placed = []
        for _ in range(objects):
            mask = SHAPES[rng.integers(len(SHAPES))]
            h, w = mask.shape
            placed.append((mask, int(rng.integers(0, SIZE - h + 1)), int(rng.integers(0, SIZE - w + 1))))
        f, g = render(placed)
        features[0, n, :, :, 0], groups[0, n, :, :, 0] = f, g
    return features, groups


def launch(height, width, size, rng):
    """A uniform position inside the canvas and a velocity of 1-2 pixels per frame in a uniform direction."""
    limit = np.array([size - height, size - width], np.float64)
    position = rng.uniform(0, 1, 2) * limit
    angle, speed = rng.uniform(0, 2 * np.pi), rng.uniform(1, 2)
    return position, speed * np.array([np.sin(angle), np.cos(angle)]), limit


def advance(p, v, limit):
    """One frame of constant-velocity motion, reflected at the borders (in place)."""
    p += v
    for axis in range(2):
        if p[axis] < 0:
            p[axis], v[axis] = -p[axis], -v[axis]
        elif p[axis] > limit[axis]:
            p[axis], v[axis] = 2 * limit[axis] - p[axis], -v[axis]


def flying_shapes(count, objects, frames, rng):
    features = np.zeros((frames, count, SIZE, SIZE, 1), np.float32)
    groups = np.zeros((frames, count, SIZE, SIZE, 1), np.uint8)
    for n in range(count):
        state = []
        for _ in range(objects):
            mask = SHAPES[rng.integers(len(SHAPES))]
            state.append([mask, *launch(*mask.shape, SIZE, rng)])
        for t in range(frames):
            f, g = render([(m, int(round(p[0])), int(round(p[1]))) for m, p, _, _ in state])
            features[t, n, :, :, 0], groups[t, n, :, :, 0] = f, g
            for _, p, v, limit in state:
                advance(p, v, limit)
    return features, groups


def mnist_test_digits(directory):
    """The MNIST test images as float arrays in [0, 1], halved (bilinear) and cropped to intensity >= 0.1."""
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit(f"independent_datasets.py: flying-mnist needs Pillow in {sys.executable} "
                         "(apt-get install python3-pil, or pip install Pillow)")
    name = os.path.join(directory, "t10k-images-idx3-ubyte")
    raw = gzip.open(name + ".gz").read() if os.path.exists(name + ".gz") else open(name, "rb").read()
    count, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    images = np.frombuffer(raw, np.uint8, count * rows * cols, 16).reshape(count, rows, cols)
    digits = []
    for image in images:
        small = np.asarray(Image.fromarray(image).resize((cols // 2, rows // 2), Image.BILINEAR), np.float32) / 255
        ys, xs = np.nonzero(small >= 0.1)
        if len(ys):
            digits.append(small[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    return digits


def flying_mnist(count, objects, frames, digits, rng, size=24):
    features = np.zeros((frames, count, size, size, 1), np.float32)
    groups = np.zeros((frames, count, size, size, 1), np.uint8)
    for n in range(count):
        state = []
        for _ in range(objects):
            digit = digits[rng.integers(len(digits))]
            state.append([digit, *launch(*digit.shape, size, rng)])
        for t in range(frames):
            layers = np.zeros((objects, size, size), np.float32)
            for index, (digit, p, _, _) in enumerate(state):
                top, left = int(round(p[0])), int(round(p[1]))
                layers[index, top:top + digit.shape[0], left:left + digit.shape[1]] = digit
            covering = layers >= 0.1
            features[t, n, :, :, 0] = layers.max(axis=0)
            groups[t, n, :, :, 0] = np.where(covering.sum(axis=0) == 1, covering.argmax(axis=0) + 1, 0)
            for _, p, v, limit in state:
                advance(p, v, limit)
    return features, groups


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["static-shapes", "flying-shapes", "flying-mnist"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--objects", type=int, default=3)
    parser.add_argument("--frames", type=int, default=21)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--mnist", help="directory of the MNIST IDX files (flying-mnist)")
    args = parser.parse_args()
    if args.kind == "flying-mnist" and not args.mnist:
        parser.error("flying-mnist needs --mnist DIR")
    rng = np.random.default_rng(args.seed)
    if args.kind == "static-shapes":
        features, groups = static_shapes(args.count, args.objects, rng)
    elif args.kind == "flying-shapes":
        features, groups = flying_shapes(args.count, args.objects, args.frames, rng)
    else:
        features, groups = flying_mnist(args.count, args.objects, args.frames, mnist_test_digits(args.mnist), rng)
    with h5py.File(args.out, "w") as f:
        # Grey data must say so: `nem` reads a file without this attribute as binary, as the original shapes files.
        f.attrs["binary"] = np.bytes_("false" if args.kind == "flying-mnist" else "true")
        test = f.create_group("test")
        test.create_dataset("features", data=features)
        test.create_dataset("groups", data=groups)
    print(f"{args.out}: test features {features.shape}, foreground {features.mean():.3%}, "
          f"unscored foreground {((features > 0) & (groups == 0)).sum() / max((features > 0).sum(), 1):.2%}")


if __name__ == "__main__":
    main()

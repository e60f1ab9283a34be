#!/usr/bin/env python3
"""Held-out flying-shapes videos from a generator independent of ours (numpy + Pillow + ffmpeg).

    python3 scripts/independent_flying_shapes.py --out /tmp/heldout --sequences 20 --frames 21 --seed 11

Each sequence i gives DIR/seq-iii.mp4 (H.264, yuv420p, CRF 23, 25 fps) and DIR/seq-iii-masks/00000.png ...
(8-bit indexed PNGs, 0 background, 1..n objects, 255 where objects overlap). Three shapes (a square
outline, an up and a down triangle outline, chosen at random) of the reference's size in model units
(7x7 and 7x12 of a 28x28 canvas) are drawn as polygons straight at the video's size (--scale px per
model unit, 10: 280x280) at sub-pixel positions, moving at 1-2 units per frame and bouncing off the
borders: no bitmap, position rounding or code is shared with `nem dataset render`. Score them with
`nem bench heldout --model M --data DIR`.
"""
import argparse
import math
import os
import subprocess

import numpy as np
from PIL import Image, ImageDraw


def shape_polygons(kind, s):
    """Outline of the shape in a box of 7 x 7 (square) or 7 x 12 (triangles) units, as (outer, inner) polygons."""
    if kind == "square":
        return [(0, 0), (7 * s, 0), (7 * s, 7 * s), (0, 7 * s)], [(2 * s, 2 * s), (5 * s, 2 * s), (5 * s, 5 * s), (2 * s, 5 * s)], (7, 7)
    outer = [(0, 7 * s), (6 * s, 0), (12 * s, 7 * s)]
    inner = [(3.8 * s, 4.8 * s), (6 * s, 2.6 * s), (8.2 * s, 4.8 * s)]
    if kind == "down":
        outer = [(x, 7 * s - y) for x, y in outer]
        inner = [(x, 7 * s - y) for x, y in inner]
    return outer, inner, (7, 12)


def draw(kind, top, left, s, size):
    outer, inner, _ = shape_polygons(kind, s)
    layer = Image.new("L", (size, size), 0)
    pen = ImageDraw.Draw(layer)
    pen.polygon([(x + left * s, y + top * s) for x, y in outer], fill=1)
    pen.polygon([(x + left * s, y + top * s) for x, y in inner], fill=0)
    return np.array(layer, dtype=np.uint8)


def sequence(rng, frames, canvas, scale):
    size = canvas * scale
    objects = []
    for _ in range(3):
        kind = rng.choice(["square", "up", "down"])
        h, w = shape_polygons(kind, scale)[2]
        y, x = rng.uniform(0, canvas - h), rng.uniform(0, canvas - w)
        angle, speed = rng.uniform(0, 2 * math.pi), rng.uniform(1, 2)
        objects.append([kind, h, w, y, x, speed * math.sin(angle), speed * math.cos(angle)])
    for _ in range(frames):
        layers = [draw(kind, y, x, scale, size) for kind, h, w, y, x, _, _ in objects]
        count = np.sum(layers, axis=0)
        mask = np.zeros((size, size), np.uint8)
        for i, layer in enumerate(layers):
            mask[layer > 0] = i + 1
        mask[count > 1] = 255
        yield (count > 0).astype(np.uint8) * 255, mask
        for o in objects:
            _, h, w, y, x, vy, vx = o
            y, x = y + vy, x + vx
            if y < 0 or y > canvas - h:
                vy, y = -vy, min(max(y, 0), canvas - h)
            if x < 0 or x > canvas - w:
                vx, x = -vx, min(max(x, 0), canvas - w)
            o[3:] = [y, x, vy, vx]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--sequences", type=int, default=20)
    parser.add_argument("--frames", type=int, default=21)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    palette = [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0] + [0] * (3 * 251) + [224, 224, 192]
    size = 28 * args.scale
    for i in range(args.sequences):
        stem = os.path.join(args.out, f"seq-{i:03d}")
        os.makedirs(stem + "-masks", exist_ok=True)
        encoder = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{size}x{size}", "-r", "25",
             "-i", "-", "-c:v", "libx264", "-crf", "23", "-pix_fmt", "yuv420p", stem + ".mp4"], stdin=subprocess.PIPE)
        for t, (frame, mask) in enumerate(sequence(rng, args.frames, 28, args.scale)):
            encoder.stdin.write(frame.tobytes())
            png = Image.fromarray(mask, mode="P")
            png.putpalette(palette)
            png.save(os.path.join(stem + "-masks", f"{t:05d}.png"))
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise SystemExit("ffmpeg failed")
    print(f"{args.sequences} sequences of {args.frames} frames ({size}x{size}) in {args.out}")


if __name__ == "__main__":
    main()

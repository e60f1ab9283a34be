#!/usr/bin/env python3
"""Where a static-shapes RNN-EM model goes wrong, from an independent NumPy forward pass.

    git show a1845f7:samples/models/static-shapes-rnn-em.safetensors > static-fc.safetensors   # the fc model shipped before the conv one
    python3 scripts/static_error_anatomy.py static-fc.safetensors static-test-777.h5

Reads the model's weights straight from the .safetensors file and runs the RNN-EM inference of
docs/training.md (ψ₀ = 0, h₀ = 0, γ₀ = |N(0,1)| normalised over K, fresh bitflip noise on the input
every step, Bernoulli E-step against the clean image) on the test split, then prints
- the AMI per EM step (max normalisation, background and overlaps excluded), an independent check
  of `nem eval` (equal up to the evaluation's own noise, about ±0.005);
- the spread of the per-image AMI at the last step;
- the anatomy of the errors: the share of scored pixels whose component belongs to another object
  (each component mapped to its majority object), and how far those pixels lie from another object
  (Chebyshev distance: 1 = one of the 8 neighbours), and how many images have two shapes merged.

Needs `pip install h5py numpy scikit-learn`. Only for models without an encoder (the static-shapes
RNN-EM network: one RNN layer, one fc decoder).
"""
import argparse
import json
import struct

import h5py
import numpy as np
from sklearn.metrics import adjusted_mutual_info_score


def load_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        blob = f.read()
    dtypes = {"F16": np.float16, "F32": np.float32}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(blob[start:end], dtypes[entry["dtype"]]).reshape(entry["shape"]).astype(np.float64)
    metadata = header["__metadata__"]
    return tensors, json.loads(metadata["nem.model"]), json.loads(metadata.get("nem.training", "{}"))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def infer(weights, images, components, steps, noise, rng):
    """Labels (argmax γ) after every EM step: (steps, N, D)."""
    n, d = images.shape
    w_rnn, b_rnn = weights["recurrent.0.weight"], weights["recurrent.0.bias"]
    w_dec, b_dec = weights["decoder.0.weight"], weights["decoder.0.bias"]
    gamma = np.abs(rng.standard_normal((n, components, d)))
    gamma /= gamma.sum(1, keepdims=True)
    psi = np.zeros((n, components, d))
    h = np.zeros((n * components, w_rnn.shape[1]))
    labels = []
    for _ in range(steps):
        flips = rng.random((n, d)) < noise
        noisy = np.where(flips, 1 - images, images)
        deltas = ((noisy[:, None, :] - psi) * gamma).reshape(n * components, d)
        h = sigmoid(np.concatenate([deltas, h], 1) @ w_rnn + b_rnn)
        psi = sigmoid(h @ w_dec + b_dec).reshape(n, components, d)
        x = images[:, None, :]
        p = x * psi + (1 - x) * (1 - psi) + 1e-6
        gamma = p / p.sum(1, keepdims=True)
        labels.append(gamma.argmax(1))
    return np.array(labels)


def ami(groups, labels):
    scored = groups > 0
    return adjusted_mutual_info_score(groups[scored], labels[scored], average_method="max")


def wrong_pixels(groups, labels, components):
    """Scored pixels whose component's majority object is another one."""
    wrong = np.zeros(groups.shape, bool)
    for k in range(components):
        mine = (groups > 0) & (labels == k)
        if mine.any():
            values, counts = np.unique(groups[mine], return_counts=True)
            wrong |= mine & (groups != values[counts.argmax()])
    return wrong


def distance_to_other_object(group_image, y, x):
    other = (group_image > 0) & (group_image != group_image[y, x])
    if not other.any():
        return np.inf
    ys, xs = np.nonzero(other)
    return np.maximum(np.abs(ys - y), np.abs(xs - x)).min()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--split", default="test")
    parser.add_argument("--components", type=int)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--noise", type=float, help="bitflip probability (default: the training noise)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    weights, model, training = load_safetensors(args.model)
    if model["network"]["input"] or model["network"].get("use_nem_formulation"):
        parser.error(f"{args.model}: only the encoder-free RNN-EM network is supported")
    components = args.components or model["components"]
    steps = args.steps or model["steps"]
    noise = args.noise if args.noise is not None else training.get("noise", {}).get("probability", 0.0)
    height, width, _ = model["frame_shape"]
    split = h5py.File(args.data, "r")[args.split]
    images = (split["features"][0, :, :, :, 0].reshape(-1, height * width) > 0.5).astype(np.float64)
    groups = split["groups"][0, :, :, :, 0].reshape(-1, height * width)

    labels = infer(weights, images, components, steps, noise, np.random.default_rng(args.seed))
    scores = np.array([[ami(g, l) for g, l in zip(groups, step)] for step in labels])
    print("AMI per step:", " ".join(f"{s:.3f}" for s in scores.mean(1)))
    last = scores[-1]
    print(f"last step: mean {last.mean():.4f}, median {np.median(last):.4f}; images below "
          + ", ".join(f"{t}: {(last < t).mean():.1%}" for t in (0.5, 0.7, 0.9, 0.99)))

    shares, distances = [], []
    for g, l in zip(groups, labels[-1]):
        wrong = wrong_pixels(g, l, components)
        shares.append(wrong.sum() / max((g > 0).sum(), 1))
        image = g.reshape(height, width)
        distances += [distance_to_other_object(image, *divmod(i, width)) for i in np.nonzero(wrong)[0]]
    shares, distances = np.array(shares), np.array(distances)
    merged = np.mean([len(np.unique(l[g > 0])) < len(np.unique(g[g > 0])) for g, l in zip(groups, labels[-1])])
    print(f"images where fewer components than objects hold scored pixels (merged shapes): {merged:.1%}")
    print(f"wrong scored pixels: {shares.mean():.2%} on average; images with none {(shares == 0).mean():.1%}")
    print("distance of a wrong pixel to another object: "
          + ", ".join(f"≤ {t} px {(distances <= t).mean():.1%}" for t in (1, 2, 4)))


if __name__ == "__main__":
    main()

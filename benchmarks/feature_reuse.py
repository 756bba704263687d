"""Recorded run: DenseNet's feature-reuse map from a trained network (Huang et al., Figure 5).

Huang et al. (2017), section 5 and Figure 5: for a DenseNet (L = 40, k = 12, no bottleneck, no compression)
trained on augmented CIFAR-10, the average absolute weight of each layer's convolution over the channels that came
from each earlier layer. The paper reads off it that layers spread their weights over many earlier layers, that
the transition layers read the whole block, and that the classifier concentrates on the last maps. Training:
SGD with Nesterov momentum 0.9, batch 64, weight decay 1e-4, learning rate 0.1 divided by 10 at 50 % and 75 % of
the run, crops and flips. Notebook 09 draws the map of this file beside its live one.

    python benchmarks/feature_reuse.py                 # the CPU recording: 16 x 16 images
    python benchmarks/feature_reuse.py --resume        # carry on where a sitting stopped
    python benchmarks/feature_reuse.py --size 32 --epochs 300 --out results/feature_reuse_gpu.json   # a GPU
    python benchmarks/feature_reuse.py --smoke --out /tmp/smoke.json   # seconds, on random images (tests)

The map of every dense block (with its transition) is stored after the first and the last epoch of each run.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from recording import Record, augmented, open_record, sitting_arguments, train_run  # noqa: E402

NOTES = (
    "CPU scale: the paper's DenseNet (L = 40, k = 12, three blocks of 12 layers, no bottleneck, no compression) "
    "on CIFAR-10 averaged down to 16 x 16 (a quarter of the computation), the training images found (10,000 in "
    "the offline subset, 50,000 with the official files), far fewer epochs than the paper's 300: the map needs a "
    "trained network, not a converged one, and the recorded test error says how far training got. Our stem has "
    "2k = 24 filters where the paper's non-bottleneck DenseNet has 16 (1.08 M parameters against its 1.0 M)."
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depth", type=int, default=40, help="3n + 4 layers: three blocks of n")
    parser.add_argument("--growth-rate", type=int, default=12)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--size", type=int, default=16, choices=(8, 16, 32), help="image size (CIFAR: 32)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--train-images", type=int, default=50_000)
    sitting_arguments(parser, "feature_reuse")
    parser.add_argument("--smoke", action="store_true", help="2 epochs of a tiny DenseNet on random images")
    args = parser.parse_args(argv)
    if args.smoke:
        args.depth, args.growth_rate, args.seeds, args.epochs, args.batch, args.size = 10, 4, [0], 2, 16, 8
    if args.depth < 7 or (args.depth - 4) % 3:
        parser.error(f"depth must be 3n + 4 (10, 22, 40, 100...), got {args.depth}.")
    return args


def load_data(args):
    if args.smoke:
        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, (80, 8, 8, 3)).astype("float32")
        y = rng.integers(0, 10, 80)
        return x[:64], y[:64], x[64:], y[64:]
    from cnnlib import data

    (x, y), (tx, ty) = data.load("cifar10")
    factor = 32 // args.size
    x = data.downsample(data.as_float(x[: args.train_images]), factor)
    tx = data.downsample(data.as_float(tx), factor)
    mean, std = x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2))
    return (x - mean) / std, y[: args.train_images].ravel(), (tx - mean) / std, ty.ravel()


def maps_of(model, blocks: int) -> dict:
    """Each dense block's feature-reuse map (rows: targets, columns: sources; None where a layer cannot read)."""
    from cnnlib.experiments.feature_reuse import feature_reuse

    found = {}
    for block in range(2, blocks + 2):
        reuse = feature_reuse(model, block)
        found[str(block)] = {"targets": list(reuse.targets), "sources": list(reuse.sources),
                             "weights": [[None if np.isnan(v) else round(float(v), 6) for v in row]
                                         for row in reuse.weights]}  # fmt: skip
    return found


def main(argv=None) -> Record:
    import keras

    from cnnlib.models import densenet
    from cnnlib.training import accuracy

    args = parse_args(argv)
    record, limit = open_record(args, NOTES)
    x, y, tx, ty = data = load_data(args)
    record.data["images"] = {"train": len(data[0]), "test": len(data[2])}
    layers = (args.depth - 4) // 3
    steps = len(x) // args.batch

    def build(seed):
        keras.utils.set_random_seed(seed)
        model = densenet((layers,) * 3, growth_rate=args.growth_rate, bottleneck=False, compression=1.0,
                         stem="cifar", input_shape=x.shape[1:], classes=10, name=f"densenet_{args.depth}")  # fmt: skip
        total, lr = steps * args.epochs, args.learning_rate
        drops = [total // 2, 3 * total // 4]
        schedule = keras.optimizers.schedules.PiecewiseConstantDecay(drops, [lr, lr / 10, lr / 100])
        model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True, weight_decay=1e-4),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
        return model

    def epoch(model, k, run, seed):
        history = model.fit(augmented(x, y, args.batch, seed, k), steps_per_epoch=steps, epochs=k + 1,
                            initial_epoch=k, shuffle=False, verbose=0).history  # fmt: skip
        if k + 1 in (1, args.epochs):
            record.data["runs"][run].setdefault("maps", {})[str(k + 1)] = maps_of(model, 3)
        return {"train_loss": history["loss"][-1], "train_error": 1 - history["accuracy"][-1],
                "test_error": 1 - accuracy(model, tx, ty)}  # fmt: skip

    for seed in args.seeds:
        run = f"densenet{args.depth}/seed{seed}"
        limit -= train_run(record, run, lambda s=seed: build(s), lambda model, k, r=run, s=seed: epoch(model, k, r, s),
                           args.epochs, limit)  # fmt: skip
    record.save()
    print(f"wrote {record.path}")
    return record


if __name__ == "__main__":
    main()

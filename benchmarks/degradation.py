"""Recorded run: the degradation problem, plain and residual CIFAR-10 networks of 20 and 56 layers.

He et al. (2016), section 4.2 and Figure 6: networks of 6n + 2 layers (16, 32, 64 filters), SGD with momentum
0.9, weight decay 1e-4, batch 128, learning rate 0.1 divided by 10 at 32,000 and 48,000 of 64,000 steps,
4-pixel padding, random crops and horizontal flips. The plain 56-layer network ends with a *higher training
error* than the plain 20-layer one; the ResNets do not. Notebook 08 plots this file beside its live run.

    python benchmarks/degradation.py                       # the CPU recording: 16 x 16 images, 30 epochs
    python benchmarks/degradation.py --resume              # carry on where a sitting stopped
    python benchmarks/degradation.py --size 32 --epochs 164 --out results/degradation_gpu.json   # a GPU
    python benchmarks/degradation.py --smoke --out /tmp/smoke.json   # seconds, on random images (tests)

The paper's schedule is kept in proportion: the learning rate drops at 50 % and 75 % of the run. The training
error is the running mean over each epoch's augmented batches (as the paper's curves); the test error is
measured on the whole test set after every epoch.

Deviations from the paper: Keras' default (Glorot) initialization instead of He's; Keras' weight decay on SGD
(``weight_decay=1e-4``) instead of an L2 term in the loss; the per-pixel mean is removed as in the paper.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from recording import (  # noqa: E402
    Record,
    Timer,
    augmented,
    checkpoint_dir,
    load_checkpoint,
    open_record,
    save_checkpoint,
    sitting_arguments,
)

NOTES = (
    "CPU scale: the CIFAR-10 images averaged down to 16 x 16 (a quarter of the computation in every layer) and "
    "30 epochs of the training images found (10,000 in the offline subset, 45,000 with the official files), "
    "three seeds: about 3 CPU-hours on two cores, where the paper's 64,000 steps at 32 x 32 would take days. "
    "The networks are the paper's (depth, widths 16-32-64, shortcut option A); only the images and the length "
    "of training are smaller."
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[20, 56], help="6n + 2 depths")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--size", type=int, default=16, choices=(8, 16, 32), help="image size (CIFAR: 32)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--width", type=int, default=16, help="filters of the first stage (the paper: 16)")
    parser.add_argument("--train-images", type=int, default=45_000, help="at most this many (the paper: 45,000)")
    sitting_arguments(parser, "degradation")
    parser.add_argument("--smoke", action="store_true", help="2 epochs of tiny networks on random images")
    args = parser.parse_args(argv)
    if args.smoke:
        args.depths, args.seeds, args.epochs, args.batch, args.width, args.size = [8], [0], 2, 16, 2, 8
    for depth in args.depths:
        if depth < 8 or (depth - 2) % 6:
            parser.error(f"depth must be 6n + 2 (8, 20, 32, 44, 56, 110...), got {depth}.")
    return args


def load_data(args):
    """Training and test images (float32, per-pixel mean removed) and labels."""
    if args.smoke:
        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, (80, 8, 8, 3)).astype("float32")
        y = rng.integers(0, 10, 80)
        return x[:64], y[:64], x[64:], y[64:]
    from cnnlib import data
    from cnnlib.data import downsample

    (x_train, y_train), (x_test, y_test) = data.load("cifar10")
    factor = 32 // args.size
    x_train = downsample(data.as_float(x_train[: args.train_images]), factor)
    x_test = downsample(data.as_float(x_test), factor)
    mean = x_train.mean(axis=0)
    return x_train - mean, y_train[: args.train_images].ravel(), x_test - mean, y_test.ravel()


def build(depth, shortcut, args, steps):
    import keras

    from cnnlib.models import cifar_resnet

    model = cifar_resnet(depth, shortcut, input_shape=(args.size, args.size, 3), base_width=args.width)
    lr = args.learning_rate
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([steps // 2, 3 * steps // 4], [lr, lr / 10, lr / 100])
    model.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def train(record: Record, name: str, depth: int, shortcut, seed: int, data, args, limit: int) -> int:
    """Train one network from one seed for at most ``limit`` more epochs; return how many it trained."""
    import keras

    from cnnlib.training import accuracy as accuracy_on

    x_train, y_train, x_test, y_test = data
    run = f"{name}/seed{seed}"
    done = record.epochs_done(run)
    if done >= args.epochs or limit < 1:
        return 0
    steps_per_epoch = len(x_train) // args.batch
    keras.utils.set_random_seed(seed)
    model = build(depth, shortcut, args, steps_per_epoch * args.epochs)
    folder = checkpoint_dir(record, run)
    if done and not load_checkpoint(model, folder, done):
        print(f"{run}: no checkpoint of epoch {done} in {folder}; starting it again", flush=True)
        record.data["runs"].pop(run)
        done = 0
    record.data["runs"].setdefault(run, {"epochs": [], "seconds": 0.0, "parameters": model.count_params()})
    for epoch in range(done, min(args.epochs, done + limit)):
        with Timer() as timer:
            history = model.fit(augmented(x_train, y_train, args.batch, seed, epoch), steps_per_epoch=steps_per_epoch,
                                epochs=epoch + 1, initial_epoch=epoch, shuffle=False, verbose=0).history  # fmt: skip
        figures = {
            "train_loss": history["loss"][-1],
            "train_error": 1 - history["accuracy"][-1],
            "test_error": 1 - accuracy_on(model, x_test, y_test),
        }
        record.add_epoch(run, figures, timer.seconds)
        save_checkpoint(model, folder, epoch + 1)
        print(f"{run} epoch {epoch + 1}/{args.epochs}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
              + f" ({timer.seconds:.0f} s)", flush=True)  # fmt: skip
    return record.epochs_done(run) - done


def main(argv=None) -> Record:
    args = parse_args(argv)
    record, limit = open_record(args, NOTES)
    data = load_data(args)
    record.data["images"] = {"train": len(data[0]), "test": len(data[2])}
    for seed in args.seeds:  # seed by seed, so that a partial file holds every network of the first seeds
        for depth in args.depths:
            for kind, shortcut in (("plain", None), ("resnet", "A")):
                limit -= train(record, f"{kind}{depth}", depth, shortcut, seed, data, args, limit)
    record.save()
    print(f"wrote {record.path}")
    return record


if __name__ == "__main__":
    main()

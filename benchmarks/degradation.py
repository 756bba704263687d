"""The degradation experiment at the paper's scale: plain and residual CIFAR-10 networks, 20 and 56 layers.

He et al. (2016), section 4.2 and Figure 6: networks of 6n + 2 layers (16, 32, 64 filters), trained with SGD
(momentum 0.9, weight decay 1e-4, batch 128), learning rate 0.1, divided by 10 at 32,000 and 48,000 steps,
stopped at 64,000; 45,000 training images (5,000 held out), 4-pixel padding, random 32 x 32 crops and
horizontal flips. The plain 56-layer network ends with a higher training error than the plain 20-layer one;
the ResNets do not. Notebook 08 shows the same on a CPU at a much smaller size; this script is for a GPU
(about an hour per network on a recent one at the paper's 64,000 steps).

    python benchmarks/degradation.py --out degradation.json                 # the paper's schedule
    python benchmarks/degradation.py --steps 16000 --out short.json          # a quarter of it
    python benchmarks/degradation.py --smoke --out /tmp/smoke.json          # a few steps on random data (tests)

The JSON holds, per network and seed, the training loss and error and the test error after every epoch, with
the command, the hardware and the date, so that a notebook can show the curves and say where they come from.

Deviations from the paper: Keras' default (Glorot) initialization instead of He's; the weight decay is
Keras' decoupled one (``weight_decay=1e-4`` on SGD), equivalent to an L2 penalty for SGD without momentum and
close with it; the training error is the running mean over each epoch's augmented batches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

PAPER = {"depths": (20, 56), "steps": 64_000, "boundaries": (32_000, 48_000), "batch": 128, "learning_rate": 0.1}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depths", type=int, nargs="+", default=list(PAPER["depths"]), help="6n + 2 depths")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--steps", type=int, default=PAPER["steps"], help="training steps (the paper: 64000)")
    parser.add_argument("--batch", type=int, default=PAPER["batch"])
    parser.add_argument("--learning-rate", type=float, default=PAPER["learning_rate"])
    parser.add_argument("--width", type=int, default=16, help="filters of the first stage (the paper: 16)")
    parser.add_argument("--train-images", type=int, default=45_000, help="the paper holds 5,000 of 50,000 out")
    parser.add_argument("--out", default="degradation.json", help="where to write the curves")
    parser.add_argument("--smoke", action="store_true", help="a few steps on random data, to test the script")
    return parser.parse_args(argv)


def hardware() -> str:
    import keras

    devices = []
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            devices.append(details.get("device_name", gpu.name))
    cpu = f"CPU {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    return f"{', '.join(devices) or 'no GPU'}; {cpu}; Keras {keras.__version__} ({keras.backend.backend()})"


def load_data(args):
    """Training and test images (float32, per-pixel mean removed, as in the paper) and labels."""
    if args.smoke:
        rng = np.random.default_rng(0)
        x = rng.uniform(0, 1, (64, 32, 32, 3)).astype("float32")
        y = rng.integers(0, 10, 64)
        return x[:48], y[:48], x[48:], y[48:]
    from cnnlib import data

    (x_train, y_train), (x_test, y_test) = data.load("cifar10")
    x_train, y_train = data.as_float(x_train[: args.train_images]), y_train[: args.train_images].ravel()
    x_test, y_test = data.as_float(x_test), y_test.ravel()
    mean = x_train.mean(axis=0)
    return x_train - mean, y_train, x_test - mean, y_test


def batches(x, y, batch_size: int, seed: int):
    """Endless augmented batches: 4-pixel zero padding, a random 32 x 32 crop, a random horizontal flip."""
    rng = np.random.default_rng(seed)
    padded = np.pad(x, ((0, 0), (4, 4), (4, 4), (0, 0)))
    h, w = x.shape[1:3]
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[start : start + batch_size]
            dy, dx = rng.integers(0, 9, 2)
            out = padded[idx, dy : dy + h, dx : dx + w].copy()
            flip = rng.random(len(idx)) < 0.5
            out[flip] = out[flip, :, ::-1]
            yield out, y[idx]


def train_one(depth, shortcut, seed, data, args, steps_per_epoch):
    import keras

    from cnnlib.models import cifar_resnet

    x_train, y_train, x_test, y_test = data
    keras.utils.set_random_seed(seed)
    model = cifar_resnet(depth, shortcut, base_width=args.width)
    boundaries = [int(b * args.steps / PAPER["steps"]) for b in PAPER["boundaries"]]
    lr = args.learning_rate
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, [lr, lr / 10, lr / 100])
    model.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9, weight_decay=1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    epochs = max(1, args.steps // steps_per_epoch)
    start = time.perf_counter()
    history = model.fit(
        batches(x_train, y_train, args.batch, seed),
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        validation_data=(x_test, y_test),
        verbose=2 if not args.smoke else 0,
    ).history
    return {
        "seed": seed,
        "parameters": model.count_params(),
        "steps": [steps_per_epoch * (e + 1) for e in range(epochs)],
        "train_loss": [float(v) for v in history["loss"]],
        "train_error": [1 - float(v) for v in history["accuracy"]],
        "test_error": [1 - float(v) for v in history["val_accuracy"]],
        "seconds": time.perf_counter() - start,
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.smoke:
        args.depths, args.steps, args.batch, args.width = [8], 2, 16, 2
    for depth in args.depths:
        if depth < 8 or (depth - 2) % 6:
            sys.exit(f"depth must be 6n + 2 (20, 32, 44, 56, 110...), got {depth}.")
    data = load_data(args)
    steps_per_epoch = max(1, min(len(data[0]) // args.batch, args.steps))
    runs = {}
    for depth in args.depths:
        for kind, shortcut in (("plain", None), ("resnet", "A")):
            runs[f"{kind}{depth}"] = [train_one(depth, shortcut, s, data, args, steps_per_epoch) for s in args.seeds]
            last = runs[f"{kind}{depth}"][-1]
            errors = f"training error {last['train_error'][-1]:.3f}, test error {last['test_error'][-1]:.3f}"
            print(f"{kind}{depth}: {errors}")
    result = {
        "command": "python benchmarks/degradation.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "hardware": hardware(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": {k: v for k, v in vars(args).items() if k != "out"},
        "runs": runs,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()

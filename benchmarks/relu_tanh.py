"""Recorded run: ReLU against tanh, epochs to 25 % training error on CIFAR-10 (AlexNet paper, Figure 1).

Krizhevsky et al. (2012), section 3.1 and Figure 1: a four-layer convolutional network reached 25 % training
error on CIFAR-10 six times faster with ReLUs than with tanh units; "the learning rates for each network were
chosen independently to make training as fast as possible. No regularization of any kind was employed."
Notebook 04 plots this file beside its live run.

    python benchmarks/relu_tanh.py                  # the CPU recording (about an hour on two cores)
    python benchmarks/relu_tanh.py --resume         # carry on where a sitting stopped
    python benchmarks/relu_tanh.py --smoke --out /tmp/smoke.json   # seconds, on random images (tests)

Per activation, its learning rate is chosen as the paper says: on the first seed every rate of ``--learning-rates``
trains until the threshold (from the middle of the range outwards, the larger first of two equally far; a rate
gets at most as many epochs as the best one so far needed, since more could not make it the winner; a run still
at 85 % error or more after 3 epochs has diverged);
the rate that reaches the threshold in the fewest epochs wins, and trains from the other seeds. The training
error is the running mean over each epoch's batches, as the paper plots it.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from recording import Record, open_record, sitting_arguments, train_run  # noqa: E402

NOTES = (
    "CPU scale: the paper's network and threshold (25 % training error), on the 10,000 CIFAR-10 training images "
    "of the offline copy (the paper: 50,000), so one of our epochs is a fifth of the paper's: divide our epoch "
    "counts by 5 to compare them with its Figure 1 in images seen. He initialization for ReLU, Glorot for tanh; "
    "SGD with momentum 0.9, batch 128, inputs standardized per channel, no augmentation or regularization."
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activations", nargs="+", default=["relu", "tanh"], choices=("relu", "tanh"))
    parser.add_argument("--learning-rates", type=float, nargs="+", default=[0.1, 0.03, 0.01, 0.003, 0.001])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=100, help="at most this many epochs per run")
    parser.add_argument("--threshold", type=float, default=0.25, help="training error to reach (the paper: 0.25)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--train-images", type=int, default=50_000, help="at most this many (the paper: 50,000)")
    sitting_arguments(parser, "relu_tanh")
    parser.add_argument("--smoke", action="store_true", help="2 epochs on random images")
    args = parser.parse_args(argv)
    if args.smoke:
        args.learning_rates, args.seeds, args.epochs, args.threshold, args.batch = [0.01], [0, 1], 2, 0.0, 16
    if not 0 <= args.threshold < 1:
        parser.error(f"threshold is a training error between 0 and 1, got {args.threshold}.")
    return args


def load_data(args):
    """Training images standardized per channel, and their labels."""
    if args.smoke:
        rng = np.random.default_rng(0)
        return rng.normal(size=(64, 32, 32, 3)).astype("float32"), rng.integers(0, 10, 64)
    from cnnlib import data

    (x, y), _ = data.load("cifar10")
    x = data.as_float(x[: args.train_images])
    return (x - x.mean(axis=(0, 1, 2))) / x.std(axis=(0, 1, 2)), y[: args.train_images].ravel()


def epochs_to(errors, threshold) -> float:
    """The first epoch whose training error is below ``threshold``; infinity if none."""
    below = np.flatnonzero(np.asarray(errors) < threshold)
    return int(below[0]) + 1 if len(below) else float("inf")


def sweep_order(rates) -> list[float]:
    """The rates from the middle of their (logarithmic) range outwards: the likely winners first, so that the
    others can be cut short at the epochs the best so far needed."""
    middle = np.median(np.log(rates))
    return sorted(rates, key=lambda r: (round(abs(np.log(r) - middle), 6), -r))


def best_rate(record: Record, activation: str, args) -> float | None:
    """The rate that reached the threshold in the fewest epochs on the first seed (then the lowest final error);
    None while the sweep is unfinished."""
    runs = {r: record.data["runs"].get(f"{activation}/lr{r:g}/seed{args.seeds[0]}", {}) for r in args.learning_rates}
    if not all(run.get("stopped") for run in runs.values()):
        return None
    errors = {r: [e["train_error"] for e in run["epochs"]] for r, run in runs.items()}
    return min(errors, key=lambda r: (epochs_to(errors[r], args.threshold), errors[r][-1]))


def main(argv=None) -> Record:
    import keras

    from cnnlib.models import figure1_net

    args = parse_args(argv)
    record, limit = open_record(args, NOTES)
    x, y = load_data(args)
    record.data["images"] = {"train": len(x)}

    def build(activation, rate, seed):
        keras.utils.set_random_seed(seed)
        model = figure1_net(activation)
        model.compile(optimizer=keras.optimizers.SGD(rate, momentum=0.9), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])  # fmt: skip
        return model

    def epoch(model, k, seed):
        order = np.random.default_rng([seed, k]).permutation(len(x))  # the same batches when resumed
        history = model.fit(x[order], y[order], batch_size=args.batch, epochs=k + 1, initial_epoch=k, shuffle=False,
                            verbose=0).history  # fmt: skip
        return {"train_error": 1 - history["accuracy"][-1], "train_loss": history["loss"][-1]}

    def stop(epochs):
        if epochs[-1]["train_error"] < args.threshold:
            return "threshold"
        if len(epochs) >= 3 and epochs[-1]["train_error"] > 0.85 or not np.isfinite(epochs[-1]["train_loss"]):
            return "diverged"
        return None

    def train(activation, rate, seed, most):
        run = f"{activation}/lr{rate:g}/seed{seed}"
        trained = train_run(record, run, lambda: build(activation, rate, seed), lambda model, k: epoch(model, k, seed),
                            most, limit, stop)  # fmt: skip
        return run, trained

    for activation in args.activations:
        most = args.epochs
        for rate in sweep_order(args.learning_rates):
            run, trained = train(activation, rate, args.seeds[0], most)
            limit -= trained
            if not record.data["runs"].get(run, {}).get("stopped"):
                break  # this sitting ends here
            reached = epochs_to([e["train_error"] for e in record.data["runs"][run]["epochs"]], args.threshold)
            most = int(min(most, reached))
        rate = best_rate(record, activation, args)
        if rate is None:
            break
        record.data.setdefault("best_rates", {})[activation] = rate
        for seed in args.seeds[1:]:
            limit -= train(activation, rate, seed, args.epochs)[1]
    record.save()
    print(f"wrote {record.path}")
    return record


if __name__ == "__main__":
    main()

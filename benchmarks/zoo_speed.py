"""Speed of cnnlib's VGG16, ResNet50 and DenseNet121 against keras.applications'.

The builders make the same layers as keras.applications (VGG adds the paper's dropout), so
a training step and an inference pass should take the same time: the goal is a ratio
ours / reference of at most 1.05. Both models of a pair run in one process, alternately
(ours first on even rounds, the reference first on odd ones), so that a slower moment of a
shared machine hits both; the table reports medians.

    python benchmarks/zoo_speed.py                     # small default: a few minutes on 2 CPU cores
    python benchmarks/zoo_speed.py --size 224 --batch 32 --repeats 20    # a real measurement (GPU)

The default input is 112 x 112 (VGG's first dense layer then has 3 x 3 x 512 inputs instead
of 7 x 7 x 512, for both models alike) to keep a CPU run short.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from cnnlib.experiments.comparison import KERAS_APPLICATIONS  # noqa: E402
from cnnlib.models import get_model  # noqa: E402

REFERENCES = {name: KERAS_APPLICATIONS[name] for name in ("vgg16", "resnet50", "densenet121")}


def build_pair(name, size, classes):
    shape = (size, size, 3)
    ours = get_model(name, input_shape=shape, classes=classes)
    ref = getattr(keras.applications, REFERENCES[name])(weights=None, input_shape=shape, classes=classes)
    ours.set_weights(ref.get_weights())  # same starting point, same arithmetic
    for model in (ours, ref):
        # Plain graph mode for both (no XLA), the same optimizer and loss.
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", jit_compile=False)
    return ours, ref


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(name, size, batch, repeats, classes=1000):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (batch, size, size, 3)).astype("float32")
    y = rng.integers(0, classes, batch)
    ours, ref = build_pair(name, size, classes)
    times = {(who, step): [] for who in ("ours", "keras") for step in ("train", "infer")}
    models = {"ours": ours, "keras": ref}
    for model in models.values():  # warm-up: tracing and first-call costs, not timed
        model.train_on_batch(x, y)
        model.predict_on_batch(x)
    for r in range(repeats):
        order = ("ours", "keras") if r % 2 == 0 else ("keras", "ours")
        for who in order:
            times[(who, "train")].append(timed(lambda m=models[who]: m.train_on_batch(x, y)))
        for who in order:
            times[(who, "infer")].append(timed(lambda m=models[who]: m.predict_on_batch(x)))
    rows = []
    for step in ("train", "infer"):
        a = statistics.median(times[("ours", step)])
        b = statistics.median(times[("keras", step)])
        rows.append((name, step, a, b, a / b))
    del ours, ref
    keras.backend.clear_session()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(REFERENCES), choices=list(REFERENCES))
    parser.add_argument("--size", type=int, default=112, help="image side in pixels (default 112)")
    parser.add_argument("--batch", type=int, default=4, help="batch size (default 4)")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds per model (default 7)")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    print(
        f"keras {keras.__version__}, backend {keras.backend.backend()}, input {args.size} x {args.size}, "
        f"batch {args.batch}, {args.repeats} rounds, medians in seconds"
    )
    header = f"{'model':<12} {'step':<6} {'ours':>9} {'keras':>9} {'ours/keras':>11}"
    print(header)
    print("-" * len(header))
    start = time.perf_counter()
    for name in args.models:
        for model, step, a, b, ratio in bench(name, args.size, args.batch, args.repeats):
            print(f"{model:<12} {step:<6} {a:>9.3f} {b:>9.3f} {ratio:>11.3f}", flush=True)
    print(f"total wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

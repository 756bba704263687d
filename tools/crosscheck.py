"""Same weights, same outputs: the model zoo and its tools on two Keras backends.

Keras picks its backend once per process, so a comparison is two processes sharing one folder::

    KERAS_BACKEND=tensorflow python -m tools.crosscheck save FOLDER
    KERAS_BACKEND=jax python -m tools.crosscheck load FOLDER

``save`` builds every registered model on a small input (32 x 32, or the smallest size the
model accepts) with 10 classes and logits out, gives its batch normalizations random scales,
offsets and moving statistics (so that one ignored or mixed up would show), writes the weights
to ``FOLDER/<model>.weights.h5`` and the logits of a fixed float32 batch, in inference mode, to
``FOLDER/<backend>.npz``. ``load`` builds the same models on its own backend, loads those
weights and writes its logits the same way; :func:`compare` sets the two side by side. Both
steps then run the tools the notebooks use (:func:`tools`: ``cnnlib.ops`` against the Keras
layers, ``cnnlib.experiments.measure`` and ``cnnlib.training.train`` on saved weights) and write what they
return to ``FOLDER/<backend>.json``. ``tests/test_backends.py`` asserts on both.

The models are compared in Keras' default float32, before ``cnnlib.training.setup`` (which on
JAX turns on 64-bit arrays, for the notebooks' float64 reference checks); the tools run after
it, as in a notebook.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import resource
import time
from pathlib import Path

import numpy as np

SIDE = 32  # the smallest input keras.applications accepts, and CIFAR's
CLASSES = 10
BATCH = 2  # the compared batch
SEED = 0


def build_small(name: str):
    """Build ``name`` on a small input with 10 classes and logits out; return it and its arguments.

    The input is 32 x 32 (grey for LeNet-5), or, where the builder refuses that with "at least
    N x N", the smallest size it accepts.
    """
    from cnnlib.models import get_model

    kwargs = {"input_shape": (SIDE, SIDE, 1 if name == "lenet5" else 3), "classes": CLASSES}
    kwargs["classifier_activation"] = None
    try:
        return get_model(name, **kwargs), kwargs
    except ValueError as error:
        found = re.search(r"at least (\d+) x (\d+)", str(error))
        if found is None:
            raise
    kwargs["input_shape"] = (int(found.group(1)), int(found.group(2)), kwargs["input_shape"][2])
    return get_model(name, **kwargs), kwargs


def _free():
    import gc

    import keras

    keras.backend.clear_session()
    gc.collect()


def _batch(shape, n, offset=0):
    rng = np.random.default_rng(SEED + offset)
    return rng.normal(size=(n, *shape)).astype("float32")


def _logits(model, x):
    """Inference-mode outputs of ``model`` for ``x``.

    On JAX a plain call compiles each operation for its shapes: cheap where layers repeat (a ResNet
    stage), slow where most layers have shapes of their own (DenseNet's growing concatenations),
    which one compiled program (``predict_on_batch``) then beats.
    """
    import keras

    if keras.backend.backend() == "jax":

        def shapes(t):
            return str([tuple(x.shape) for x in t]) if isinstance(t, list) else str(tuple(t.shape))

        distinct = {(type(la).__name__, shapes(la.input), shapes(la.output)) for la in model.layers}
        if len(distinct) > len(model.layers) / 2:
            return np.asarray(model.predict_on_batch(x))
    return keras.ops.convert_to_numpy(model(x, training=False))


def _randomize_batch_norm(model):
    """Random batch-normalization scales, offsets and moving statistics (instead of 1, 0, 0, 1), so
    that a backend which ignored or mixed up one of them would show."""
    import keras

    rng = np.random.default_rng(SEED + 1)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            for variable in layer.weights:
                kind = variable.path.rsplit("/", 1)[-1]
                low_high = (0.5, 1.5) if kind in ("gamma", "moving_variance") else (-0.2, 0.2)
                variable.assign(rng.uniform(*low_high, variable.shape).astype("float32"))


def save(folder, patterns=("*",)) -> dict:
    """Build each registered model matching one of ``patterns``, save its weights and its logits."""
    import keras

    from cnnlib.models import list_models

    keras.utils.set_random_seed(SEED)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    specs, outputs, seconds = {}, {}, {}
    names = [n for n in list_models() if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    if not names:
        raise ValueError(f"no registered model matches {' '.join(patterns)}.")
    for name in names:
        start = time.perf_counter()
        model, kwargs = build_small(name)
        _randomize_batch_norm(model)
        model.save_weights(folder / f"{name}.weights.h5")
        outputs[name] = _logits(model, _batch(kwargs["input_shape"], BATCH))
        specs[name] = kwargs
        seconds[name] = time.perf_counter() - start
        del model
        _free()
    (folder / "models.json").write_text(json.dumps(specs, indent=1))
    _write_outputs(folder, outputs, seconds)
    return specs


def load(folder) -> dict:
    """Build the models ``save`` wrote, load their weights, write this backend's logits."""
    import keras

    from cnnlib.experiments.measure import zero_initializers
    from cnnlib.models import get_model

    folder = Path(folder)
    specs = json.loads((folder / "models.json").read_text())
    outputs, seconds = {}, {}
    for name, kwargs in specs.items():
        start = time.perf_counter()
        kwargs = {**kwargs, "input_shape": tuple(kwargs["input_shape"])}
        with zero_initializers():
            model = get_model(name, **kwargs)
        model.load_weights(folder / f"{name}.weights.h5")
        outputs[name] = _logits(model, _batch(kwargs["input_shape"], BATCH))
        seconds[name] = time.perf_counter() - start
        del model
        _free()
    _write_outputs(folder, outputs, seconds)
    if keras.backend.backend() == "jax":
        import jax

        jax.clear_caches()  # hundreds of compiled programs the tools do not need
    return specs


def _write_outputs(folder, outputs, seconds):
    import keras

    backend = keras.backend.backend()
    np.savez(folder / f"{backend}.npz", **outputs)
    (folder / f"{backend}.seconds.json").write_text(json.dumps(seconds, indent=1))


def tools(folder) -> dict:
    """Run ``cnnlib.ops``, ``cnnlib.experiments.measure`` and ``cnnlib.training.train`` after ``setup()``.

    ``ops`` is held to the Keras layers in float64, as in ``tests/test_ops.py``. ``measure`` runs
    on ResNet-20 and ``train`` on LeNet-5, both with the weights ``save`` wrote (softmax outputs
    this time), so that two backends can be held to the same numbers; ``train`` takes the whole
    batch in each epoch, so its loss curve does not depend on the shuffling order.
    """
    import keras

    from cnnlib import ops, training
    from cnnlib.experiments import measure
    from cnnlib.layers import LocalResponseNormalization
    from cnnlib.models import get_model, list_models
    from cnnlib.ops import keras_conv2d, keras_pool2d, rel_error

    folder = Path(folder)
    training.setup(seed=SEED, report=False)
    result, seconds = {"backend": keras.backend.backend(), "registered": list_models()}, {}
    start = time.perf_counter()
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(2, 9, 8, 3))
    kernel, bias = rng.normal(size=(3, 2, 3, 4)), rng.normal(size=4)
    a = rng.normal(scale=100.0, size=(2, 3, 4, 7))  # large, so that the LRN sum moves the divisor
    lrn = keras.ops.convert_to_numpy(LocalResponseNormalization(dtype="float64")(a))
    result["ops_rel_error"] = {
        "conv2d": rel_error(ops.conv2d(x, kernel, bias, 2, "same"), keras_conv2d(x, kernel, bias, 2, "same")),
        "max_pool2d": rel_error(ops.max_pool2d(x, 3, 2, "same"), keras_pool2d(x, 3, 2, "same", "max")),
        "avg_pool2d": rel_error(ops.avg_pool2d(x, 3, 2, "same"), keras_pool2d(x, 3, 2, "same", "avg")),
        "lrn": rel_error(ops.lrn(a), lrn),
    }
    seconds["ops"] = time.perf_counter() - start

    specs = json.loads((folder / "models.json").read_text())
    if "resnet20" in specs:  # absent only where save was given a --models pattern without it
        start = time.perf_counter()
        shape = tuple(specs["resnet20"]["input_shape"])
        model = get_model("resnet20", input_shape=shape, classes=CLASSES)
        model.load_weights(folder / "resnet20.weights.h5")
        images, labels = _batch(shape, 4, offset=2), np.arange(4) % CLASSES
        result["output_std"] = measure.output_std(model, images)
        result["gradient_norms"] = measure.gradient_norms(model, images, labels)
        result["shift_sensitivity"] = measure.shift_sensitivity(model, images, shifts=(1, 2))
        result["activation_elements"] = measure.activation_elements(model)
        del model
        _free()
        seconds["measure"] = time.perf_counter() - start
    if "lenet5" in specs:
        start = time.perf_counter()
        shape = tuple(specs["lenet5"]["input_shape"])
        model = get_model("lenet5", input_shape=shape, classes=CLASSES)
        model.load_weights(folder / "lenet5.weights.h5")
        images, labels = _batch(shape, 32, offset=3), np.arange(32) % CLASSES
        result["train_history"] = training.train(model, images, labels, epochs=4, batch_size=32)
        del model
        _free()
        seconds["train"] = time.perf_counter() - start
    result["seconds"] = seconds
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (folder / f"{result['backend']}.json").write_text(json.dumps(result, indent=1))
    return result


def compare(folder, a="tensorflow", b="jax") -> dict[str, dict[str, float]]:
    """Per model: the largest logit difference between backends ``a`` and ``b``, the logits' scale
    (largest magnitude on ``a``) and the largest difference of the softmax probabilities."""
    folder = Path(folder)
    with np.load(folder / f"{a}.npz") as first, np.load(folder / f"{b}.npz") as second:
        if set(first.files) != set(second.files):
            raise ValueError(f"{a} and {b} have different models: {sorted(set(first.files) ^ set(second.files))}.")
        result = {}
        for name in first.files:
            x, y = first[name].astype(np.float64), second[name].astype(np.float64)
            result[name] = {
                "logits": float(np.max(np.abs(x - y))),
                "scale": float(np.max(np.abs(x))),
                "probabilities": float(np.max(np.abs(_softmax(x) - _softmax(y)))),
            }
    return result


def _softmax(z):
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def load_results(folder, backend) -> dict:
    """What :func:`tools` wrote for ``backend``."""
    return json.loads((Path(folder) / f"{backend}.json").read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.crosscheck", description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("save", "load"), help="save on the reference backend, load on the other")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--models", nargs="+", default=["*"], help="registered names or shell patterns (save only)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # On JAX most of the time goes to compiling: the random initial weights (later overwritten by
    # the loaded ones) for every new weight shape, then the models. The older random-bit lowering
    # compiles about twice as fast on the CPU, and where JAX_COMPILATION_CACHE_DIR is set, every
    # program is kept there (not only those that took over a second), so a second run is faster.
    os.environ.setdefault("JAX_THREEFRY_PARTITIONABLE", "0")
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    if args.step == "save":
        save(args.folder, args.models)
    else:
        load(args.folder)
    tools(args.folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

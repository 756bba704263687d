"""cnnlib on another Keras backend: JAX gives TensorFlow's numbers, given the same weights.

Keras picks its backend once per process, so two child processes share a folder
(``tools.crosscheck``): TensorFlow builds every registered model on a small input, saves its
weights and its float32 logits in inference mode; JAX (``KERAS_BACKEND=jax``) builds the same
models, loads those weights and writes its own logits. Each side then runs ``cnnlib.ops``,
``cnnlib.experiments.measure`` and ``cnnlib.training.train``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tools import crosscheck
from tools.jax_site import SKIP_REASON, jax_available, jax_env

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-4  # the issue's bound on the outputs
# Every kind of layer the zoo uses, each in one network: convolutions, pooling, dense and dropout (LeNet-5),
# cnnlib's LRN (AlexNet), concatenated branches and global pooling (GoogLeNet), batch normalization,
# projections and additions (ResNet-50), cnnlib's ChannelPadding shortcuts (ResNet-20), dense blocks and
# transitions (DenseNet-BC-100). The other 20 registered variants are the same code at other sizes; all 26
# were checked once (python -m tools.crosscheck save/load without --models), at most 2.5e-6 apart.
MODELS = ["lenet5", "alexnet", "googlenet", "resnet50", "resnet20", "densenet_bc_100"]

pytestmark = [pytest.mark.skipif(not jax_available(), reason=SKIP_REASON), pytest.mark.slow]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crosscheck")
    try:
        for backend, step in (("tensorflow", "save"), ("jax", "load")):
            env = {**os.environ, "KERAS_BACKEND": backend} if backend == "tensorflow" else jax_env()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tools.crosscheck",
                    step,
                    str(folder),
                    *(["--models", *MODELS] if step == "save" else []),
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,
            )
            assert done.returncode == 0, f"{step} on {backend} failed:\n{done.stderr[-4000:]}"
    finally:
        for weights in folder.glob("*.weights.h5"):  # 1.5 GB, and pytest keeps the last runs' folders
            weights.unlink()
    return folder


def _table(diffs):
    lines = [f"{'model':16s} {'logits diff':>12s} {'logits scale':>12s} {'relative':>9s} {'prob. diff':>10s}"]
    for name, d in diffs.items():
        relative = d["logits"] / max(d["scale"], 1e-30)
        lines.append(f"{name:16s} {d['logits']:12.2e} {d['scale']:12.3g} {relative:9.1e} {d['probabilities']:10.1e}")
    return "\n".join(lines)


def test_every_registered_model_gives_the_same_outputs_on_jax(folder):
    diffs = crosscheck.compare(folder, "tensorflow", "jax")
    print("\nTensorFlow vs JAX, same weights, float32, inference mode:\n" + _table(diffs))
    registered = crosscheck.load_results(folder, "tensorflow")["registered"]
    assert sorted(diffs) == sorted(MODELS) and set(MODELS) <= set(registered)

    # Logits relative to their scale (a random network's logits may be tiny or large), and the
    # softmax probabilities absolutely (they lie in [0, 1]).
    bad = {
        name: d
        for name, d in diffs.items()
        if d["logits"] > TOLERANCE * d["scale"] or d["probabilities"] > TOLERANCE or not np.isfinite(d["scale"])
    }
    assert not bad, f"outputs differ by more than {TOLERANCE}:\n" + _table(bad)


def _close(first, second, rtol=TOLERANCE):
    assert first.keys() == second.keys()
    for key in first:
        assert np.isfinite(second[key]), key
        assert second[key] == pytest.approx(first[key], rel=rtol), key


def test_ops_equal_the_keras_layers_on_jax(folder):
    jax = crosscheck.load_results(folder, "jax")
    assert jax["backend"] == "jax"
    assert set(jax["ops_rel_error"]) == {"conv2d", "max_pool2d", "avg_pool2d", "lrn"}
    # cs231n's rule, as in tests/test_ops.py: float64 after setup(), which turns on JAX's 64-bit mode.
    assert max(jax["ops_rel_error"].values()) < 1e-6, jax["ops_rel_error"]


def test_measure_gives_tensorflows_numbers_on_jax(folder):
    tf, jax = crosscheck.load_results(folder, "tensorflow"), crosscheck.load_results(folder, "jax")
    assert len(jax["output_std"]) == 20 and all(v > 0 for v in jax["output_std"].values())  # 19 convs + dense
    _close(tf["output_std"], jax["output_std"])
    # A gradient norm at the first layer has gone back through all 20 layers in float32: the backends' sums
    # in another order drift apart by about 1e-4 there (1.4e-4 seen for conv1), as TensorFlow's own float32
    # and float64 do; 1e-3 still catches a wrong gradient.
    _close(tf["gradient_norms"], jax["gradient_norms"], rtol=1e-3)
    _close(tf["shift_sensitivity"], jax["shift_sensitivity"])
    assert jax["activation_elements"] == tf["activation_elements"] > 0


def test_training_gives_tensorflows_loss_curve_on_jax(folder):
    tf = crosscheck.load_results(folder, "tensorflow")["train_history"]
    jax = crosscheck.load_results(folder, "jax")["train_history"]
    assert len(jax["loss"]) == 4 and np.all(np.isfinite(jax["loss"]))
    assert jax["loss"][-1] < jax["loss"][0]
    # One whole batch per epoch: the same four steps from the same weights, whatever the shuffling.
    assert jax["loss"] == pytest.approx(tf["loss"], rel=TOLERANCE)
    assert jax["accuracy"] == pytest.approx(tf["accuracy"], abs=1e-6)

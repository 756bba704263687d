"""The library behind notebook 07 (GoogLeNet): Inception arithmetic, network depth, the scaled
GoogLeNet, training with auxiliary heads, the module drawing, and the notebook's hidden solutions."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnlib import arithmetic
from cnnlib.arithmetic import (
    conv_params,
    count_macs,
    inception_params,
    inception_width,
    network_depth,
    reduction_savings,
)
from cnnlib.exercises import check, run_solution
from cnnlib.experiments.auxiliary import drop_auxiliary, train_seeds
from cnnlib.models import INCEPTION_CONFIGS, get_model, inception_block
from cnnlib.models.mini_googlenet import mini_googlenet, scaled_config
from cnnlib.training import accuracy, train_from_seeds
from cnnlib.viz import draw_inception_module
from cnnlib.viz.inception import inception_boxes

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "07_googlenet.ipynb"


def _block_model(config, in_channels, size=8):
    inputs = keras.Input((size, size, in_channels))
    return keras.Model(inputs, inception_block(inputs, *config, name="block"))


# --- arithmetic.inception -------------------------------------------------------------------------


@pytest.mark.parametrize("block", ["3a", "4e", "5b"])
def test_inception_params_and_width_agree_with_a_built_block(block):
    in_channels = {"3a": 192, "4e": 528, "5b": 832}[block]
    model = _block_model(INCEPTION_CONFIGS[block], in_channels)
    assert inception_params(INCEPTION_CONFIGS[block], in_channels) == model.count_params()
    assert inception_width(INCEPTION_CONFIGS[block]) == model.output.shape[-1]


def test_reduction_savings_of_3a_is_two_fifths_not_one_third():
    s = reduction_savings(INCEPTION_CONFIGS["3a"], 192, size=28)
    # The notes' own two sums.
    assert s.naive_weights == 1 * 1 * 192 * 64 + 3 * 3 * 192 * 128 + 5 * 5 * 192 * 32 == 387_072
    assert s.reduced_weights == 192 * 64 + (192 * 96 + 9 * 96 * 128) + (192 * 16 + 25 * 16 * 32) == 157_184
    assert round(s.weight_share, 3) == 0.406 and s.macs_share == s.weight_share
    assert s.naive_macs == 387_072 * 28 * 28
    assert (s.naive_channels, s.reduced_channels) == (416, 256)
    with_proj = reduction_savings(INCEPTION_CONFIGS["3a"], 192, pool_proj=True)
    assert with_proj.reduced_weights == 157_184 + 192 * 32 and with_proj.macs_share is None


def test_reduction_savings_agrees_with_built_modules():
    config, cin, size = (8, 6, 12, 2, 4, 4), 16, 9
    reduced = _block_model(config, cin, size)
    kernels = sum(int(np.prod(layer.kernel.shape)) for layer in reduced.layers if hasattr(layer, "kernel"))
    s = reduction_savings(config, cin, size, pool_proj=True)
    assert s.reduced_weights == kernels and s.reduced_macs == count_macs(reduced)
    inputs = keras.Input((size, size, cin))
    naive = keras.Model(
        inputs,
        keras.layers.Concatenate()(
            [
                keras.layers.Conv2D(8, 1)(inputs),
                keras.layers.Conv2D(12, 3, padding="same")(inputs),
                keras.layers.Conv2D(4, 5, padding="same")(inputs),
                keras.layers.MaxPooling2D(3, 1, padding="same")(inputs),
            ]
        ),
    )
    assert s.naive_weights == naive.count_params() - (8 + 12 + 4) and s.naive_macs == count_macs(naive)
    assert s.naive_channels == naive.output.shape[-1]


@pytest.mark.parametrize(
    "config, in_channels, match",
    [
        ((64, 96, 128, 16, 32), 192, "six positive whole numbers"),
        ((64, 96, 128, 16, 32, 0), 192, "six positive"),
        (INCEPTION_CONFIGS["3a"], 0, "in_channels"),
        ("3a", 192, "six positive"),
    ],
)
def test_inception_arithmetic_refuses_bad_arguments(config, in_channels, match):
    with pytest.raises(ValueError, match=match):
        inception_params(config, in_channels)


def test_reduction_savings_refuses_a_bad_size():
    with pytest.raises(ValueError, match="size must be a positive whole number"):
        reduction_savings(INCEPTION_CONFIGS["3a"], 192, size=0)


# --- arithmetic.depth -----------------------------------------------------------------------------


def test_network_depth_of_the_zoo_matches_the_papers_names():
    googlenet = get_model("googlenet")
    assert network_depth(googlenet) == 22  # "22 layers deep when counting only layers with parameters"
    assert network_depth(googlenet, count_pooling=True) == 27  # "or 27 layers if we also count pooling"
    assert network_depth(get_model("resnet20")) == 20  # batch normalization is not counted
    assert network_depth(get_model("vgg11", input_shape=(32, 32, 3))) == 11


def test_network_depth_of_each_output_and_of_a_sequential_model():
    training = get_model("googlenet", aux_logits=True)
    # loss1 after 4a: stem 3 + 3 blocks x 2 + conv, fc, classifier; loss2 after 4d: 3 blocks more.
    assert [network_depth(training, k) for k in range(3)] == [22, 12, 18]
    assert network_depth(training, "loss2_classifier") == 18
    seq = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ]
    )
    assert (network_depth(seq), network_depth(seq, count_pooling=True)) == (2, 3)
    with pytest.raises(ValueError, match="has 3 output"):
        network_depth(training, output=3)
    with pytest.raises(ValueError, match="no layer"):
        network_depth(training, output="nope")


# --- models.mini_googlenet ------------------------------------------------------------------------


def test_mini_googlenet_is_the_zoo_blocks_scaled():
    model = mini_googlenet()
    for block in INCEPTION_CONFIGS:
        assert scaled_config(block, 1 / 8) == tuple(c // 8 for c in INCEPTION_CONFIGS[block])
        assert model.get_layer(f"inception_{block}_output").output.shape[-1] == sum(
            scaled_config(block, 1 / 8)[i] for i in (0, 2, 4, 5)
        )
    sides = {b: model.get_layer(f"inception_{b}_output").output.shape[1] for b in ("3a", "4a", "5b")}
    assert sides == {"3a": 16, "4a": 8, "5b": 4}
    assert network_depth(model) == 20 and tuple(model.output.shape) == (None, 10)


def test_mini_googlenet_heads_and_tops():
    plain, aux = mini_googlenet(), mini_googlenet(aux_logits=True)
    assert aux.output_names == ["predictions", "loss1_classifier", "loss2_classifier"]
    assert aux.get_layer("loss1_ave_pool").output.shape[1:3] == (2, 2)
    assert {w.path for w in plain.weights} <= {w.path for w in aux.weights}
    flat = mini_googlenet(top="flatten")
    assert flat.count_params() - plain.count_params() == 15 * 10 * 128


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"width": 0}, "width"),
        ({"top": "max"}, "top must be"),
        ({"dropout": 1.0}, "dropout"),
        ({"aux_logits": True, "input_shape": (16, 16, 3)}, "at least 32 x 32"),
    ],
)
def test_mini_googlenet_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mini_googlenet(**kwargs)


def test_scaled_config_names_unknown_blocks():
    with pytest.raises(ValueError, match="unknown Inception block"):
        scaled_config("6a", 0.5)


# --- auxiliary --------------------------------------------------------------------------------------


def _tiny(aux_logits):
    inputs = keras.Input((6, 6, 2))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    main = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    if not aux_logits:
        return keras.Model(inputs, main)
    side = keras.layers.Dense(3, activation="softmax", name="aux")(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, [main, side])


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 6, 6, 2)).astype("float32"), rng.integers(0, 3, n)


def test_train_from_seeds_weights_the_side_losses():
    x, y = _data()
    (history,) = train_from_seeds(lambda: _tiny(True), x, y, [0], epochs=1, aux_weight=0.3, batch_size=32)
    # one batch: the total loss is main + 0.3 * side, as logged before the update
    assert history["loss"][0] == pytest.approx(history["predictions_loss"][0] + 0.3 * history["aux_loss"][0], rel=1e-4)
    (unweighted,) = train_from_seeds(lambda: _tiny(True), x, y, [0], epochs=1, aux_weight=0.0, batch_size=32)
    assert unweighted["loss"][0] == pytest.approx(unweighted["predictions_loss"][0], rel=1e-4)
    with pytest.raises(ValueError, match="aux_weight"):
        train_from_seeds(lambda: _tiny(True), x, y, [0], epochs=1, aux_weight=-1)


def test_drop_auxiliary_copies_the_shared_weights_and_keeps_the_output():
    x, y = _data()
    training = train_from_seeds(lambda: _tiny(True), x, y, [0], epochs=2, batch_size=8).model
    inference = drop_auxiliary(training, _tiny(False))
    main = keras.ops.convert_to_numpy(training(x, training=False)[0])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(inference(x, training=False)), main, rtol=0, atol=1e-7)
    assert accuracy(inference, x, y) == accuracy(training, x, y)
    inputs = keras.Input((6, 6, 2))
    other = keras.Model(inputs, keras.layers.Dense(3, name="elsewhere")(keras.layers.Flatten()(inputs)))
    with pytest.raises(ValueError, match="has no layer 'elsewhere'"):
        drop_auxiliary(training, other)


def test_train_seeds_is_train_from_seeds_with_a_test_set():
    # notebook 07's form of the call: (test accuracy per seed, the last model)
    x, y = _data(48)
    accs, model = train_seeds(lambda: _tiny(True), [0, 1], x, y, x, y, epochs=2, batch_size=16)
    runs = train_from_seeds(lambda: _tiny(True), x, y, [0, 1], 2, 16, test=(x, y), jit_compile=False)
    assert accs == runs.final("test_accuracy") and len(model.outputs) == 2
    # a fresh run of the second seed gives the same accuracy as the reused, re-initialised model
    assert train_from_seeds(lambda: _tiny(True), x, y, [1], 2, 16, test=(x, y)).final("test_accuracy") == accs[1:]


# --- viz.inception ----------------------------------------------------------------------------------


def test_draw_inception_module_returns_a_figure_with_the_tables_numbers():
    fig = draw_inception_module(INCEPTION_CONFIGS["3a"], 192, size=28)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "filter concatenation\n28x28x256" in texts and any("18,528 weights" in t for t in texts)
    assert f"{inception_params(INCEPTION_CONFIGS['3a'], 192):,} weights" in fig.axes[0].get_title()
    naive = draw_inception_module(INCEPTION_CONFIGS["3a"], 192, naive=True)
    assert "filter concatenation\n416" in [t.get_text() for t in naive.axes[0].texts]
    assert all(t.get_fontsize() >= 9 for t in fig.axes[0].texts)


def test_inception_boxes_weights_add_up():
    boxes = inception_boxes(INCEPTION_CONFIGS["4a"], 480)
    assert sum(w for branch in boxes for _, _, w in branch) == inception_params(INCEPTION_CONFIGS["4a"], 480)
    naive = inception_boxes(INCEPTION_CONFIGS["4a"], 480, naive=True)
    assert [len(b) for b in naive] == [1, 1, 1, 1]
    assert sum(w for branch in naive for _, _, w in branch) == sum(
        conv_params(k, 480, c) for k, c in ((1, 192), (3, 208), (5, 48))
    )


def test_draw_inception_module_into_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert draw_inception_module(INCEPTION_CONFIGS["5b"], 832, ax=ax) is fig


# --- the notebook's hidden solutions ---------------------------------------------------------------


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 07 not built")
def test_exercise_2_solution_passes_the_notebooks_check():
    """The placeholder says "not answered yet"; the solution, pasted as a learner would, prints "correct"."""
    model = get_model("googlenet")
    block_inputs = {b: model.get_layer(f"inception_{b}_1x1").input.shape[-1] for b in INCEPTION_CONFIGS}
    names = ["1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj"]
    block_params = {
        b: sum(model.get_layer(f"inception_{b}_{n}").count_params() for n in names) for b in INCEPTION_CONFIGS
    }
    namespace = {
        "INCEPTION_CONFIGS": INCEPTION_CONFIGS,
        "block_inputs": block_inputs,
        "block_params": block_params,
        "check": check,
    }
    namespace = run_solution(NOTEBOOK, "Exercise 2", "inception_params", namespace)
    assert namespace["inception_params"]((1, 1, 1, 1, 1, 1), 1) == 1 * 2 + 1 * 2 + 1 * 10 + 1 * 2 + 1 * 26 + 1 * 2


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 07 not built")
def test_exercise_1_and_3_solution_figures():
    assert conv_params(1, 192, 96, use_bias=False) + conv_params(1, 192, 16, use_bias=False) == 21_504
    assert arithmetic.network_depth(mini_googlenet()) == 1 + 9 * 2 + 1 == 20


_TRAIN_SEEDS_SCRIPT = """
import numpy as np, keras
from cnnlib.training import train_from_seeds
def build():
    i = keras.Input((8, 8, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, activation="relu")(i))
    heads = [keras.layers.Dense(3, activation="softmax")(x) for _ in range(2)]
    return keras.Model(i, heads)
x = np.random.default_rng(0).random((32, 8, 8, 3)).astype("float32")
y = np.arange(32) % 3
runs = train_from_seeds(build, x, y, [0, 1], epochs=1, batch_size=16, test=(x, y), jit_compile=False)
print(keras.backend.backend(), len(runs.final("test_accuracy")))
"""


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is installed by the [jax] extra")
def test_train_from_seeds_resets_the_optimizer_on_jax_too():
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    out = subprocess.run([sys.executable, "-c", _TRAIN_SEEDS_SCRIPT], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["jax", "2"]

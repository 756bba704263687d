"""cnnlib.models.inception_v3: the paper's factorizations read from the built layers, the size check, and the
plain weight copy from keras.applications.InceptionV3."""

from __future__ import annotations

import math
from fractions import Fraction

import keras
import numpy as np
import pytest

from cnnlib.arithmetic import conv_params
from cnnlib.models import INCEPTION_V3_MODULES, get_card, get_model, inception_v3
from cnnlib.models._common import check_min_size
from cnnlib.models.inception_v3 import INCEPTION_V3_STEPS


@pytest.fixture(scope="module")
def model():
    """The default model (299 x 299 x 3), built without drawing initial values (shapes and configs only)."""
    with keras.StatelessScope(initialize_variables=False):
        built = inception_v3()
    keras.backend.clear_session(free_memory=False)
    return built


def kernel_weights(model, *names):
    return sum(math.prod(model.get_layer(f"{n}_conv").kernel.shape) for n in names)


def test_one_by_seven_then_seven_by_one_costs_two_sevenths_of_a_seven_by_seven(model):
    """Section 3.2: a 1 x n then an n x 1 have 2n weights per channel pair where an n x n has n^2. With
    c_in -> c_mid -> c_out channels the ratio is 2/n * (c_mid/c_in + c_mid/c_out) / 2."""
    # mixed7: 192 -> 192 -> 192 channels, so exactly 2/7 of a 7 x 7 from 192 to 192 channels.
    pair = kernel_weights(model, "mixed7_7x7_1x7", "mixed7_7x7_7x1")
    assert model.get_layer("mixed7_7x7_1x7_conv").kernel.shape == (1, 7, 192, 192)
    assert model.get_layer("mixed7_7x7_7x1_conv").kernel.shape == (7, 1, 192, 192)
    assert Fraction(pair, conv_params(7, 192, 192, use_bias=False)) == Fraction(2, 7)
    # mixed4: 128 -> 128 -> 192 channels: 2/7 * (1 + 128/192) / 2 = 2/7 * 5/6 = 5/21 of a 7 x 7 from 128 to 192.
    pair = kernel_weights(model, "mixed4_7x7_1x7", "mixed4_7x7_7x1")
    assert Fraction(pair, conv_params(7, 128, 192, use_bias=False)) == Fraction(2, 7) * Fraction(5, 6)
    # The same holds for multiply-adds: every kernel weight is used once per output position (17 x 17).
    assert model.get_layer("mixed7_7x7_7x1_conv").output.shape[1:3] == (17, 17)


def test_two_three_by_three_cost_eighteen_25ths_of_a_five_by_five(model):
    """Section 3.1: two 3 x 3 have 18 weights per channel pair where a 5 x 5 has 25 (28 % saved). In mixed0's
    double 3 x 3 branch (64 -> 96 -> 96 channels) the first layer is wider than its input: 18/25 * 5/4."""
    pair = kernel_weights(model, "mixed0_3x3dbl_1", "mixed0_3x3dbl_2")
    assert Fraction(pair, conv_params(5, 64, 96, use_bias=False)) == Fraction(18, 25) * Fraction(5, 4)
    assert 1 - Fraction(18, 25) == Fraction(28, 100)
    # keras.applications keeps a 5 x 5 branch beside it (48 -> 64 channels).
    assert model.get_layer("mixed0_5x5_conv").kernel.shape == (5, 5, 48, 64)


def test_modules_and_grid_sizes(model):
    """Each module's output from its widths, and the size chain of the check against the built layers."""
    channels = {
        "35x35": lambda w: w[0] + w[2] + w[4] + w[5],
        "17x17": lambda w: w[0] + w[2] + w[4] + w[5],
        "8x8": lambda w: w[0] + 2 * w[2] + 2 * w[4] + w[5],
    }
    channels["reduction_35x35"] = lambda w: w[0] + w[2]  # plus the pooled input
    channels["reduction_17x17"] = lambda w: w[1] + w[3]
    in_channels = 192
    for name, (kind, widths) in INCEPTION_V3_MODULES.items():
        out = channels[kind](widths) + (in_channels if kind.startswith("reduction") else 0)
        side = 35 if name in ("mixed0", "mixed1", "mixed2") else 8 if name in ("mixed8", "mixed9", "mixed10") else 17
        assert tuple(model.get_layer(name).output.shape[1:]) == (side, side, out), name
        in_channels = out
    assert in_channels == 2048
    sizes = check_min_size((299, 299, 3), INCEPTION_V3_STEPS, "Inception-v3")
    assert list(sizes.values()) == [(s, s) for s in (149, 147, 73, 71, 35, 17, 8)]
    for layer, size in sizes.items():
        assert tuple(model.get_layer(layer).output.shape[1:3]) == size, layer
    # keras.applications' names for the 8 x 8 modules' 1 x 3 | 3 x 1 concatenations, numbered across modules.
    assert model.get_layer("mixed9_0").output.shape[-1] == model.get_layer("mixed9_1").output.shape[-1] == 768


def test_every_convolution_has_no_bias_and_a_batch_norm_without_scale(model):
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(convs) == len(norms) == 94
    assert not any(layer.use_bias for layer in convs)
    assert not any(layer.scale for layer in norms) and all(layer.center for layer in norms)
    for conv in convs:
        assert model.get_layer(conv.name.replace("_conv", "_bn")).input is conv.output
    # The abstract: "less than 25 million parameters".
    assert sum(math.prod(w.shape) for w in model.trainable_weights) < 25_000_000
    assert model.count_params() == get_card("inception_v3").params


def test_too_small_an_input_is_explained():
    with pytest.raises(ValueError, match="at least 75 x 75 pixels, got 64 x 64"):
        inception_v3(input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="at least 75 x 75"):
        inception_v3(include_top=False, input_shape=(74, 75, 3))
    with pytest.raises(ValueError, match="at least 75x75"):  # keras.applications' own limit is the same
        keras.applications.InceptionV3(weights=None, input_shape=(74, 74, 3))
    with keras.StatelessScope(initialize_variables=False):
        small = inception_v3(input_shape=(75, 75, 3), classes=10)
        free = inception_v3(include_top=False, pooling="avg")
    keras.backend.clear_session(free_memory=False)
    assert tuple(small.get_layer("mixed10").output.shape[1:]) == (1, 1, 2048)
    assert tuple(free.output.shape) == (None, 2048)


def test_set_weights_from_keras_inception_v3():
    """The plain route, with real variables: ``ours.set_weights(ref.get_weights())`` gives the same outputs."""
    keras.utils.set_random_seed(0)
    kwargs = {"weights": None, "input_shape": (75, 75, 3), "classes": 10}
    ref = keras.applications.InceptionV3(**kwargs)
    ours = get_model("inception_v3", **kwargs)
    rng = np.random.default_rng(0)
    values = [v if "moving" not in w.path else rng.uniform(0.5, 1.5, v.shape).astype("float32")
              for w, v in zip(ref.weights, ref.get_weights(), strict=True)]  # fmt: skip
    ref.set_weights(values)  # BN statistics away from their defaults, so that a misplaced one shows
    ours.set_weights(ref.get_weights())
    x = rng.uniform(-1, 1, (2, 75, 75, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(ref(x, training=False))
    got = keras.ops.convert_to_numpy(ours(x, training=False))
    assert np.abs(got - expected).max() <= 1e-5
    keras.backend.clear_session()

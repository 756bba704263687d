"""cnnlib.layers checked against TensorFlow and against a from-scratch NumPy formula."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib.layers import ChannelPadding, LocalResponseNormalization
from cnnlib.ops import rel_error


def paper_lrn(a, n=5, k=2.0, alpha=1e-4, beta=0.75):
    """Section 3.3 of the AlexNet paper, one channel at a time, in float64."""
    a = np.asarray(a, dtype=np.float64)
    channels = a.shape[-1]
    b = np.empty_like(a)
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        b[..., i] = a[..., i] / (k + alpha * np.sum(a[..., lo : hi + 1] ** 2, axis=-1)) ** beta
    return b


@pytest.fixture(scope="module")
def activations():
    # Large values (as after a ReLU on unnormalized images) so that the sum term matters:
    # alpha * sum(a^2) is of the order of k here, not negligible.
    rng = np.random.default_rng(0)
    return np.abs(rng.normal(0.0, 60.0, (2, 7, 5, 16))).astype("float32")


def test_lrn_equals_the_paper_formula(activations):
    got = keras.ops.convert_to_numpy(LocalResponseNormalization()(activations))
    expected = paper_lrn(activations)
    assert rel_error(got, expected) < 1e-6
    # The normalization is far from the identity on these inputs.
    assert np.max(np.abs(expected - activations / 2.0**0.75)) > 1.0


def test_lrn_equals_tf_nn_local_response_normalization(activations):
    # The paper's n = 5 is TensorFlow's depth_radius = 2 (2 * 2 + 1 channels); neither
    # divides alpha by n.
    expected = tf.nn.local_response_normalization(activations, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75).numpy()
    got = keras.ops.convert_to_numpy(LocalResponseNormalization(size=5, k=2, alpha=1e-4, beta=0.75)(activations))
    assert rel_error(got, expected) < 1e-6
    for size, k, alpha, beta in [(3, 1.0, 1e-3, 0.5), (7, 0.5, 2e-4, 1.0), (1, 2.0, 1e-4, 0.75)]:
        expected = tf.nn.local_response_normalization(
            activations, depth_radius=size // 2, bias=k, alpha=alpha, beta=beta
        ).numpy()
        got = LocalResponseNormalization(size=size, k=k, alpha=alpha, beta=beta)(activations)
        assert rel_error(keras.ops.convert_to_numpy(got), expected) < 1e-6


def test_lrn_other_axis_and_window_wider_than_channels(activations):
    channels_first = np.moveaxis(activations, -1, 1)
    got = LocalResponseNormalization(axis=1)(channels_first)
    assert rel_error(np.moveaxis(keras.ops.convert_to_numpy(got), 1, -1), paper_lrn(activations)) < 1e-6
    few = activations[..., :3]  # a 5-channel window on 3 channels: the sum is clipped
    got = keras.ops.convert_to_numpy(LocalResponseNormalization()(few))
    assert rel_error(got, paper_lrn(few)) < 1e-6


# Keras' own saving code trips a NumPy 2 DeprecationWarning (not cnnlib's).
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_lrn_config_round_trip_and_saving(tmp_path, activations):
    layer = LocalResponseNormalization(size=3, k=1.5, alpha=2e-4, beta=0.5, name="norm1")
    config = layer.get_config()
    assert {key: config[key] for key in ("size", "k", "alpha", "beta", "axis", "name")} == {
        "size": 3, "k": 1.5, "alpha": 2e-4, "beta": 0.5, "axis": -1, "name": "norm1",
    }  # fmt: skip
    clone = LocalResponseNormalization.from_config(config)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(clone(activations)), keras.ops.convert_to_numpy(layer(activations))
    )
    inputs = keras.Input((7, 5, 16))
    x = keras.layers.Conv2D(4, 1, name="conv")(inputs)
    x = ChannelPadding((1, 2), name="pad")(x)
    model = keras.Model(inputs, LocalResponseNormalization(name="lrn")(x))
    path = tmp_path / "lrn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("lrn"), LocalResponseNormalization)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(activations)), keras.ops.convert_to_numpy(model(activations))
    )


def test_lrn_has_no_weights_and_keeps_the_shape(activations):
    layer = LocalResponseNormalization()
    assert keras.ops.convert_to_numpy(layer(activations)).shape == activations.shape
    assert layer.weights == []
    assert layer.compute_output_shape((None, 7, 5, 16)) == (None, 7, 5, 16)


@pytest.mark.parametrize("size", [0, 4, -1, 2.0, True])
def test_lrn_rejects_even_or_bad_sizes(size):
    with pytest.raises(ValueError, match="odd number of channels"):
        LocalResponseNormalization(size=size)


def test_channel_padding():
    x = np.arange(2 * 3 * 3 * 2, dtype="float32").reshape(2, 3, 3, 2) + 1
    y = keras.ops.convert_to_numpy(ChannelPadding((1, 3))(x))
    assert y.shape == (2, 3, 3, 6)
    np.testing.assert_array_equal(y[..., 1:3], x)
    assert not y[..., 0].any() and not y[..., 3:].any()
    layer = ChannelPadding(4)
    assert layer.padding == (0, 4)
    assert layer.compute_output_shape((None, 8, 8, 16)) == (None, 8, 8, 20)
    assert ChannelPadding.from_config(layer.get_config()).padding == (0, 4)
    with pytest.raises(ValueError, match="two whole numbers"):
        ChannelPadding((1, -1))

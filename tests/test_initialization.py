"""relu_gain: He et al.'s factor per layer, against a measured forward pass."""

import keras
import numpy as np
import pytest

from cnnlib.arithmetic import relu_gain


def test_he_initialization_keeps_the_spread_and_vgg_paper_shrinks_it():
    assert relu_gain(np.sqrt(2 / (9 * 64)), 3, 64) == pytest.approx(1.0)
    assert relu_gain(0.01, 3, 64) == pytest.approx(0.01 * np.sqrt(288))
    assert relu_gain(0.01, (1, 3), 2) == pytest.approx(0.01 * np.sqrt(3))


def test_factor_matches_a_real_layer():
    # A wide 3x3 ReLU layer fed with ReLU-like inputs: the second moment scales by the factor squared.
    keras.utils.set_random_seed(0)
    std, channels = 0.05, 64
    layer = keras.layers.Conv2D(channels, 3, kernel_initializer=keras.initializers.RandomNormal(0.0, std))
    x = np.maximum(np.random.default_rng(0).normal(size=(8, 24, 24, channels)), 0).astype("float32")
    y = np.maximum(keras.ops.convert_to_numpy(layer(x)), 0)
    measured = np.sqrt((y**2).mean() / (x**2).mean())
    assert measured == pytest.approx(relu_gain(std, 3, channels), rel=0.1)


@pytest.mark.parametrize("args", [(0, 3, 8), (-0.1, 3, 8), (0.1, 3, 0), (0.1, 3, 2.5), (0.1, 0, 8)])
def test_bad_arguments_are_explained(args):
    with pytest.raises(ValueError):
        relu_gain(*args)

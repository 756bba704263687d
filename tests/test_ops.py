"""The NumPy operations against Keras layers: relative error below 1e-6 (cs231n's rule)."""

import numpy as np
import pytest

from cnnlib import ops
from cnnlib.layers import LocalResponseNormalization
from cnnlib.ops import keras_conv2d, keras_pool2d, rel_error

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 9, 8, 3))


@pytest.mark.parametrize("padding", ["valid", "same", "full", 2])
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (3, 1), (1, 2), ((2, 1), 1)])
def test_conv2d_equals_keras(padding, stride, dilation):
    kernel, bias = RNG.normal(size=(3, 2, 3, 4)), RNG.normal(size=4)
    ours = ops.conv2d(X, kernel, bias, stride, padding, dilation)
    ref = keras_conv2d(X, kernel, bias, stride, padding, dilation)
    assert ours.shape == ref.shape
    assert rel_error(ours, ref) < 1e-6


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,stride", [(2, None), (3, 2), (3, 1), ((2, 3), (1, 2))])
def test_pooling_equals_keras(pool, stride, padding):
    for mode, op in (("max", ops.max_pool2d), ("avg", ops.avg_pool2d)):
        ours, ref = op(X, pool, stride, padding), keras_pool2d(X, pool, stride, padding, mode)
        assert ours.shape == ref.shape
        assert rel_error(ours, ref) < 1e-6


def test_one_output_value_is_the_window_times_the_kernel():
    img = RNG.integers(0, 9, size=(6, 6))
    k = RNG.integers(-2, 3, size=(3, 3))
    out = ops.conv2d(img, k)[0, :, :, 0]
    assert out[2, 1] == np.sum(img[2:5, 1:4] * k)


def test_grey_image_and_2d_kernel_are_accepted():
    out = ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), padding="same")
    assert out.shape == (1, 5, 5, 1)
    assert out[0, 2, 2, 0] == 9 and out[0, 0, 0, 0] == 4


def test_every_named_kernel_is_3x3():
    assert ops.KERNELS and all(np.asarray(k).shape == (3, 3) for k in ops.KERNELS.values())


@pytest.mark.parametrize("size,k,alpha,beta", [(5, 2.0, 1e-4, 0.75), (3, 1.0, 1e-3, 0.5), (1, 2.0, 1e-2, 0.75)])
def test_lrn_equals_the_keras_layer(size, k, alpha, beta):
    import keras

    # Large activations (as on the paper's 0-255 pixel scale), so the sum really moves the divisor.
    a = RNG.normal(scale=100.0, size=(2, 3, 4, 7))
    layer = LocalResponseNormalization(size=size, k=k, alpha=alpha, beta=beta, dtype="float64")
    ref = keras.ops.convert_to_numpy(layer(a))
    assert rel_error(ops.lrn(a, k, size, alpha, beta), ref) < 1e-6
    assert rel_error(ops.lrn_divisor(a, k, size, alpha, beta), a / ref) < 1e-6
    assert ops.lrn_divisor(a, k, size, alpha, beta).max() > 1.5 * k**beta


def test_lrn_divisor_by_hand_and_its_floor():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    # channel 0 sums channels 0..2 (the window is cut at the edge), channel 2 sums all four
    expected = (2 + 1e-4 * np.array([1 + 4 + 9, 1 + 4 + 9 + 16, 30, 4 + 9 + 16])) ** 0.75
    assert np.allclose(ops.lrn_divisor(a), expected, rtol=1e-12)
    assert np.allclose(ops.lrn_divisor(np.zeros((2, 2, 3))), 2**0.75)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: ops.conv2d(np.ones((4, 4)), np.ones((5, 5))), "kernel 5 is larger than the input 4"),
        (lambda: ops.conv2d(np.ones((4, 4, 2)), np.ones((3, 3, 1, 1))), "expects 1 input channel"),
        (lambda: ops.conv2d(np.ones(4), np.ones((3, 3))), "expected an image"),
        (lambda: ops.max_pool2d(np.ones((4, 4)), 2, 0), "strides must be at least 1"),
        (lambda: ops.conv2d(np.ones((4, 4)), np.ones((3, 3)), strides=(1, 2, 3)), "pair"),
        (lambda: ops.lrn_divisor(np.ones((2, 4)), n=4), "odd number of channels"),
    ],
)
def test_bad_input_gets_a_sentence(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_batch_norm_equals_the_keras_layer_in_training_and_at_inference():
    import keras

    x = RNG.normal(3.0, 2.0, size=(16, 5, 4, 6)).astype("float32")
    layer = keras.layers.BatchNormalization()
    layer.build(x.shape)
    gamma, beta = RNG.normal(size=6), RNG.normal(size=6)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    mean, var = ops.batch_statistics(x)
    trained = np.asarray(layer(x, training=True))  # the batch's own statistics; the running ones move 1 %
    assert rel_error(trained, ops.batch_norm(x, mean, var, gamma, beta)) < 1e-4  # float32 against float64
    assert np.allclose(np.asarray(layer.moving_mean), 0.01 * mean, rtol=1e-5)
    assert np.allclose(np.asarray(layer.moving_variance), 0.99 + 0.01 * var, rtol=1e-5)
    inferred = np.asarray(layer(x, training=False))  # the running statistics
    moving = np.asarray(layer.moving_mean), np.asarray(layer.moving_variance)
    assert rel_error(inferred, ops.batch_norm(x, *moving, gamma, beta)) < 1e-4
    assert rel_error(inferred, trained) > 0.1


def test_conv_net_with_and_without_batch_norm():
    from cnnlib.experiments.batchnorm import conv_net

    plain, normed = conv_net(False), conv_net(True)
    bns = [layer for layer in normed.layers if layer.name.startswith("block") and "_bn" in layer.name]
    assert len(bns) == 6 and not any("_bn" in layer.name for layer in plain.layers)
    # BN's beta replaces each convolution's bias; gamma and the two running statistics are 3 more per channel
    assert normed.count_params() - plain.count_params() == 3 * 2 * (8 + 16 + 32)
    assert normed.output_shape == (None, 10)
    with pytest.raises(ValueError, match="widths"):
        conv_net(True, widths=(8, 0))

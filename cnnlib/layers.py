"""Layers Keras lacks, written with Keras 3 operations only so they run on any backend.

``LocalResponseNormalization`` is AlexNet's cross-channel normalization (also used by
ZFNet, VGG's A-LRN and GoogLeNet's stem); ``ChannelPadding`` adds zero channels, the
parameter-free "option A" shortcut of the CIFAR ResNets.

Reference: A. Krizhevsky, I. Sutskever, G. E. Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS 2012, section 3.3.
"""

from __future__ import annotations

import keras
from keras import ops

from cnnlib.arithmetic import is_whole

__all__ = ["ChannelPadding", "LocalResponseNormalization"]


@keras.saving.register_keras_serializable(package="cnnlib")
class LocalResponseNormalization(keras.layers.Layer):
    """Local response normalization across channels, in the AlexNet paper's form.

    ``b[c] = a[c] / (k + alpha * sum(a[j] ** 2 for j in the size channels centred on c)) ** beta``

    The sum runs over ``size`` neighbouring channels (fewer at the edges, as in the paper)
    and ``alpha`` is *not* divided by ``size``. That is exactly
    ``tf.nn.local_response_normalization(depth_radius=size // 2, bias=k, alpha=alpha,
    beta=beta)``. Caffe's and PyTorch's ``LocalResponseNorm`` divide alpha by ``size``:
    to reproduce one of those, pass ``alpha=their_alpha / size``.

    Args:
        size: number of channels in the window (the paper's n), odd.
        k: additive constant (the paper's k).
        alpha: scale of the sum of squares.
        beta: exponent.
        axis: channel axis.
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not is_whole(size) or size < 1 or size % 2 == 0:
            raise ValueError(
                f"size must be an odd number of channels (the window is centred on each channel), got {size!r}."
            )
        if k < 0 or alpha < 0:
            raise ValueError(f"k and alpha must not be negative, got k={k}, alpha={alpha}.")
        self.size = int(size)
        self.k = float(k)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.axis = int(axis)

    def build(self, input_shape):
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError("LocalResponseNormalization needs a known number of channels.")
        self._channels = int(channels)
        self.built = True

    def call(self, inputs):
        x = inputs if self.axis in (-1, len(inputs.shape) - 1) else ops.moveaxis(inputs, self.axis, -1)
        radius = self.size // 2
        squares = ops.square(x)
        # Zero channels at both ends make the edge windows shorter, as the paper's sum does.
        pad = [[0, 0]] * (len(x.shape) - 1) + [[radius, radius]]
        padded = ops.pad(squares, pad)
        window_sum = padded[..., 0 : self._channels]
        for offset in range(1, self.size):
            window_sum = window_sum + padded[..., offset : offset + self._channels]
        y = x * ops.power(self.k + self.alpha * window_sum, -self.beta)
        return y if self.axis in (-1, len(inputs.shape) - 1) else ops.moveaxis(y, -1, self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, k=self.k, alpha=self.alpha, beta=self.beta, axis=self.axis)
        return config


@keras.saving.register_keras_serializable(package="cnnlib")
class ChannelPadding(keras.layers.Layer):
    """Append zero channels: ``(..., C)`` becomes ``(..., before + C + after)``.

    The CIFAR ResNets' shortcut option A uses it to match the wider output of a stage's
    first block without adding parameters.

    Args:
        padding: ``(before, after)`` number of zero channels, or one int for ``after``.
    """

    def __init__(self, padding=(0, 0), **kwargs):
        super().__init__(**kwargs)
        if is_whole(padding):
            padding = (0, padding)
        padding = tuple(padding)
        if len(padding) != 2 or any(not is_whole(p) or p < 0 for p in padding):
            raise ValueError(f"padding must be two whole numbers of channels >= 0 (before, after), got {padding!r}.")
        self.padding = tuple(int(p) for p in padding)

    def call(self, inputs):
        return ops.pad(inputs, [[0, 0]] * (len(inputs.shape) - 1) + [list(self.padding)])

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        if channels is not None:
            channels = channels + sum(self.padding)
        return tuple(input_shape[:-1]) + (channels,)

    def get_config(self):
        config = super().get_config()
        config.update(padding=list(self.padding))
        return config

"""Inception v2's batch normalization, measured: the same small network with and without it, at a learning rate
where the one without fails.

Ioffe & Szegedy (2015) normalize each channel of a convolution's output over the batch before the nonlinearity
(the arithmetic: :func:`cnnlib.ops.batch_norm`), and report that this lets a network train at much higher learning
rates (their section 4.2.1: "Increase learning rate"). Notebook 07 trains :func:`conv_net` both ways with plain SGD
from the same seeds.
"""

from __future__ import annotations

import keras

__all__ = ["conv_net"]


def conv_net(batch_norm: bool, widths=(8, 16, 32), input_shape=(32, 32, 3), classes: int = 10, name=None):
    """A VGG-like network: per width, two 3 x 3 convolutions and a 2 x 2 max pooling; global average pooling and a
    softmax classifier on top.

    With ``batch_norm``, each convolution is followed by a ``BatchNormalization`` before its ReLU (Ioffe & Szegedy,
    section 3.2: normalize ``Wu``, then apply the nonlinearity) and has no bias (BN's ``beta`` takes its place).
    Layer names are fixed: ``block1_conv1``, ``block1_bn1``, ``block1_relu1``, ..., ``block1_pool``, ``avg_pool``,
    ``predictions``.
    """
    widths = tuple(widths)
    if not widths or any(int(w) != w or w < 1 for w in widths):
        raise ValueError(f"widths must be whole numbers of filters, one per block, got {widths!r}.")
    layers = keras.layers
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for b, width in enumerate(widths, start=1):
        for c in (1, 2):
            x = layers.Conv2D(int(width), 3, padding="same", use_bias=not batch_norm, name=f"block{b}_conv{c}")(x)
            if batch_norm:
                x = layers.BatchNormalization(name=f"block{b}_bn{c}")(x)
            x = layers.Activation("relu", name=f"block{b}_relu{c}")(x)
        x = layers.MaxPooling2D(2, name=f"block{b}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or ("conv_net_bn" if batch_norm else "conv_net"))

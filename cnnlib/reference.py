"""The Keras layers that the NumPy operations of ``cnnlib.ops`` are checked against.

Keras' ``Conv2D`` knows only ``"valid"`` and ``"same"``; "full" and arbitrary padding are a
``ZeroPadding2D`` in front of a valid convolution, which is what they mean.
"""

from __future__ import annotations

import numpy as np

from cnnlib.arithmetic import conv_padding
from cnnlib.arithmetic.sizes import pair


def keras_conv2d(x, kernel, bias=None, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """Run ``keras.layers.Conv2D`` with the given weights; same arguments as ``ops.conv2d``."""
    import keras

    # float64 throughout, so that a comparison measures the algorithm, not float32 rounding.
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw, _, filters = kernel.shape
    layers = []
    mode = padding if isinstance(padding, str) and padding in ("valid", "same") else "valid"
    if mode == "valid" and padding != "valid":
        (sh, sw), (dh, dw) = pair(stride, "stride"), pair(dilation, "dilation")
        ph = conv_padding(x.shape[1], kh, sh, padding, dh)
        pw = conv_padding(x.shape[2], kw, sw, padding, dw)
        layers.append(keras.layers.ZeroPadding2D((tuple(ph), tuple(pw)), dtype="float64"))
    conv = keras.layers.Conv2D(
        filters,
        (kh, kw),
        strides=stride,
        padding=mode,
        dilation_rate=dilation,
        use_bias=bias is not None,
        dtype="float64",
    )
    layers.append(conv)
    y = x
    for layer in layers:
        y = layer(y)
    conv.set_weights([kernel] + ([np.asarray(bias, dtype=np.float64)] if bias is not None else []))
    y = x
    for layer in layers:
        y = layer(y)
    return keras.ops.convert_to_numpy(y)


def keras_pool2d(x, pool=2, stride=None, padding="valid", mode="max") -> np.ndarray:
    """Run ``keras.layers.MaxPooling2D`` or ``AveragePooling2D``."""
    import keras

    cls = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}[mode]
    layer = cls(pool_size=pool, strides=stride, padding=padding, dtype="float64")
    return keras.ops.convert_to_numpy(layer(np.asarray(x, dtype=np.float64)))


def rel_error(a, b) -> float:
    """Largest relative difference, as in cs231n: ``max |a-b| / max(1e-8, |a| + |b|)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}.")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))

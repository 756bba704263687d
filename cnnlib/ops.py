"""Readable NumPy convolution, pooling and normalization (LRN, batch normalization), for teaching.

These are the operations of notes 1.1, 1.2, 2.2 and 2.5.3 written out in NumPy so a learner can read
them; tests check them against ``keras.layers.Conv2D`` / ``MaxPooling2D`` /
``AveragePooling2D``, ``BatchNormalization`` and ``cnnlib.layers.LocalResponseNormalization`` to a relative error
below 1e-6 (the cs231n habit: trust a from-scratch operation only after comparing it with a
reference).

Layouts follow Keras: inputs are NHWC ``(batch, height, width, channels)``; kernels are
``(kernel_h, kernel_w, in_channels, out_channels)``.
"""

from __future__ import annotations

import numpy as np

from cnnlib.arithmetic import conv_output_size, conv_padding, pool_output_size
from cnnlib.arithmetic.sizes import is_whole, pair

# Hand-made 3x3 kernels of classic image processing: what a learned first layer rediscovers.
KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "vertical edges (Sobel x)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "horizontal edges (Sobel y)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "all edges (Laplacian)": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
}


def _as_nhwc(x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 2:  # one grey image
        x = x[None, :, :, None]
    elif x.ndim == 3:  # one image with channels
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"expected an image (H, W), (H, W, C) or a batch (N, H, W, C); got shape {x.shape}.")
    return x


def _pad(x: np.ndarray, pads, value: float) -> np.ndarray:
    (top, bottom), (left, right) = pads
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """2D convolution (cross-correlation, as in every deep-learning library).

    Args:
        x: image ``(H, W)``, ``(H, W, C)`` or batch ``(N, H, W, C)``.
        kernel: ``(kh, kw)`` for one grey filter, or ``(kh, kw, C, filters)`` as Keras stores it.
        bias: optional ``(filters,)``.
        strides: int or ``(sh, sw)``.
        padding: ``"valid"``, ``"same"``, ``"full"`` or a number of zeros per side.
        dilation_rate: int or ``(dh, dw)``.

    Returns:
        ``(N, H_out, W_out, filters)`` float array.
    """
    x = _as_nhwc(x).astype(np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim == 2:
        kernel = kernel[:, :, None, None]
    if kernel.ndim != 4:
        raise ValueError(f"kernel must be (kh, kw) or (kh, kw, in_channels, filters), got {kernel.shape}.")
    kh, kw, c_in, filters = kernel.shape
    if c_in != x.shape[-1]:
        raise ValueError(f"the kernel expects {c_in} input channel(s) but the image has {x.shape[-1]}.")
    (sh, sw), (dh, dw) = pair(strides, "strides"), pair(dilation_rate, "dilation_rate")
    h, w = x.shape[1:3]
    oh = conv_output_size(h, kh, sh, padding, dh)
    ow = conv_output_size(w, kw, sw, padding, dw)
    x = _pad(x, (conv_padding(h, kh, sh, padding, dh), conv_padding(w, kw, sw, padding, dw)), 0.0)

    out = np.zeros((x.shape[0], oh, ow, filters))
    # One kernel tap at a time: the slice holds, for every output position, the input cell
    # that this tap sees; adding tap by tap is the sliding window, vectorised.
    for i in range(kh):
        for j in range(kw):
            window = x[:, i * dh : i * dh + sh * (oh - 1) + 1 : sh, j * dw : j * dw + sw * (ow - 1) + 1 : sw, :]
            out += window @ kernel[i, j]
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64)
    return out


def _pool(x, pool_size, strides, padding, reduce) -> np.ndarray:
    x = _as_nhwc(x).astype(np.float64)
    ph, pw = pair(pool_size, "pool_size")
    sh, sw = pair(strides if strides is not None else (ph, pw), "strides")
    h, w = x.shape[1:3]
    oh = pool_output_size(h, ph, sh, padding)
    ow = pool_output_size(w, pw, sw, padding)
    pads = (conv_padding(h, ph, sh, padding), conv_padding(w, pw, sw, padding))
    # NaN marks padding so that neither max nor mean ever sees a made-up zero (Keras ignores
    # padded cells in both).
    x = _pad(x, pads, np.nan)
    windows = np.stack(
        [x[:, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw, :] for i in range(ph) for j in range(pw)]
    )
    return reduce(windows, axis=0)


def max_pool2d(x, pool_size=2, strides=None, padding="valid") -> np.ndarray:
    """Max pooling; the strides default to the pool size (Keras' default)."""
    return _pool(x, pool_size, strides, padding, np.nanmax)


def avg_pool2d(x, pool_size=2, strides=None, padding="valid") -> np.ndarray:
    """Average pooling over the real (unpadded) cells of each window, as Keras does."""
    return _pool(x, pool_size, strides, padding, np.nanmean)


def lrn_divisor(a, k=2.0, n=5, alpha=1e-4, beta=0.75) -> np.ndarray:
    """The divisor of AlexNet's local response normalization, ``(k + alpha * sum a_j**2) ** beta``.

    The sum runs over the ``n`` channels centred on each channel (fewer at the first and last
    channels, as in the paper) and ``alpha`` is not divided by ``n`` (the paper's form; see
    ``cnnlib.layers.LocalResponseNormalization``). With no activity the divisor is its floor
    ``k ** beta`` (2 ** 0.75 = 1.68 with the paper's constants).

    Args:
        a: activations, channels last: ``(..., C)``.
        k, n, alpha, beta: the paper's constants (section 3.3); ``n`` odd.

    Returns:
        float array of ``a``'s shape.

    Reference: Krizhevsky et al., NIPS 2012, section 3.3.
    """
    a = np.asarray(a, dtype=np.float64)
    if not is_whole(n) or n < 1 or n % 2 == 0:
        raise ValueError(f"n must be an odd number of channels (the window is centred on each channel), got {n!r}.")
    if a.ndim == 0:
        raise ValueError("expected activations with a channel axis (..., C), got a single number.")
    half = int(n) // 2
    squares = a**2
    # Channel i sums the squares of channels i - n//2 ... i + n//2 that exist.
    sums = np.stack([squares[..., max(0, i - half) : i + half + 1].sum(axis=-1) for i in range(a.shape[-1])], axis=-1)
    return (k + alpha * sums) ** beta


def lrn(a, k=2.0, n=5, alpha=1e-4, beta=0.75) -> np.ndarray:
    """AlexNet's local response normalization across channels: ``a / lrn_divisor(a, ...)``."""
    return np.asarray(a, dtype=np.float64) / lrn_divisor(a, k, n, alpha, beta)


def batch_norm(x, mean, variance, gamma=1.0, beta=0.0, epsilon=1e-3) -> np.ndarray:
    """Batch normalization of channels-last activations: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    In training, ``mean`` and ``variance`` are the batch's own, per channel over the batch and every position
    (``batch_statistics``), so each channel leaves with mean ``beta`` and standard deviation close to ``gamma``; at
    inference they are the running averages the layer kept during training, so an image's output no longer
    depends on the other images of its batch. ``epsilon`` is Keras' default.

    Reference: Ioffe & Szegedy, "Batch Normalization", ICML 2015, Algorithm 1 (training) and 2 (inference).
    """
    x = np.asarray(x, dtype=np.float64)
    return gamma * (x - mean) / np.sqrt(np.asarray(variance, dtype=np.float64) + epsilon) + beta


def batch_statistics(x) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's mean and (biased) variance over every axis but the last: what batch normalization uses in
    training, for a batch ``(N, H, W, C)`` of activations."""
    x = np.asarray(x, dtype=np.float64)
    axes = tuple(range(x.ndim - 1))
    return x.mean(axis=axes), x.var(axis=axes)


# The Keras layers these operations are checked against. Keras' Conv2D knows only "valid" and "same"; "full" and
# arbitrary padding are a ZeroPadding2D in front of a valid convolution, which is what they mean.


def keras_conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """Run ``keras.layers.Conv2D`` with the given weights; same arguments as ``ops.conv2d``."""
    import keras

    # float64 throughout, so that a comparison measures the algorithm, not float32 rounding.
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw, _, filters = kernel.shape
    layers = []
    mode = padding if isinstance(padding, str) and padding in ("valid", "same") else "valid"
    if mode == "valid" and padding != "valid":
        (sh, sw), (dh, dw) = pair(strides, "strides"), pair(dilation_rate, "dilation_rate")
        ph = conv_padding(x.shape[1], kh, sh, padding, dh)
        pw = conv_padding(x.shape[2], kw, sw, padding, dw)
        layers.append(keras.layers.ZeroPadding2D((tuple(ph), tuple(pw)), dtype="float64"))
    conv = keras.layers.Conv2D(
        filters,
        (kh, kw),
        strides=strides,
        padding=mode,
        dilation_rate=dilation_rate,
        use_bias=bias is not None,
        dtype="float64",
    )
    layers.append(conv)
    conv.build(x.shape if len(layers) == 1 else layers[0].compute_output_shape(x.shape))
    conv.set_weights([kernel] + ([np.asarray(bias, dtype=np.float64)] if bias is not None else []))
    y = x
    for layer in layers:
        y = layer(y)
    return keras.ops.convert_to_numpy(y)


def keras_pool2d(x, pool_size=2, strides=None, padding="valid", mode="max") -> np.ndarray:
    """Run ``keras.layers.MaxPooling2D`` or ``AveragePooling2D``."""
    import keras

    cls = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}[mode]
    layer = cls(pool_size=pool_size, strides=strides, padding=padding, dtype="float64")
    return keras.ops.convert_to_numpy(layer(np.asarray(x, dtype=np.float64)))


def rel_error(a, b) -> float:
    """Largest relative difference, as in cs231n: ``max |a-b| / max(1e-8, |a| + |b|)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}.")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))

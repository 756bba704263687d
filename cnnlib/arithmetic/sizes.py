"""Output sizes and padding of convolution and pooling, with Keras semantics.

Every drawing, widget and test in cnnlib asks these functions; nothing else in the
package re-derives a size. Pure Python: no TensorFlow, no NumPy.

Reference: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
learning", arXiv:1603.07285 (2016).
"""

from __future__ import annotations

from typing import NamedTuple


class Padding(NamedTuple):
    """Zeros added before and after one spatial axis."""

    before: int
    after: int


def _positive_int(value, what: str) -> int:
    if not is_whole(value):
        raise ValueError(f"{what} must be a whole number, got {value!r}.")
    value = int(value)
    if value < 1:
        raise ValueError(f"{what} must be at least 1, got {value}.")
    return value


def is_whole(value) -> bool:
    """A whole number: a Python or NumPy integer, or a float without a fraction (2.0); never a bool or
    a string. The one meaning of "whole number" in cnnlib; convert with ``int()`` before giving it to Keras."""
    if isinstance(value, (bool, str)):
        return False
    try:
        return float(value).is_integer()
    except (TypeError, ValueError):
        return False


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Extent of a dilated kernel: ``dilation * (kernel - 1) + 1`` input cells."""
    kernel = _positive_int(kernel, "kernel size")
    dilation = _positive_int(dilation, "dilation")
    return dilation * (kernel - 1) + 1


def conv_padding(size: int, kernel: int, stride: int = 1, padding="valid", dilation: int = 1) -> Padding:
    """Zeros added on each side of one axis for a convolution.

    Args:
        size: input length along the axis.
        kernel: kernel length.
        stride: step between windows.
        padding: ``"valid"`` (none), ``"same"`` (Keras/TensorFlow: output ``ceil(size / stride)``,
            the odd zero goes after), ``"full"`` (``kernel - 1`` on both sides) or an int
            (that many zeros on both sides).
        dilation: spacing between kernel taps.

    Returns:
        ``Padding(before, after)``.
    """
    size = _positive_int(size, "input size")
    stride = _positive_int(stride, "stride")
    k = effective_kernel(kernel, dilation)
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return Padding(0, 0)
        if mode == "full":
            return Padding(k - 1, k - 1)
        if mode == "same":
            out = -(-size // stride)
            total = max((out - 1) * stride + k - size, 0)
            return Padding(total // 2, total - total // 2)
        raise ValueError(f"padding {padding!r} is not known: use 'valid', 'same', 'full' or a number of zeros.")
    if isinstance(padding, bool) or not is_whole(padding) or int(padding) < 0:
        raise ValueError(f"padding must be 'valid', 'same', 'full' or a whole number of zeros >= 0, got {padding!r}.")
    return Padding(int(padding), int(padding))


def conv_output_size(size: int, kernel: int, stride: int = 1, padding="valid", dilation: int = 1) -> int:
    """Output length of a convolution along one axis.

    ``floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1``, which for
    ``"same"`` equals ``ceil(size / stride)`` as in Keras.

    Raises:
        ValueError: when the (dilated) kernel does not fit in the padded input, or an argument
            is not a positive whole number.
    """
    pad = conv_padding(size, kernel, stride, padding, dilation)
    k = effective_kernel(kernel, dilation)
    padded = size + pad.before + pad.after
    if k > padded:
        what = f"kernel {kernel}" if dilation == 1 else f"kernel {kernel} with dilation {dilation} (spans {k})"
        where = "the input" if padded == size else "the padded input"
        raise ValueError(f"{what} is larger than {where} {padded}: no window fits.")
    return (padded - k) // stride + 1


def pool_output_size(size: int, pool: int, stride: int | None = None, padding="valid") -> int:
    """Output length of max or average pooling along one axis (Keras semantics).

    The stride defaults to the pool size, as in ``keras.layers.MaxPooling2D``. Pooling accepts
    only ``"valid"`` and ``"same"`` padding.
    """
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"pooling padding must be 'valid' or 'same', got {padding!r}.")
    stride = pool if stride is None else stride
    try:
        return conv_output_size(size, pool, stride, padding)
    except ValueError as err:
        raise ValueError(str(err).replace("kernel", "pool window")) from None


def window_starts(size: int, kernel: int, stride: int = 1, padding="valid", dilation: int = 1) -> list[int]:
    """First input index (in unpadded coordinates, may be negative) of every window."""
    out = conv_output_size(size, kernel, stride, padding, dilation)
    before = conv_padding(size, kernel, stride, padding, dilation).before
    return [i * stride - before for i in range(out)]


def conv_params(kernel, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Learned parameters of a 2D convolution: one kernel per filter, shared over positions."""
    kh, kw = pair(kernel, "kernel")
    return filters * (kh * kw * _positive_int(in_channels, "input channels") + int(use_bias))


def conv_connections(kernel, in_channels: int, filters: int, output_hw, use_bias: bool = True) -> int:
    """Connections (weight uses) of a 2D convolution: parameters times output positions.

    LeNet's C1 (6 filters 5x5 on 1 channel, 28x28 output) has 156 parameters and
    156 * 28 * 28 = 122,304 connections; weight sharing is the ratio between the two.
    """
    oh, ow = pair(output_hw, "output size")
    return conv_params(kernel, in_channels, filters, use_bias) * oh * ow


def dense_params(inputs: int, units: int, use_bias: bool = True) -> int:
    """Parameters of a fully connected layer."""
    return _positive_int(units, "units") * (_positive_int(inputs, "inputs") + int(use_bias))


def conv_macs(kernel, in_channels: int, filters: int, output_hw) -> int:
    """Multiply-adds of a 2D convolution for one input (bias additions not counted)."""
    kh, kw = pair(kernel, "kernel")
    oh, ow = pair(output_hw, "output size")
    return kh * kw * in_channels * filters * oh * ow


def pair(value, what: str = "size") -> tuple[int, int]:
    """``(height, width)`` from one whole number or a pair of them (NumPy integers welcome), checked:
    the one place that reads Keras-style ``kernel_size``, ``strides``, ``pool_size`` arguments."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{what} must be one number or a pair (height, width), got {value!r}.")
        return _positive_int(value[0], f"{what} (height)"), _positive_int(value[1], f"{what} (width)")
    v = _positive_int(value, what)
    return v, v


def explain_conv_output_size(size: int, kernel: int, stride: int = 1, padding="valid", dilation: int = 1) -> str:
    """The output-size formula with this case's numbers filled in, for diagrams and widgets.

    Example: ``"o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3"``.
    """
    out = conv_output_size(size, kernel, stride, padding, dilation)
    pad = conv_padding(size, kernel, stride, padding, dilation)
    k = effective_kernel(kernel, dilation)
    k_text = f"{dilation}·({kernel} − 1) + 1" if dilation > 1 else f"{kernel}"
    pad_text = f" + {pad.before} + {pad.after}" if pad.before or pad.after else ""
    body = f"({size}{pad_text} − {k_text if dilation == 1 else k})"
    return f"o = ⌊{body} / {stride}⌋ + 1 = {out}" if stride > 1 else f"o = {body} + 1 = {out}"

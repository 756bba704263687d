"""Parameters and multiply-adds of residual blocks and of their shortcuts (He et al., 2016).

The counts follow ``cnnlib.models.resnet``: every convolution is followed by a batch
normalization, whose four numbers per channel (scale, offset, moving mean, moving variance) Keras'
``count_params`` counts — two of them trained. Reference: K. He, X. Zhang, S. Ren, J. Sun, "Deep
Residual Learning for Image Recognition", CVPR 2016, section 3.3 (shortcut options A, B, C) and
Figure 5 (basic and bottleneck blocks).
"""

from __future__ import annotations

from cnnlib.arithmetic.sizes import _positive_int, conv_macs, conv_params

__all__ = [
    "basic_block_params",
    "block_macs",
    "bn_params",
    "bottleneck_block_params",
    "projection_params",
    "shortcut_params",
]


def bn_params(channels: int) -> int:
    """A batch normalization's numbers: scale and offset (trained), moving mean and variance."""
    return 4 * _positive_int(channels, "channels")


def projection_params(in_channels: int, out_channels: int, use_bias: bool = False) -> int:
    """A projection shortcut (option B or C): a 1 x 1 convolution and its batch normalization."""
    return conv_params(1, in_channels, out_channels, use_bias) + bn_params(out_channels)


def basic_block_params(in_channels: int, filters: int, projection: bool = False, use_bias: bool = False) -> int:
    """Two 3 x 3 convolutions with batch normalization (Figure 5, left), plus a projection shortcut.

    ``use_bias=False`` is the torchvision / CIFAR layout of ``cnnlib.models.resnet.basic_block``.
    """
    total = conv_params(3, in_channels, filters, use_bias) + conv_params(3, filters, filters, use_bias)
    total += 2 * bn_params(filters)
    return total + (projection_params(in_channels, filters, use_bias) if projection else 0)


def bottleneck_block_params(in_channels: int, filters: int, projection: bool = True, use_bias: bool = True) -> int:
    """1 x 1 to ``filters``, 3 x 3, 1 x 1 to ``4 * filters`` (Figure 5, right), plus a projection.

    ``use_bias=True`` is keras.applications' layout of ``cnnlib.models.resnet.bottleneck_block``.
    """
    out = 4 * filters
    total = conv_params(1, in_channels, filters, use_bias) + conv_params(3, filters, filters, use_bias)
    total += conv_params(1, filters, out, use_bias) + 2 * bn_params(filters) + bn_params(out)
    return total + (projection_params(in_channels, out, use_bias) if projection else 0)


def block_macs(kind: str, in_channels: int, filters: int, output_hw, projection: bool = False) -> int:
    """Multiply-adds of one ``"basic"`` or ``"bottleneck"`` block for one image, at its output size.

    Args:
        kind: ``"basic"`` (two 3 x 3) or ``"bottleneck"`` (1 x 1, 3 x 3, 1 x 1 to ``4 * filters``).
        in_channels, filters: as in the block builders.
        output_hw: the block's output size (an int for a square map, or ``(height, width)``).
        projection: count a 1 x 1 projection shortcut too.
    """
    if kind == "basic":
        out = filters
        total = conv_macs(3, in_channels, filters, output_hw) + conv_macs(3, filters, filters, output_hw)
    elif kind == "bottleneck":
        out = 4 * filters
        total = conv_macs(1, in_channels, filters, output_hw) + conv_macs(3, filters, filters, output_hw)
        total += conv_macs(1, filters, out, output_hw)
    else:
        raise ValueError(f"kind must be 'basic' or 'bottleneck', got {kind!r}.")
    return total + (conv_macs(1, in_channels, out, output_hw) if projection else 0)


def shortcut_params(stages, option: str, use_bias: bool = False) -> int:
    """Parameters in the shortcuts of a network of basic blocks, for the paper's option A, B or C.

    Args:
        stages: ``(in_channels, filters, blocks, stride)`` per stage, e.g. ResNet-34's
            ``[(64, 64, 3, 1), (64, 128, 4, 2), (128, 256, 6, 2), (256, 512, 3, 2)]``.
        option: ``"A"``: zero-padding where the shape changes, identity elsewhere (no parameters);
            ``"B"``: a projection where the shape changes, identity elsewhere; ``"C"``: a projection
            in every block.
        use_bias: biases in the projections' convolutions.
    """
    if option not in ("A", "B", "C"):
        raise ValueError(f"option must be 'A', 'B' or 'C' (the paper's section 3.3), got {option!r}.")
    total = 0
    for in_channels, filters, blocks, stride in stages:
        changes = stride != 1 or in_channels != filters
        if option == "B" and changes or option == "C":
            total += projection_params(in_channels, filters, use_bias)
        if option == "C":
            total += (blocks - 1) * projection_params(filters, filters, use_bias)
    return total

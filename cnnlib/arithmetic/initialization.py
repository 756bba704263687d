"""How an initialization scales the signal a ReLU network passes on (He et al., 2015, section 2.2)."""

from __future__ import annotations

import math

__all__ = ["relu_gain"]


def relu_gain(std: float, kernel, in_channels: int) -> float:
    """The factor by which a ReLU layer with weights of standard deviation ``std`` multiplies the
    spread of the signal it passes on: ``std * sqrt(n / 2)``, with ``n = kernel_h * kernel_w *
    in_channels`` inputs per unit (He et al., 2015, eq. 10; the ReLU keeps half the variance).

    1 for He's initialization; 0.17 for the N(0, 0.01) of VGG's paper on a 3 x 3 layer with 64
    input channels. A product of such factors over the layers is what reaches the output.
    """
    from cnnlib.arithmetic.sizes import is_whole, pair

    kh, kw = pair(kernel, "kernel")
    if not std > 0 or not is_whole(in_channels) or in_channels < 1:
        raise ValueError(
            f"std must be positive and in_channels a whole number of channels, got {std!r} and {in_channels!r}."
        )
    return float(std * math.sqrt(kh * kw * in_channels / 2))

"""Parameters and multiply-adds of an Inception module, with and without its 1 x 1 reductions.

A module is given by the six widths of the GoogLeNet paper's Table 1 (``#1x1, #3x3 reduce,
#3x3, #5x5 reduce, #5x5, pool proj``), as in ``cnnlib.models.INCEPTION_CONFIGS``. Every
convolution in a module has stride 1 and keeps the input's height and width, so its
multiply-adds are its weights (without biases) times the number of positions.

Reference: C. Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, Figure 2: (a) the
naive module, 1 x 1, 3 x 3 and 5 x 5 convolutions and a 3 x 3 max pooling side by side on the
input; (b) the module with dimension reductions, a 1 x 1 convolution before the 3 x 3 and the
5 x 5 and after the pooling.
"""

from __future__ import annotations

from typing import NamedTuple

from cnnlib.arithmetic.sizes import conv_macs, conv_params, is_whole

__all__ = ["ReductionSavings", "inception_branches", "inception_params", "inception_width", "reduction_savings"]

_NAMES = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


def _config(config) -> tuple[int, ...]:
    try:
        widths = tuple(config)
    except TypeError:
        widths = ()
    if len(widths) != 6 or not all(is_whole(w) and w > 0 for w in widths):
        raise ValueError(
            "an Inception configuration is six positive whole numbers (#1x1, #3x3 reduce, #3x3, "
            f"#5x5 reduce, #5x5, pool proj), e.g. (64, 96, 128, 16, 32, 32); got {config!r}."
        )
    return tuple(int(w) for w in widths)


def _channels(in_channels) -> int:
    if not is_whole(in_channels) or in_channels < 1:
        raise ValueError(f"in_channels must be a positive whole number, got {in_channels!r}.")
    return int(in_channels)


def inception_branches(config, in_channels: int) -> list[tuple[str, int, int, int]]:
    """The six convolutions of the module of Figure 2(b) as ``(name, kernel, in, out)``,
    named as in ``cnnlib.models.inception_block`` (``1x1``, ``3x3_reduce``, ...)."""
    c1, c3r, c3, c5r, c5, pp = _config(config)
    cin = _channels(in_channels)
    return [
        ("1x1", 1, cin, c1),
        ("3x3_reduce", 1, cin, c3r),
        ("3x3", 3, c3r, c3),
        ("5x5_reduce", 1, cin, c5r),
        ("5x5", 5, c5r, c5),
        ("pool_proj", 1, cin, pp),
    ]


def inception_width(config) -> int:
    """Channels of the module's output: the four branches concatenated, ``#1x1 + #3x3 + #5x5 + pool proj``."""
    c1, _, c3, _, c5, pp = _config(config)
    return c1 + c3 + c5 + pp


def inception_params(config, in_channels: int, use_bias: bool = True) -> int:
    """Weights of the module of Figure 2(b) on ``in_channels`` input channels (as ``count_params``)."""
    return sum(conv_params(k, cin, cout, use_bias) for _, k, cin, cout in inception_branches(config, in_channels))


class ReductionSavings(NamedTuple):
    """What the 1 x 1 reductions change in one module (:func:`reduction_savings`)."""

    naive_weights: int
    reduced_weights: int
    naive_macs: int | None
    reduced_macs: int | None
    naive_channels: int
    reduced_channels: int

    @property
    def weight_share(self) -> float:
        """Reduced weights as a share of the naive module's (the notes: "about one third")."""
        return self.reduced_weights / self.naive_weights

    @property
    def macs_share(self) -> float | None:
        """Reduced multiply-adds as a share of the naive module's; None without a size."""
        if self.naive_macs is None:
            return None
        return self.reduced_macs / self.naive_macs


def reduction_savings(config, in_channels: int, size: int | None = None, pool_proj: bool = False) -> ReductionSavings:
    """Weights (without biases) and multiply-adds of the naive module against the reduced one.

    The naive module (Figure 2a) applies the 1 x 1, 3 x 3 and 5 x 5 convolutions to all
    ``in_channels`` and passes the pooled input through; the reduced module (Figure 2b) puts
    ``#3x3 reduce`` and ``#5x5 reduce`` 1 x 1 convolutions before the 3 x 3 and the 5 x 5.

    Args:
        config: the six Table 1 widths.
        in_channels: channels of the module's input (192 for inception 3a).
        size: height (= width) of the input map, for the multiply-adds; None to skip them.
        pool_proj: also count the pooling branch's 1 x 1 projection of the reduced module (the
            naive module has none). False compares what the notes compare: the three
            convolution branches only.
    """
    c1, c3r, c3, c5r, c5, pp = _config(config)
    cin = _channels(in_channels)
    naive = [(1, cin, c1), (3, cin, c3), (5, cin, c5)]
    reduced = [(1, cin, c1), (1, cin, c3r), (3, c3r, c3), (1, cin, c5r), (5, c5r, c5)]
    if pool_proj:
        reduced.append((1, cin, pp))
    if size is not None and (not is_whole(size) or size < 1):
        raise ValueError(f"size must be a positive whole number of pixels, or None; got {size!r}.")

    def weights(convs):
        return sum(conv_params(k, i, o, use_bias=False) for k, i, o in convs)

    def macs(convs):
        return None if size is None else sum(conv_macs(k, i, o, size) for k, i, o in convs)

    return ReductionSavings(
        naive_weights=weights(naive),
        reduced_weights=weights(reduced),
        naive_macs=macs(naive),
        reduced_macs=macs(reduced),
        naive_channels=c1 + c3 + c5 + cin,
        reduced_channels=c1 + c3 + c5 + pp,
    )

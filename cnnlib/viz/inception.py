"""The Inception module drawn as the GoogLeNet paper's Figure 2: four branches between the
previous layer (bottom) and the filter concatenation (top), each box with its filters and its
weights, computed by ``cnnlib.arithmetic``.

Reference: C. Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, Figure 2 (a) the
naive module and (b) the module with dimension reductions.
"""

from __future__ import annotations

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cnnlib.arithmetic.inception import inception_branches, inception_width
from cnnlib.arithmetic.sizes import conv_params
from cnnlib.viz._figure import new_axes

__all__ = ["draw_inception_module", "inception_boxes"]

_COLORS = {"1x1": "#fff2b2", "conv": "#9ecae1", "pool": "#fdae6b", "io": "#d9d9d9"}
_BOX_W, _BOX_H = 0.86, 0.62


def inception_boxes(config, in_channels: int, naive: bool = False):
    """What the drawing shows, as data: for each of the four branches, its boxes from the input
    up, each ``(text, kind, weights)`` with kind ``"1x1"``, ``"conv"`` (3 x 3 or 5 x 5) or ``"pool"``."""
    convs = {name: (k, cin, cout) for name, k, cin, cout in inception_branches(config, in_channels)}

    def conv(name, label=""):
        k, cin, cout = convs[name]
        if naive:
            cin = in_channels
        # Coloured as the paper's Figure 2: every 1 x 1 convolution yellow.
        return (f"{k}x{k} conv, {cout}\n{label}", "1x1" if k == 1 else "conv", conv_params(k, cin, cout))

    pool = ("3x3 max pool\nstride 1", "pool", 0)
    if naive:
        return [[conv("1x1")], [conv("3x3")], [conv("5x5")], [pool]]
    return [
        [conv("1x1", "#1x1")],
        [conv("3x3_reduce", "#3x3 reduce"), conv("3x3", "#3x3")],
        [conv("5x5_reduce", "#5x5 reduce"), conv("5x5", "#5x5")],
        [pool, conv("pool_proj", "pool proj")],
    ]


def _box(ax, x, y, text, color, fontsize, weights=None, width=_BOX_W):
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - _BOX_H / 2),
            width,
            _BOX_H,
            boxstyle="round,pad=0.02",
            facecolor=color,
            edgecolor="#444444",
            lw=1,
        )
    )
    body = text.rstrip("\n")
    if weights is not None:
        body += f"\n{weights:,} weights" if weights else "\nno weights"
    ax.text(x, y, body, ha="center", va="center", fontsize=fontsize, linespacing=1.15)


def _arrow(ax, start, end):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="->", mutation_scale=10, color="#555555", lw=1))


def draw_inception_module(
    config,
    in_channels: int,
    size: int | None = None,
    naive: bool = False,
    ax=None,
    title: str | None = None,
    fontsize: float = 9,
):
    """Draw one Inception module with its widths and weights (biases included).

    Args:
        config: the six Table 1 widths, e.g. ``INCEPTION_CONFIGS["3a"]``.
        in_channels: channels of the module's input (192 for inception 3a).
        size: side of the input map, shown in the input and output boxes; None to leave it out.
        naive: draw Figure 2(a), the module without the 1 x 1 reductions (its pooling branch
            passes all input channels on).
        ax: axes to draw into; a new figure (about 7 x 4.6 inches) when None.
        title: title over the drawing (the module's total weights are added under it); default
            names the figure of the paper.
        fontsize: text size in points (at least 9 for the notebooks).

    Returns:
        The matplotlib Figure.
    """
    branches = inception_boxes(config, in_channels, naive)
    fig, ax = new_axes(ax, figsize=(7.2, 4.8))
    side = "" if size is None else f"{size}x{size}x"
    c1, _, c3, _, c5, _ = config
    # The naive module's pooling branch passes all the input's channels on.
    out_channels = c1 + c3 + c5 + in_channels if naive else inception_width(config)
    total = sum(weights for branch in branches for _, _, weights in branch)

    top_y = 3.0
    _box(ax, 1.5, 0.0, f"previous layer\n{side}{in_channels}", _COLORS["io"], fontsize, width=2.6)
    _box(ax, 1.5, top_y, f"filter concatenation\n{side}{out_channels}", _COLORS["io"], fontsize, width=2.6)
    for col, branch in enumerate(branches):
        # A one-box branch sits in the upper row, next to the second box of the others.
        rows = [2.0] if len(branch) == 1 else [1.0, 2.0]
        _arrow(ax, (1.5 + (col - 1.5) * 0.35, _BOX_H / 2), (col, rows[0] - _BOX_H / 2 - 0.02))
        for (text, kind, weights), y in zip(branch, rows, strict=True):
            _box(ax, col, y, text, _COLORS[kind], fontsize, weights if kind != "pool" else None)
        if len(rows) == 2:
            _arrow(ax, (col, rows[0] + _BOX_H / 2), (col, rows[1] - _BOX_H / 2 - 0.02))
        _arrow(ax, (col, rows[-1] + _BOX_H / 2), (1.5 + (col - 1.5) * 0.35, top_y - _BOX_H / 2 - 0.02))
    ax.set_xlim(-0.55, 3.55)
    ax.set_ylim(-0.45, top_y + 0.45)
    ax.axis("off")
    if title is None:
        title = "naive Inception module (Fig. 2a)" if naive else "Inception module with 1x1 reductions (Fig. 2b)"
    ax.set_title(f"{title}\n{total:,} weights (biases included)", fontsize=fontsize + 1)
    return fig

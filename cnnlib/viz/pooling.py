"""Pooling drawn on a real feature map: the windows over the map, and the pooled result."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from cnnlib import ops
from cnnlib.arithmetic import conv_padding, pool_output_size
from cnnlib.viz._figure import panel_axes


def draw_pooling(feature_map, pool=2, stride=None, padding="valid", mode="max", size=3.2, ax=None):
    """Two panels: the map with the first row of windows outlined, and the pooled map.

    Args:
        size: inches per panel of a new figure.
        ax: where to draw: None for a new figure; a ``Figure`` or ``SubFigure`` (e.g. one of
            ``fig.subfigures()``) to put the two panels side by side in; or two axes, the map's
            and the pooled map's (e.g. ``fig.subplots(1, 2)``).

    Returns:
        The Figure.

    Raises:
        ValueError: for an impossible setting (from ``cnnlib.arithmetic``).
    """
    fmap = np.asarray(feature_map, dtype=np.float64)
    if fmap.ndim != 2:
        raise ValueError(f"expected one 2D feature map, got shape {fmap.shape}.")
    stride = stride or pool
    op = {"max": ops.max_pool2d, "avg": ops.avg_pool2d}.get(mode)
    if op is None:
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}.")
    out_w = pool_output_size(fmap.shape[1], pool, stride, padding)
    pooled = op(fmap, pool, stride, padding)[0, :, :, 0]
    before = conv_padding(fmap.shape[1], pool, stride, padding).before

    fig, _, (left, right) = panel_axes(ax, 1, 2, figsize=(2 * size, size))
    vmin, vmax = float(fmap.min()), float(fmap.max())
    left.imshow(fmap, cmap="magma", vmin=vmin, vmax=vmax, interpolation="nearest")
    for j in range(min(out_w, 4)):  # the first few windows of the first row: overlap is visible
        x0 = j * stride - before - 0.5
        left.add_patch(
            Rectangle((x0, -before - 0.5), pool, pool, fill=False, edgecolor=["#41ab5d", "#9ecae1"][j % 2], lw=2)
        )
    left.set_title(f"feature map {fmap.shape[0]}×{fmap.shape[1]}", fontsize=9)
    right.imshow(pooled, cmap="magma", vmin=vmin, vmax=vmax, interpolation="nearest")
    right.set_title(f"{mode} pooled {pooled.shape[0]}×{pooled.shape[1]}", fontsize=9)
    for panel in (left, right):
        panel.axis("off")
    return fig

"""DenseNet drawings: what each layer of a dense block reads, and the feature-reuse heat map.

Reference: G. Huang et al., "Densely Connected Convolutional Networks", CVPR 2017, Figure 1
(a dense block) and Figure 5 (average absolute weights within the dense blocks).
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

from cnnlib.arithmetic.sizes import is_whole
from cnnlib.viz._figure import new_axes

__all__ = ["dense_block_inputs", "draw_dense_block", "draw_feature_reuse"]


def dense_block_inputs(in_channels: int, growth_rate: int, layers: int) -> list[list[int]]:
    """What each layer of a dense block reads, as data: for layer ``l``, the channels of
    ``[input, layer 1, ..., layer l-1]``; the last row is the block's output."""
    for value, what in ((in_channels, "in_channels"), (growth_rate, "growth_rate"), (layers, "layers")):
        if not is_whole(value) or value < 1:
            raise ValueError(f"{what} must be a whole number >= 1, got {value!r}.")
    return [[int(in_channels)] + [int(growth_rate)] * i for i in range(int(layers) + 1)]


def draw_dense_block(in_channels: int, growth_rate: int, layers: int, bottleneck: bool = True, ax=None, title=None):
    """One bar per layer of a dense block: the channels it reads, coloured by the layer that made them.

    Args:
        in_channels: channels of the block's input (``k_0``).
        growth_rate: ``k``, the channels each layer adds.
        layers: dense layers in the block.
        bottleneck: write the 1 x 1 bottleneck's width (4k) beside each layer (DenseNet-B/BC).
        ax: axes to draw on; default a new figure.
        title: the figure's title.
    """
    rows = dense_block_inputs(in_channels, growth_rate, layers)
    fig, ax = new_axes(ax, figsize=(10, 0.42 * len(rows) + 1.4))
    cmap = colormaps["tab20"]
    total = sum(rows[-1])
    for r, parts in enumerate(rows):
        y = len(rows) - 1 - r
        left = 0
        for s, width in enumerate(parts):
            color = "#bdbdbd" if s == 0 else cmap((s - 1) % 20)
            ax.barh(y, width, left=left, height=0.7, color=color, edgecolor="white", linewidth=0.8)
            left += width
        reads = sum(parts)
        if r < layers:
            note = f"layer {r + 1} reads {reads}" + (f" -> 1x1 conv {4 * growth_rate} -> 3x3 conv {growth_rate}"
                                                     if bottleneck else f" -> 3x3 conv {growth_rate}")  # fmt: skip
        else:
            note = f"block output: {reads} = {in_channels} + {layers} x {growth_rate}"
        ax.text(reads + total * 0.01, y, note, va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [f"layer {r + 1}" if r < layers else "output" for r in range(len(rows))][::-1])
    ax.set_xlim(0, total * 1.75)
    ax.set_xlabel("input channels, coloured by the layer that produced them (grey: the block's input)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"A dense block: k0 = {in_channels}, growth rate k = {growth_rate}, {layers} layers")
    return fig


def draw_feature_reuse(reuse, ax=None, title=None, vmax=None):
    """The paper's Figure 5 for one block: mean absolute weight from each source (x) to each layer (y).

    Args:
        reuse: a :class:`cnnlib.experiments.feature_reuse.FeatureReuse`.
        ax: axes to draw on; default a new figure.
        title: the panel's title; default names the block.
        vmax: top of the colour scale (share one scale between panels); default the map's maximum.
    """
    fig, ax = new_axes(ax, figsize=(5, 4.2))
    weights = np.ma.masked_invalid(reuse.weights)
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=vmax if vmax is not None else float(weights.max()))
    ax.set_xticks(range(len(reuse.sources)), [s.replace("layer ", "") for s in reuse.sources], fontsize=9)
    ax.set_yticks(range(len(reuse.targets)), [t.replace("layer ", "") for t in reuse.targets], fontsize=9)
    ax.set_xlabel("source: input, layer s")
    ax.set_ylabel("target layer l")
    ax.set_title(title or f"dense block conv{reuse.block}")
    fig.colorbar(image, ax=ax, shrink=0.85, label="mean |weight|")
    return fig

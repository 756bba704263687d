"""Architecture diagrams: each layer's output drawn to scale, left to right.

Feature maps are stacks of sheets whose side grows with the spatial size and whose number
grows with the channels (log scale); dense layers are bars. Sizes come from the built model,
so the picture cannot disagree with ``model.summary()``.
"""

from __future__ import annotations

import math

from matplotlib.patches import FancyArrowPatch, Rectangle

from cnnlib.viz._figure import new_axes

_SKIP = {"Flatten", "Dropout", "Activation", "BatchNormalization", "ReLU", "Rescaling", "ZeroPadding2D"}
_COLORS = {"conv": "#9ecae1", "pool": "#fdae6b", "input": "#d9d9d9", "dense": "#a1d99b", "other": "#dadaeb"}


def _kind(layer) -> str:
    name = type(layer).__name__
    if name == "InputLayer":
        return "input"
    if "Conv" in name:
        return "conv"
    if "Pool" in name:
        return "pool"
    if name == "Dense":
        return "dense"
    return "other"


def architecture_rows(model):
    """``(label, kind, output shape without batch)`` for the layers a diagram shows."""
    rows = []
    for layer in model.layers:
        if type(layer).__name__ in _SKIP:
            continue
        shape = tuple(layer.output.shape[1:])
        rows.append((layer.name, _kind(layer), shape))
    return rows


def draw_architecture(model, ax=None, title=None, max_sheets: int = 8):
    """Draw ``model`` as a row of feature-map stacks and dense bars, labelled with their shapes."""
    rows = architecture_rows(model)
    fig, ax = new_axes(ax, figsize=(1.25 * len(rows) + 0.5, 3.4))
    biggest = max((s[0] for _, _, s in rows if len(s) == 3), default=1)
    x = 0.0
    for i, (name, kind, shape) in enumerate(rows):
        color = _COLORS[kind]
        if len(shape) == 3:
            h, w, c = shape
            side = 0.4 + 1.6 * math.sqrt(h / biggest)
            sheets = max(1, min(max_sheets, round(math.log2(c + 1))))
            for k in range(sheets):
                ax.add_patch(Rectangle((x + 0.07 * k, 0.07 * k - side / 2), side * w / h, side,
                                       facecolor=color, edgecolor="#444444", lw=0.8))
            width = side * w / h + 0.07 * sheets
            text = f"{c}@{h}×{w}"
        else:
            units = shape[-1]
            height = 0.4 + 0.35 * math.log10(units + 1)
            ax.add_patch(Rectangle((x, -height / 2), 0.18, height, facecolor=color, edgecolor="#444444", lw=0.8))
            width = 0.18
            text = f"{units}"
        ax.text(x + width / 2, -1.35, f"{name}\n{text}", ha="center", va="top", fontsize=7)
        if i:
            arrow = FancyArrowPatch((x - 0.45, 0), (x - 0.08, 0), arrowstyle="->", mutation_scale=8, color="#666666")
            ax.add_patch(arrow)
        x += width + 0.55
    ax.set_xlim(-0.2, x)
    ax.set_ylim(-2.1, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return fig

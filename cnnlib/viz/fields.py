"""Receptive fields drawn: on the input image, and growing layer by layer."""

from __future__ import annotations

from matplotlib.patches import Rectangle

from cnnlib.viz._figure import new_axes


def draw_receptive_field(image, row, ax=None, title=None, color="#e6550d"):
    """Outline, on the input image, what the central unit of a layer sees.

    Args:
        image: 2D array (the input).
        row: a ``cnnlib.arithmetic.FieldRow`` (from ``receptive_field``) for the layer.
        ax: axes to draw into; a new figure otherwise.
    """
    fig, ax = new_axes(ax, figsize=(3, 3))
    ax.imshow(image, cmap="gray", interpolation="nearest")
    center_unit = (row.size - 1) // 2
    center = row.start + center_unit * row.jump  # input coordinate of that unit's centre
    half = row.field / 2
    h, w = image.shape[:2]
    ax.add_patch(Rectangle((center - half, center - half), row.field, row.field, fill=False, edgecolor=color, lw=2.5))
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    share = min(row.field, w) / w
    ax.set_title(title or f"{row.name}: {row.field}×{row.field} ({share:.0%} of the width)", fontsize=9)
    ax.axis("off")
    return fig


def plot_field_growth(tables: dict, ax=None):
    """Receptive field against depth for several networks (``{label: receptive_field rows}``)."""
    fig, ax = new_axes(ax, figsize=(6, 3.2))
    for label, rows in tables.items():
        ax.plot(range(len(rows)), [r.field for r in rows], marker="o", label=label)
        for k, r in enumerate(rows):
            ax.annotate(r.name, (k, r.field), textcoords="offset points", xytext=(3, 4), fontsize=7)
    ax.set_xlabel("layer (0 = input)")
    ax.set_ylabel("receptive field (pixels)")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig

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


def plot_field_growth(tables: dict, ax=None, fontsize: float = 9):
    """Receptive field against depth for several networks (``{label: receptive_field rows}``).

    Each point is labelled with its layer's name, inside the axes: where two networks meet at one
    depth the higher point is labelled above and to the left, the lower one below and to the right
    (the curves rise, so those corners are free), and a layer both networks share is named once.
    """
    fig, ax = new_axes(ax, figsize=(6, 3.2))
    points = {}  # (depth, field) -> names, in order
    for label, rows in tables.items():
        ax.plot(range(len(rows)), [r.field for r in rows], marker="o", label=label)
        for k, r in enumerate(rows):
            names = points.setdefault((k, r.field), [])
            if r.name not in names:
                names.append(r.name)
    texts = []
    for (k, field), names in points.items():
        same_depth = sorted(f for d, f in points if d == k)
        lower = len(same_depth) > 1 and field == same_depth[0]
        if lower or k == 0:  # below right: nothing there on a rising curve, and no room left of the y axis
            offset, ha, va = (4, -4), "left", "top"
        else:
            offset, ha, va = (-4, 4), "right", "bottom"
        texts.append(
            ax.annotate(
                " / ".join(names),
                (k, field),
                textcoords="offset points",
                xytext=offset,
                ha=ha,
                va=va,
                fontsize=fontsize,
            )
        )
    ax.set_xlabel("layer (0 = input)")
    ax.set_ylabel("receptive field (pixels)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=fontsize)
    _keep_inside(ax, texts)
    return fig


def _keep_inside(ax, texts, pad: float = 4.0, rounds: int = 5):
    """Widen the axes' limits until every one of ``texts`` lies inside the axes (``pad`` pixels in)."""
    fig = ax.figure
    for _ in range(rounds):
        fig.draw_without_rendering()  # runs the layout, so the extents are final
        box = ax.get_window_extent()
        extents = [t.get_window_extent() for t in texts]
        if not extents:
            return
        left = box.x0 + pad - min(e.x0 for e in extents)
        right = max(e.x1 for e in extents) - (box.x1 - pad)
        below = box.y0 + pad - min(e.y0 for e in extents)
        above = max(e.y1 for e in extents) - (box.y1 - pad)
        if max(left, right, below, above) <= 0:
            return
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        per_x, per_y = (x1 - x0) / box.width, (y1 - y0) / box.height  # data units per pixel
        # Widening shrinks the scale, so the texts (fixed in pixels) need a little more: overshoot by 20 %.
        ax.set_xlim(x0 - 1.2 * max(left, 0) * per_x, x1 + 1.2 * max(right, 0) * per_x)
        ax.set_ylim(y0 - 1.2 * max(below, 0) * per_y, y1 + 1.2 * max(above, 0) * per_y)

"""What a network looks at: guided-backprop pictures and occlusion maps (``cnnlib.experiments.saliency``)."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from cnnlib.viz._figure import figure_grid, panel_axes


def _as_picture(image):
    """``(H, W)`` or ``(H, W, 3)`` for imshow, and the keywords to show it."""
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    return img, ({"cmap": "gray"} if img.ndim == 2 else {})


def _gradient_picture(grad):
    """A gradient scaled to its own largest magnitude: zero is mid-grey (RGB) or white (one channel)."""
    g, _ = _as_picture(grad)
    m = float(np.max(np.abs(g))) or 1.0
    if g.ndim == 2:
        return g, {"cmap": "RdBu_r", "vmin": -m, "vmax": m}
    return np.clip(0.5 + 0.5 * g / m, 0.0, 1.0), {}


def draw_saliency(images, maps, titles=None, size: float = 1.8, suptitle=None, ax=None, label="guided backprop"):
    """Images (top row) over their guided-backprop pictures (bottom row).

    Each picture is scaled to its own largest value, so compare shapes and signs between panels,
    not brightness. Single-channel gradients are drawn red (positive) and blue (negative).

    Args:
        images: ``(N, H, W, C)`` inputs.
        maps: ``(N, H, W, C)`` gradients, e.g. from ``cnnlib.experiments.saliency.guided_backprop``.
        titles: optional text over each column.
        size: inches per panel of a new figure.
        suptitle: optional title over the grid (over the figure or subfigure that holds it).
        ax: where to draw: None for a new figure; a ``Figure`` or ``SubFigure`` (e.g. one of
            ``fig.subfigures()``) to lay the 2 x N grid out in; or 2N axes, the inputs' row then
            the pictures' row (e.g. ``fig.subplots(2, N)``).
        label: what the pictures' row shows, at its left.

    Returns:
        The Figure.
    """
    images, maps = np.asarray(images), np.asarray(maps)
    if images.shape != maps.shape:
        raise ValueError(f"images {images.shape} and maps {maps.shape} must have the same shape.")
    if images.ndim != 4 or not len(images):
        raise ValueError(f"pass a batch shaped (N, height, width, channels), got {images.shape}.")
    n = len(images)
    fig, holder, panels = panel_axes(ax, 2, n, figsize=(size * n + 0.4, 2 * size + (0.3 if suptitle else 0)))
    axes = np.asarray(panels, dtype=object).reshape(2, n)
    for k in range(n):
        for panel, (img, kw) in zip(axes[:, k], (_as_picture(images[k]), _gradient_picture(maps[k])), strict=True):
            panel.imshow(img, interpolation="nearest", **kw)
            panel.set_xticks([])
            panel.set_yticks([])
        if titles is not None:
            axes[0, k].set_title(str(titles[k]), fontsize=9)
    axes[0, 0].set_ylabel("input", fontsize=9)
    axes[1, 0].set_ylabel(label, fontsize=9)
    if suptitle:
        holder.suptitle(suptitle)
    return fig


def draw_occlusion(image, heat, patch: int = 8, stride: int = 4, axes=None, title=None):
    """The image beside its occlusion map, drawn in the image's pixel coordinates (paper Fig. 7).

    Each cell of the map is drawn at the centre of the square it stands for; the square whose
    covering lowers the probability most is outlined on the image.

    Args:
        image: ``(H, W, C)`` the occluded image.
        heat: ``(rows, cols)`` probabilities from ``cnnlib.experiments.saliency.occlusion_sensitivity``.
        patch: the square's side used to make ``heat``.
        stride: the step used to make ``heat``.
        axes: two axes to draw into; a new figure otherwise.
        title: optional title over both panels.
    """
    img, kw = _as_picture(image)
    heat = np.asarray(heat, dtype=np.float32)
    h, w = img.shape[:2]
    rows, cols = (h - patch) // stride + 1, (w - patch) // stride + 1
    if heat.shape != (rows, cols):
        raise ValueError(
            f"heat has {heat.shape[0]}x{heat.shape[1]} cells, but a {patch}-pixel square at stride {stride} "
            f"on a {h}x{w} image gives {rows}x{cols}; pass the patch and stride that made it."
        )
    if axes is None:
        fig, grid = figure_grid(1, 2, figsize=(7.5, 3.4))
        axes = grid[0]
    fig = axes[0].figure
    left, right = axes

    left.imshow(img, interpolation="nearest", **kw)
    i, j = np.unravel_index(np.argmin(heat), heat.shape)
    left.add_patch(Rectangle((j * stride - 0.5, i * stride - 0.5), patch, patch, fill=False, ec="red", lw=2))
    left.set_title(f"input; red: the square that hurts most (p = {heat[i, j]:.2f})", fontsize=9)

    # Pixel k spans k - 0.5 .. k + 0.5, and a square at corner c has its centre at c + (patch - 1) / 2.
    start = (patch - 1) / 2 - stride / 2
    extent = (start, start + cols * stride, start + rows * stride, start)
    shown = right.imshow(heat, cmap="viridis", vmin=0.0, vmax=1.0, extent=extent, interpolation="nearest")
    right.set_xlim(-0.5, w - 0.5)
    right.set_ylim(h - 0.5, -0.5)
    right.set_title(f"p(true class), {patch}x{patch} square centred here", fontsize=9)
    bar = fig.colorbar(shown, ax=right, shrink=0.9)
    bar.set_label("probability of the true class", fontsize=9)
    for ax in axes:
        ax.tick_params(labelsize=9)
    if title:
        fig.suptitle(title)
    return fig

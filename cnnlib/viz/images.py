"""Grids of images: photos, digits, kernels and feature maps."""

from __future__ import annotations

import math

import numpy as np

from cnnlib.viz._figure import panel_axes


def show_images(
    images, titles=None, ncols=None, cmap="gray", size=1.8, symmetric=False, suptitle=None, colorbar=False, ax=None
):
    """Show 2D arrays (or RGB images) in a grid.

    Args:
        images: sequence of ``(H, W)`` or ``(H, W, 3)`` arrays, or an ``(H, W, C)`` stack of
            feature maps (one panel per channel).
        titles: optional text under each panel.
        ncols: panels per row (default: up to 8).
        cmap: colour map for single-channel images.
        size: inches per panel.
        symmetric: centre the colour scale on zero (for kernels and signed feature maps).
        suptitle: optional title over the grid.
        colorbar: a colour bar beside each single-channel panel (where the values matter).
        ax: where to draw; a new figure (``size`` inches per panel) when None. A ``Figure`` or
            ``SubFigure`` (e.g. from ``fig.subfigures()``) gets the grid laid out in it; or pass the
            axes, one per image (an ``Axes`` for one image, or e.g. ``fig.subplots(2, 8)``, read
            row by row; axes beyond the images are left empty), whose arrangement replaces
            ``ncols`` and ``size``. ``suptitle`` goes over the figure or subfigure holding them.

    Returns:
        The Figure.
    """
    if isinstance(images, np.ndarray) and images.ndim == 3 and images.shape[-1] not in (3,):
        images = [images[..., i] for i in range(images.shape[-1])]
    images = list(images)
    if not images:
        raise ValueError("no images to show.")
    ncols = ncols or min(len(images), 8)
    nrows = math.ceil(len(images) / ncols)
    fig, holder, axes = panel_axes(
        ax,
        nrows,
        ncols,
        figsize=(size * ncols, size * nrows + (0.3 if suptitle else 0)),
        at_least=len(images),
    )
    for k, panel in enumerate(axes):
        panel.axis("off")
        if k >= len(images):
            continue
        img = np.asarray(images[k], dtype=np.float32)
        kw = {}
        if img.ndim == 2:
            kw["cmap"] = cmap
            if symmetric:
                m = float(np.max(np.abs(img))) or 1.0
                kw.update(vmin=-m, vmax=m)
        shown = panel.imshow(img, interpolation="nearest", **kw)
        if colorbar and img.ndim == 2:
            panel.figure.colorbar(shown, ax=panel, fraction=0.046, pad=0.04).ax.tick_params(labelsize=8)
        if titles is not None:
            panel.set_title(str(titles[k]), fontsize=9)
    if suptitle:
        holder.suptitle(suptitle)
    return fig

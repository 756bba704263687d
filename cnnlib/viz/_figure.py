"""One place that makes figures, so none of them is tracked by pyplot."""

from collections.abc import Iterable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase


def new_axes(ax=None, figsize=(6, 4)):
    """Return ``(fig, ax)``: the given axes' figure, or a new pyplot-free figure."""
    if ax is not None:
        return ax.get_figure(root=True), ax  # the Figure a notebook shows, also for an Axes in a SubFigure
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def figure_grid(nrows, ncols, figsize):
    """A pyplot-free figure with a grid of axes (always a 2D array)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def panel_axes(ax, nrows: int, ncols: int, figsize, *, at_least: int | None = None):
    """The panels of a drawing of several panels, wherever the caller wants them.

    Args:
        ax: where to draw, in the forms matplotlib users pass to a drawing of several panels:
            ``None`` for a new pyplot-free figure of ``figsize`` (the ``nrows`` x ``ncols`` grid of
            :func:`figure_grid`); a ``Figure`` or ``SubFigure`` (e.g. one of ``fig.subfigures()``,
            or ``fig.add_subfigure(gridspec[0, 1])``) to lay that grid out in; or the axes
            themselves, an ``Axes`` or a sequence or array of them, read in row-major order.
        nrows, ncols: the drawing's own grid.
        at_least: with given axes, how many are needed (a grid of images may leave cells empty);
            default exactly ``nrows * ncols``.

    Returns:
        ``(fig, holder, axes)``: the root Figure (what the drawing returns), the figure or
        subfigure that holds the panels (for a title over them, a legend, colour bars), and the
        axes as a flat list.

    Raises:
        ValueError: for the wrong number of axes, or something that is neither axes nor a figure.
    """
    if ax is None:
        holder, grid = figure_grid(nrows, ncols, figsize)
        axes = list(grid.flat)
    elif isinstance(ax, FigureBase):
        holder = ax
        axes = list(ax.subplots(nrows, ncols, squeeze=False).flat)
    else:
        if isinstance(ax, Axes) or not _iterable(ax):
            axes = [ax]
        else:  # a list, or the array fig.subplots returns
            axes = list(np.asarray(ax, dtype=object).flat)
        wrong = [a for a in axes if not isinstance(a, Axes)]
        needed = nrows * ncols if at_least is None else at_least
        if wrong:
            raise ValueError(
                f"ax must be matplotlib axes or a figure, got {type(wrong[0]).__name__}. "
                f"Pass ax=fig.subplots({nrows}, {ncols}), a figure or subfigure (a SubplotSpec becomes one with "
                "fig.add_subfigure(spec)), or leave ax=None."
            )
        if len(axes) < needed or (at_least is None and len(axes) != needed):
            count = f"at least {needed}" if at_least is not None else str(needed)
            raise ValueError(
                f"this drawing has {needed} panel{'s' * (needed != 1)}, so ax needs {count} axes, got {len(axes)}. "
                f"Pass ax=fig.subplots({nrows}, {ncols}), a figure or subfigure to lay them out in, or leave ax=None."
            )
        holder = axes[0].figure
    return holder.get_figure(root=True), holder, axes


def _iterable(value) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes))

"""One place that makes figures, so none of them is tracked by pyplot."""

from matplotlib.figure import Figure


def new_axes(ax=None, figsize=(6, 4)):
    """Return ``(fig, ax)``: the given axes' figure, or a new pyplot-free figure."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def figure_grid(nrows, ncols, figsize):
    """A pyplot-free figure with a grid of axes (always a 2D array)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes

"""Drawings of learning: training curves, what a trained classifier gets right and wrong, learned filters
and the signal a network passes on at initialization. (Named apart from cnnlib.training, which trains.)"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from cnnlib.viz._figure import figure_grid, new_axes


def draw_history(history: dict, axes=None, title: str | None = None):
    """Loss and accuracy per epoch, training and validation, on two panels.

    Args:
        history: ``{"loss": [...], "val_loss": [...], "accuracy": [...], ...}`` (Keras'
            ``History.history``), possibly still growing.
        axes: two axes to draw into (the live plot redraws the same ones); a new figure otherwise.
    """
    if axes is None:
        fig, grid = figure_grid(1, 2, figsize=(8, 3))
        axes = grid[0]
    fig = axes[0].figure
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        ax.clear()
        for key, style in ((metric, "-o"), (f"val_{metric}", "--s")):
            values = history.get(key)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, label=key.replace("val_", "validation "), ms=4)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def draw_step_losses(runs: dict, window: int = 10, title: str | None = None, ax=None):
    """Training loss per step of several networks trained from the same seeds, on one panel.

    Args:
        runs: ``{label: [history per seed]}``, each history with a ``"step_loss"`` list (what
            ``cnnlib.training.train_from_seeds`` records).
        window: steps of the running mean drawn; thin lines are single seeds, the thick one their mean.
        ax: the axes to draw on, or None for a new figure.
    """
    from cnnlib.viz.residual import smooth

    if not runs or any(not histories for histories in runs.values()):
        raise ValueError("runs must map each label to a non-empty list of histories (one per seed).")
    fig, ax = new_axes(ax, figsize=(6.5, 3.4))
    for (label, histories), color in zip(
        runs.items(), ("tab:blue", "tab:red", "tab:green", "tab:purple"), strict=False
    ):
        curves = [
            smooth(np.nan_to_num(np.asarray(h["step_loss"], float), nan=10.0, posinf=10.0), window) for h in histories
        ]
        steps = min(len(c) for c in curves)
        for c in curves:
            ax.plot(np.arange(1, steps + 1), c[:steps], color=color, lw=0.7, alpha=0.35)
        ax.plot(np.arange(1, steps + 1), np.mean([c[:steps] for c in curves], axis=0), color=color, lw=2, label=label)
    ax.set_ylim(0, 4)  # a diverging run's first steps would flatten the rest
    ax.set_xlabel("training step")
    ax.set_ylabel(f"training loss (mean of {window} steps)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def confusion_matrix(y_true, y_pred, classes: int) -> np.ndarray:
    """Counts ``[true, predicted]``."""
    m = np.zeros((classes, classes), dtype=int)
    np.add.at(m, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    return m


def draw_confusion(y_true, y_pred, class_names, ax=None, title=None):
    """Confusion matrix with counts in the cells (rows: true class, columns: predicted)."""
    m = confusion_matrix(y_true, y_pred, len(class_names))
    fig, ax = new_axes(ax, figsize=(0.45 * len(class_names) + 1.8, 0.45 * len(class_names) + 1.2))
    ax.imshow(np.log1p(m), cmap="Blues")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if m[i, j]:
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7, color="white" if i == j else "black")
    ax.set_xticks(range(len(class_names)), class_names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(class_names)), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or f"accuracy {np.trace(m) / m.sum():.1%} on {m.sum():,} images", fontsize=9)
    return fig


def draw_misclassified(images, y_true, y_pred, class_names, n: int = 12, ncols: int = 6, ax=None):
    """The first ``n`` mistakes: each image with its true and predicted class.

    Args:
        ax: where to draw: None for a new figure, a ``Figure`` or ``SubFigure`` to lay the grid
            out in, or one axes per mistake shown (an ``Axes`` or a sequence of them, e.g.
            ``fig.subplots(2, 6)``); see :func:`cnnlib.viz.show_images`.

    Returns:
        The Figure.
    """
    from cnnlib.viz.images import show_images

    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:n]
    if not len(wrong):
        raise ValueError("no misclassified images to show.")
    titles = [f"{class_names[y_true[i]]} → {class_names[y_pred[i]]}" for i in wrong]
    return show_images(
        [np.squeeze(images[i]) for i in wrong], titles=titles, ncols=min(ncols, len(wrong)), size=1.4, ax=ax
    )


def show_filters(kernel, ncols: int = 8, size: float = 1.0, title=None, ax=None):
    """First-layer filters ``(kh, kw, in_channels, filters)`` as images (RGB when 3 inputs).

    Args:
        ax: where to draw: None for a new figure, a ``Figure`` or ``SubFigure`` to lay the grid
            out in, or one axes per filter (an ``Axes`` or a sequence of them, e.g.
            ``fig.subplots(4, 8)``); see :func:`cnnlib.viz.show_images`.

    Returns:
        The Figure.
    """
    from cnnlib.viz.images import show_images

    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim != 4:
        raise ValueError(f"expected a conv kernel (kh, kw, in, out), got shape {k.shape}.")
    ncols = min(ncols, k.shape[3])
    if k.shape[2] == 3:  # colour filters: scale each to [0, 1] around grey
        panels = []
        for i in range(k.shape[3]):
            f = k[:, :, :, i]
            m = float(np.abs(f).max()) or 1.0
            panels.append(0.5 + 0.5 * f / m)
        return show_images(panels, ncols=ncols, size=size, suptitle=title, ax=ax)
    return show_images(
        [k[:, :, 0, i] for i in range(k.shape[3])],
        ncols=ncols,
        size=size,
        symmetric=True,
        cmap="RdBu_r",
        suptitle=title,
        ax=ax,
    )


def draw_signal(signal: dict, ax=None, title: str = "Forward signal at initialization"):
    """The spread of each weight layer's output, one line per initialization, on a log scale.

    Args:
        signal: ``{label: {layer name: std}}``, e.g. from ``cnnlib.experiments.measure.output_std`` per initialization.
        ax: axes to draw into; a new figure otherwise.
    """
    if not signal:
        raise ValueError("signal is empty: pass {label: {layer name: std}} for at least one initialization.")
    fig, ax = new_axes(ax, figsize=(9, 3.6))
    names = list(next(iter(signal.values())))
    for label, stds in signal.items():
        if list(stds) != names:
            raise ValueError(f"{label!r} has other layers than {next(iter(signal))!r}; measure the same network.")
        ax.semilogy(range(1, len(names) + 1), list(stds.values()), "o-", label=label)
    short = [n.replace("block", "b").replace("_conv", ".") for n in names]
    ax.set_xticks(range(1, len(names) + 1), short, rotation=60, fontsize=9)
    ax.set_xlabel("weight layer (b3.2 = block 3, convolution 2)")
    ax.set_ylabel("std of the layer's output")
    ax.set_title(title)
    ax.legend(fontsize=9)
    return fig

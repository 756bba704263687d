"""The zoo side by side: published error against cost, a timeline, and the small tournament."""

from __future__ import annotations

import numpy as np

from cnnlib.viz._figure import figure_grid, new_axes

FAMILY_COLOURS = {
    "LeNet": "#7f7f7f",
    "AlexNet": "#8c564b",
    "ZFNet": "#e377c2",
    "VGG": "#d62728",
    "GoogLeNet": "#2ca02c",
    "ResNet": "#1f77b4",
    "DenseNet": "#ff7f0e",
}


def _colour(family: str) -> str:
    return FAMILY_COLOURS.get(family, "#17becf")


def _bubbles(ax, cards: dict, error: str, dataset: str):
    """One panel: multiply-adds (x, log) against ``error`` (y), bubble area proportional to parameters."""
    shown = {name: c for name, c in cards.items() if c.dataset == dataset and getattr(c, error) is not None}
    if not shown:
        return shown
    biggest = max(c.params for c in shown.values())
    for c in shown.values():
        size = 1500 * c.params / biggest + 15
        ax.scatter(c.macs / 1e9, getattr(c, error), s=size, color=_colour(c.family), alpha=0.45, edgecolors="k")
        ax.annotate(c.label, (c.macs / 1e9, getattr(c, error)), fontsize=7, ha="center", va="bottom",
                    xytext=(0, 4), textcoords="offset points")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("multiply-adds per image (G, log scale)")
    ax.grid(alpha=0.3, which="both")
    return shown


def draw_error_vs_cost(cards: dict, title: str | None = "Published error against cost (bubble area: parameters)"):
    """Canziani et al.'s chart from the model cards: ImageNet top-5 error and CIFAR-10 error
    against multiply-adds, one bubble per network, its area proportional to its parameters.

    Args:
        cards: ``{name: ModelCard}``, e.g. ``{n: get_card(n) for n in list_models()}``; networks
            without a published error on the panel's data set are left out.

    Returns:
        The Figure (two panels: ImageNet, CIFAR-10).
    """
    fig, axes = figure_grid(1, 2, figsize=(11, 4.4))
    for ax, (error, dataset, label) in zip(
        axes[0],
        (("top5_error", "ImageNet", "ImageNet top-5 error (%)"), ("top1_error", "CIFAR-10", "CIFAR-10 error (%)")),
        strict=True,
    ):
        shown = _bubbles(ax, cards, error, dataset)
        ax.set_ylabel(label)
        ax.set_title(f"{dataset}: {len(shown)} networks", fontsize=10)
    families = dict.fromkeys(c.family for c in cards.values())
    handles = [axes[0][0].scatter([], [], color=_colour(f), alpha=0.45, edgecolors="k", label=f) for f in families]
    fig.legend(handles=handles, loc="outside right center", fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def draw_timeline(milestones, cards: dict, ax=None, title: str | None = "What each network introduced"):
    """The networks of the notes in order, top to bottom: year, name, what it introduced, its notebook.

    Evenly spaced rather than to scale: 14 years pass between LeNet-5 and AlexNet, then one
    network a year, which a linear axis would crowd into one corner.

    Args:
        milestones: :data:`cnnlib.comparison.MILESTONES` (model, introduced, notebook).
        cards: ``{name: ModelCard}`` with a card for every milestone's model (label, year, family).
    """
    fig, ax = new_axes(ax, figsize=(9, 0.5 * len(milestones) + 0.8))
    n = len(milestones)
    ax.plot([0, 0], [0, n - 1], color="#444444", lw=1.5)
    for i, m in enumerate(milestones):
        card = cards[m.model]
        y = n - 1 - i
        ax.scatter([0], [y], color=_colour(card.family), s=60, zorder=3, edgecolors="k")
        ax.text(-0.15, y, str(card.year), ha="right", va="center", fontsize=10, fontweight="bold")
        ax.text(0.15, y, card.label, ha="left", va="center", fontsize=10, color=_colour(card.family),
                fontweight="bold")  # fmt: skip
        ax.text(1.6, y, m.introduced, ha="left", va="center", fontsize=9)
        ax.text(7.6, y, m.notebook, ha="left", va="center", fontsize=8, family="monospace", color="#555555")
    ax.set_xlim(-1.0, 9.4)
    ax.set_ylim(-0.6, n - 0.4)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def draw_tournament(results, title: str | None = "Small equal-budget tournament"):
    """Test accuracy per seed of each entrant (dots; bar: the mean) and its accuracy above chance
    per 10,000 parameters and per second of training.

    Args:
        results: :class:`cnnlib.comparison.TournamentResult` per entrant.
    """
    fig, axes = figure_grid(1, 3, figsize=(11, 3.4))
    names = [r.family for r in results]
    x = np.arange(len(results))
    colours = [_colour(r.family) for r in results]
    ax = axes[0][0]
    ax.bar(x, [r.mean_accuracy for r in results], color=colours, alpha=0.5)
    for i, r in enumerate(results):
        ax.scatter([i] * len(r.accuracy), r.accuracy, color="k", s=12, zorder=3)
    ax.axhline(0.1, color="grey", ls="--", lw=1, label="chance")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=8)
    for ax, values, label in (
        (axes[0][1], [r.accuracy_per_10k_params for r in results], "accuracy above chance\nper 10k parameters"),
        (axes[0][2], [r.accuracy_per_second for r in results], "accuracy above chance\nper second of training"),
    ):
        ax.bar(x, values, color=colours, alpha=0.8)
        ax.set_ylabel(label)
    for ax in axes[0]:
        ax.set_xticks(x, names, fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    if title:
        fig.suptitle(title)
    return fig

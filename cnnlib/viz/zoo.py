"""The zoo side by side: published error against cost, a timeline, and the small tournament."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cnnlib.viz._figure import new_axes, panel_axes

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
    """One panel: multiply-adds (x, log) against ``error`` (y), bubble area proportional to parameters.
    Returns the cards shown and each bubble's area (points squared)."""
    shown = {name: c for name, c in cards.items() if c.dataset == dataset and getattr(c, error) is not None}
    if not shown:
        return shown, {}
    biggest = max(c.params for c in shown.values())
    sizes = {name: 1500 * c.params / biggest + 15 for name, c in shown.items()}
    for name, c in shown.items():
        ax.scatter(c.macs / 1e9, getattr(c, error), s=sizes[name], color=_colour(c.family), alpha=0.45, edgecolors="k")
    ax.set_xscale("log")
    ax.margins(x=0.12, y=0.15)  # room for the labels of the outermost bubbles
    ax.set_xlabel("multiply-adds per image (G, log scale)")
    ax.grid(alpha=0.3, which="both")
    return shown, sizes


# Where a bubble's label may go, in order of preference: (direction x, direction y, ha, va).
_LABEL_PLACES = (
    (0, 1, "center", "bottom"), (0, -1, "center", "top"), (1, 0, "left", "center"), (-1, 0, "right", "center"),
    (0.7, 0.7, "left", "bottom"), (-0.7, 0.7, "right", "bottom"), (0.7, -0.7, "left", "top"),
    (-0.7, -0.7, "right", "top"),
)  # fmt: skip


def _label_bubbles(ax, shown: dict, error: str, sizes: dict) -> None:
    """Label each bubble beside its edge where the label covers no other label, no bubble's centre and stays
    inside the panel: the first such place in ``_LABEL_PLACES``, else the one that overlaps least."""
    fig = ax.get_figure(root=True)  # the whole figure's layout, also for axes in a subfigure
    fig.draw_without_rendering()  # the final layout, so that the extents below are where they will be drawn
    inside = ax.get_window_extent()
    points = {name: ax.transData.transform((c.macs / 1e9, getattr(c, error))) for name, c in shown.items()}
    placed = []
    # Largest bubbles first: their labels have the fewest places outside the other bubbles.
    for name in sorted(shown, key=lambda n: -sizes[n]):
        gap = np.sqrt(sizes[name]) / 2 + 2  # the bubble's radius in points, and 2 more
        best = None
        # Beside the bubble first; in a crowd, farther out with a thin line to it.
        for far, (dx, dy, ha, va) in [(far, place) for far in (1, 2.5) for place in _LABEL_PLACES]:
            line = {"arrowprops": {"arrowstyle": "-", "lw": 0.5, "color": "0.4"}} if far > 1 else {}
            label = ax.annotate(shown[name].label, (shown[name].macs / 1e9, getattr(shown[name], error)), fontsize=7,
                                ha=ha, va=va, xytext=(dx * gap * far, dy * gap * far), textcoords="offset points",
                                **line)  # fmt: skip
            label.set_in_layout(False)  # the layout stays as it was when the places were measured
            label.get_window_extent()  # places the annotation (and its line); then the words alone:
            box = Text.get_window_extent(label).frozen()  # the leader line may cross things
            overlap = 1000 * sum(_overlap(box, other) for other in placed)  # covering a label is the worst
            overlap += sum(box.contains(*xy) for other, xy in points.items() if other != name) * box.width * box.height
            overlap += box.width * box.height - _overlap(box, inside)
            # A label nearer another bubble's centre than its own would be read as that bubble's.
            own = _distance(box, points[name])
            overlap += sum(_distance(box, xy) < own for other, xy in points.items() if other != name) * box.width * 10
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, label, box)
            else:
                label.remove()
            if overlap == 0:
                break
        placed.append(best[2])


def _distance(box, point) -> float:
    """From a display point to the nearest point of a display box."""
    x, y = point
    return float(np.hypot(max(box.x0 - x, 0.0, x - box.x1), max(box.y0 - y, 0.0, y - box.y1)))


def _overlap(a, b) -> float:
    """The area two display boxes share."""
    shared = Bbox.intersection(a, b)
    return 0.0 if shared is None else shared.width * shared.height


def draw_error_vs_cost(
    cards: dict, title: str | None = "Published error against cost (bubble area: parameters)", ax=None
):
    """Canziani et al.'s chart from the model cards: ImageNet top-5 error and CIFAR-10 error
    against multiply-adds, one bubble per network, its area proportional to its parameters.

    Args:
        cards: ``{name: ModelCard}``, e.g. ``{n: get_card(n) for n in list_models()}``; networks
            without a published error on the panel's data set are left out.
        title: the title over the panels (of the figure or subfigure that holds them).
        ax: where to draw: None for a new figure; a ``Figure`` or ``SubFigure`` (e.g. one of
            ``fig.subfigures()``) to put the two panels side by side in; or two axes, ImageNet's
            and CIFAR-10's (e.g. ``fig.subplots(1, 2)``). The legend of families goes at the right
            of the figure or subfigure that holds them (beside the panels under a constrained
            layout), and the labels are placed once that layout is final: draw the rest of a
            shared figure first.

    Returns:
        The Figure (two panels: ImageNet, CIFAR-10).
    """
    fig, holder, axes = panel_axes(ax, 1, 2, figsize=(11, 4.4))
    panels = []
    for panel, (error, dataset, label) in zip(
        axes,
        (("top5_error", "ImageNet", "ImageNet top-5 error (%)"), ("top1_error", "CIFAR-10", "CIFAR-10 error (%)")),
        strict=True,
    ):
        shown, sizes = _bubbles(panel, cards, error, dataset)
        panel.set_ylabel(label)
        panel.set_title(f"{dataset}: {len(shown)} networks", fontsize=10)
        panels.append((panel, shown, error, sizes))
    families = dict.fromkeys(c.family for _, shown, _, _ in panels for c in shown.values())  # those drawn
    handles = [axes[0].scatter([], [], color=_colour(f), alpha=0.45, edgecolors="k", label=f) for f in families]
    holder.legend(handles=handles, loc="outside right center", fontsize=8, frameon=False)
    if title:
        holder.suptitle(title)
    for panel, shown, error, sizes in panels:  # once the layout is final
        if shown:
            _label_bubbles(panel, shown, error, sizes)
    return fig


def draw_timeline(milestones, cards: dict, ax=None, title: str | None = "What each network introduced"):
    """The networks of the notes in order, top to bottom: year, name, what it introduced, its notebook.

    Evenly spaced rather than to scale: 14 years pass between LeNet-5 and AlexNet, then one
    network a year, which a linear axis would crowd into one corner.

    Args:
        milestones: :data:`cnnlib.experiments.comparison.MILESTONES` (model, introduced, notebook).
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


def draw_tournament(results, title: str | None = "Small equal-budget tournament", ax=None):
    """Test accuracy per seed of each entrant (dots; bar: the mean) and its accuracy above chance
    per 10,000 parameters and per second of training.

    Args:
        results: :class:`cnnlib.experiments.comparison.TournamentResult` per entrant.
        title: the title over the panels (of the figure or subfigure that holds them).
        ax: where to draw: None for a new figure; a ``Figure`` or ``SubFigure`` (e.g. one of
            ``fig.subfigures()``) to put the three panels side by side in; or three axes,
            accuracy, accuracy per parameters, accuracy per second (e.g. ``fig.subplots(1, 3)``).

    Returns:
        The Figure.
    """
    fig, holder, (accuracy, per_params, per_second) = panel_axes(ax, 1, 3, figsize=(11, 3.4))
    names = [r.family for r in results]
    x = np.arange(len(results))
    colours = [_colour(r.family) for r in results]
    accuracy.bar(x, [r.mean_accuracy for r in results], color=colours, alpha=0.5)
    for i, r in enumerate(results):
        accuracy.scatter([i] * len(r.accuracy), r.accuracy, color="k", s=12, zorder=3)
    accuracy.axhline(0.1, color="grey", ls="--", lw=1, label="chance")
    accuracy.set_ylabel("test accuracy")
    accuracy.legend(fontsize=8)
    for panel, values, label in (
        (per_params, [r.accuracy_per_10k_params for r in results], "accuracy above chance\nper 10k parameters"),
        (per_second, [r.accuracy_per_second for r in results], "accuracy above chance\nper second of training"),
    ):
        panel.bar(x, values, color=colours, alpha=0.8)
        panel.set_ylabel(label)
    for panel in (accuracy, per_params, per_second):
        panel.set_xticks(x, names, fontsize=8)
        panel.grid(alpha=0.3, axis="y")
    if title:
        holder.suptitle(title)
    return fig

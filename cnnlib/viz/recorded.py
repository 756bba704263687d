"""Recorded runs drawn as their papers drew them: error per epoch, one panel per family of networks."""

from __future__ import annotations

import numpy as np

from cnnlib.viz._figure import panel_axes


def draw_error_curves(recording, panels: dict, ax=None, title: str | None = None):
    """Training (solid) and test (dashed, where recorded) error per epoch of a recorded run (He et al.'s Figure 6).

    Each seed is a thin line, their mean a thick one; a network whose seeds are still training shows the epochs
    recorded so far.

    Args:
        recording: a :class:`cnnlib.experiments.recorded.Recording`.
        panels: ``{panel title: [network, ...]}``, e.g. ``{"plain": ["plain20", "plain56"], ...}``.
        ax: ``None`` (a new figure), a Figure or SubFigure to lay the panels out in, or one Axes per panel.
        title: the figure's title; by default what was trained, where and how long.
    """
    if not panels:
        raise ValueError("panels is empty: give {panel title: [network names]}.")
    unknown = [n for names in panels.values() for n in names if n not in recording.runs]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} not in this recording; it has {', '.join(recording.runs)}.")
    fig, holder, axes = panel_axes(ax, 1, len(panels), (4.6 * len(panels), 3.6))
    colours = {}
    for axis, (panel, names) in zip(axes, panels.items(), strict=True):
        for name in names:
            colour = colours.setdefault(name, f"C{len(colours) % 10}")
            for figure, style in (("train_error", "-"), ("test_error", "--")):
                curves = [np.asarray(run[figure]) * 100 for run in recording.runs[name] if len(run.get(figure, []))]
                for curve in curves:
                    axis.plot(range(1, len(curve) + 1), curve, style, color=colour, lw=0.6, alpha=0.45)
                if curves:
                    length = min(len(c) for c in curves)
                    mean = np.mean([c[:length] for c in curves], axis=0)
                    seeds = f"{len(curves)} seed{'s' if len(curves) > 1 else ''}"
                    label = f"{name} {'training' if figure == 'train_error' else 'test'} ({seeds})"
                    axis.plot(range(1, length + 1), mean, style, color=colour, lw=2, label=label)
        axis.set_title(panel)
        axis.set_xlabel("epoch")
        axis.set_ylabel("error (%)")
        longest = max((len(run["train_error"]) for n in names for run in recording.runs[n]), default=1)
        axis.set_xlim(1, max(2, min(recording.config["epochs"], longest)))
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    low = min(a.get_ylim()[0] for a in axes)
    high = max(a.get_ylim()[1] for a in axes)
    for axis in axes:  # one scale for every panel, so that the families compare at a glance
        axis.set_ylim(low, high)
    images = recording.images.get("train", "?")
    size = recording.config.get("size", "?")
    holder.suptitle(title or f"Recorded: {images:,} CIFAR-10 images at {size}×{size}, {recording.hours:.1f} h "
                    f"on {recording.hardware.removeprefix('no GPU; ')}", fontsize=10)  # fmt: skip
    return fig

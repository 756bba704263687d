"""What shortcuts change in a deep network: the gradient per layer, and training loss against depth."""

from __future__ import annotations

import numpy as np

from cnnlib.viz._figure import new_axes, panel_axes


def _stage(name: str) -> str:
    # "conv3_block2_1_conv" -> "conv3"; a name without "_" is its own stage.
    return name.split("_")[0]


def draw_gradient_norms(norms: dict, ax=None, title: str = "Gradient per layer at initialization"):
    """The gradient norm of each weight layer's kernel, one line per network, on a log scale.

    Args:
        norms: ``{label: {layer name: norm}}``, e.g. from ``cnnlib.experiments.measure.gradient_norms`` per network;
            layers in the order of the network, from the input to the classifier.
        ax: axes to draw into; a new figure otherwise.
        title: what is drawn (which networks, trained or not, which data).
    """
    if not norms:
        raise ValueError("norms is empty: pass {label: {layer name: norm}} for at least one network.")
    for label, values in norms.items():
        if not values:
            raise ValueError(f"{label!r} has no layers; measure at least one.")
        if min(values.values()) <= 0:
            raise ValueError(f"{label!r} has a zero gradient; a log scale cannot show it.")
    fig, ax = new_axes(ax, figsize=(9, 3.6))
    for label, values in norms.items():
        ax.semilogy(range(1, len(values) + 1), list(values.values()), "o-", ms=3, label=label)
    # Stage boundaries of the first network, as in the architecture's table.
    names = list(next(iter(norms.values())))
    stages = [_stage(n) for n in names]
    starts = [i for i in range(len(stages)) if i == 0 or stages[i] != stages[i - 1]]
    for i in starts[1:]:
        ax.axvline(i + 0.5, color="0.7", lw=0.8, zorder=0)
    top = ax.get_ylim()[1]
    for i, end in zip(starts, starts[1:] + [len(stages)], strict=True):
        if end - i >= 3:  # a stem or a classifier of one layer has no room for its name
            ax.text(i + 1.5, top, stages[i], fontsize=9, va="top", ha="left", color="0.35")
    ax.set_xlabel("weight layer, from the input (1) to the classifier")
    ax.set_ylabel("gradient norm of the kernel")
    ax.set_title(title)
    ax.legend(fontsize=9, loc="center right")
    ax.grid(alpha=0.3, which="major")
    return fig


def smooth(values, window: int) -> np.ndarray:
    """Running mean over ``window`` steps (shorter at the start), for noisy per-step losses."""
    values = np.asarray(values, dtype=float)
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}.")
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (cumulative[ends] - cumulative[starts]) / (ends - starts)


def draw_degradation(runs: dict, window: int = 10, title: str | None = None, ax=None):
    """Training loss per step of plain and residual networks, side by side (He et al., Figure 6).

    Args:
        runs: ``{"plain8": [history per seed], "resnet20": [...], ...}`` from
            ``cnnlib.experiments.degradation.degradation_experiment`` (each history has ``"step_loss"``); names
            start with ``plain`` or ``resnet`` and end with the depth.
        window: steps of the running mean drawn (the thin lines are single seeds, the thick one their mean).
        title: the figure's title (over the figure or subfigure that holds the panels).
        ax: where to draw: None for a new figure; a ``Figure`` or ``SubFigure`` (e.g. one of
            ``fig.subfigures()``) to put the two panels side by side in; or two axes, the plain
            networks' and the residual networks' (e.g. ``fig.subplots(1, 2, sharey=True)``).

    Returns:
        The Figure.
    """
    kinds = {"plain": "plain networks", "resnet": "residual networks (ResNet)"}
    groups = {k: {n: h for n, h in runs.items() if n.startswith(k)} for k in kinds}
    if not runs or any(not n.startswith(tuple(kinds)) for n in runs):
        raise ValueError(f"runs must be named plain<depth> or resnet<depth>, got {list(runs)}.")
    fig, holder, panels = panel_axes(ax, 1, 2, figsize=(9, 3.4))
    depths = sorted({int(n.removeprefix("plain").removeprefix("resnet")) for n in runs})
    colors = dict(zip(depths, ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange"), strict=False))
    low, high = np.inf, -np.inf
    for panel, (kind, label) in zip(panels, kinds.items(), strict=True):
        for name, histories in groups[kind].items():
            depth = int(name.removeprefix(kind))
            curves = [smooth(h["step_loss"], window) for h in histories]
            steps = min(len(c) for c in curves)
            for c in curves:
                panel.plot(np.arange(1, steps + 1), c[:steps], color=colors[depth], lw=0.7, alpha=0.35)
            mean = np.mean([c[:steps] for c in curves], axis=0)
            panel.plot(np.arange(1, steps + 1), mean, color=colors[depth], lw=2, label=f"{depth} layers")
            tail = mean[steps // 4 :]
            low, high = min(low, tail.min()), max(high, tail.max())
        panel.set_title(label, fontsize=10)
        panel.set_xlabel("training step")
        panel.grid(alpha=0.3)
        if panel.lines:
            panel.legend(fontsize=9)
    panels[0].set_ylabel(f"training loss (mean of {window} steps)")
    if np.isfinite(low):
        pad = 0.08 * (high - low)
        for panel in panels:
            panel.set_ylim(low - pad, high + pad)  # the first steps (loss ~2.3) would flatten the ends
    if title:
        holder.suptitle(title)
    return fig

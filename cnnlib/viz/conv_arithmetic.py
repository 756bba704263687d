"""Convolution-arithmetic drawings: a window sliding over a (padded) input, the output filling in.

One drawing core, :func:`draw_sliding_window`, serves the static figure, the GIF animation
(:func:`sliding_window_animation`) and the interactive explorer in ``cnnlib.widgets``.
Input, kernel window and output are coloured and labelled apart, because learners often
mix them up. Sizes come from ``cnnlib.arithmetic``.

Reference: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
arXiv:1603.07285 — the cases below are the ones of its animations that the notes show.
"""

from __future__ import annotations

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.patches import Rectangle

from cnnlib.arithmetic import conv_output_size, conv_padding, explain_conv_output_size
from cnnlib.viz._figure import new_axes

# The notes' seven animations (Dumoulin & Visin's cases) plus dilation.
CONV_ARITHMETIC_CASES = {
    "no_padding_no_strides": dict(size=4, kernel=3, stride=1, padding="valid"),
    "arbitrary_padding_no_strides": dict(size=5, kernel=4, stride=1, padding=2),
    "same_padding_no_strides": dict(size=5, kernel=3, stride=1, padding="same"),
    "full_padding_no_strides": dict(size=5, kernel=3, stride=1, padding="full"),
    "no_padding_strides": dict(size=5, kernel=3, stride=2, padding="valid"),
    "padding_strides": dict(size=5, kernel=3, stride=2, padding=1),
    "padding_strides_odd": dict(size=6, kernel=3, stride=2, padding=1),
    "dilation": dict(size=7, kernel=3, stride=1, padding="valid", dilation=2),
}

INPUT_COLOR = "#9ecae1"
PAD_COLOR = "#ffffff"
WINDOW_COLOR = "#08519c"
OUTPUT_COLOR = "#c7e9c0"
OUTPUT_CURRENT = "#238b45"
GAP = 2.0  # empty cells between the input and the output grid


def _geometry(size, kernel, stride, padding, dilation):
    out = conv_output_size(size, kernel, stride, padding, dilation)
    pad = conv_padding(size, kernel, stride, padding, dilation)
    return out, pad, pad.before + size + pad.after


def _cell(ax, col, row, face, edge="#555555", **kw):
    ax.add_patch(Rectangle((col, row), 1, 1, facecolor=face, edgecolor=edge, linewidth=1, **kw))


def draw_sliding_window(
    size: int = 5,
    kernel: int = 3,
    stride: int = 1,
    padding="valid",
    dilation: int = 1,
    step: int = 0,
    values=None,
    kernel_values=None,
    out_values=None,
    ax=None,
    formula: bool = True,
    label: str | None = None,
):
    """Draw one step of a square convolution (or pooling) window sliding over an input.

    Args:
        size, kernel, stride, padding, dilation: as in ``cnnlib.arithmetic.conv_output_size``.
        step: which output position is being computed (row-major); earlier ones are shown filled.
        values: optional ``(size, size)`` input numbers to write in the cells.
        kernel_values: optional ``(kernel, kernel)`` weights, written small in the window's taps.
        out_values: optional ``(out, out)`` output numbers, written in the cells already computed.
        ax: axes to draw into; a new figure otherwise.
        formula: put the output-size formula with this case's numbers in the title.
        label: text over the window (default ``"kernel 3×3, stride 1"``); pooling passes its own.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: for a combination that has no valid window (message from ``arithmetic``).
    """
    out, pad, padded = _geometry(size, kernel, stride, padding, dilation)
    if not 0 <= step < out * out:
        raise ValueError(f"step must be between 0 and {out * out - 1} for a {out}×{out} output, got {step}.")
    width = padded + GAP + out
    fig, ax = new_axes(ax, figsize=(0.45 * width + 0.6, 0.45 * padded + 1.4))
    ax.clear()

    for r in range(padded):
        for c in range(padded):
            real = pad.before <= r < pad.before + size and pad.before <= c < pad.before + size
            _cell(ax, c, r, INPUT_COLOR if real else PAD_COLOR, linestyle="-" if real else ":")
            if real and values is not None:
                ax.text(
                    c + 0.5, r + 0.5, _fmt(values[r - pad.before][c - pad.before]), ha="center", va="center", fontsize=8
                )

    oi, oj = divmod(step, out)
    top, left = oi * stride, oj * stride
    span = dilation * (kernel - 1) + 1
    for i in range(kernel):
        for j in range(kernel):
            r, c = top + i * dilation, left + j * dilation
            _cell(ax, c, r, WINDOW_COLOR, edge=WINDOW_COLOR, alpha=0.45)
            if kernel_values is not None:
                ax.text(
                    c + 0.95,
                    r + 0.95,
                    "×" + _fmt(kernel_values[i][j]),
                    ha="right",
                    va="bottom",
                    fontsize=6,
                    color="white",
                )
    ax.add_patch(Rectangle((left, top), span, span, fill=False, edgecolor=WINDOW_COLOR, linewidth=2.5))

    x0, y0 = padded + GAP, (padded - out) / 2
    for r in range(out):
        for c in range(out):
            k = r * out + c
            face = OUTPUT_CURRENT if k == step else OUTPUT_COLOR if k < step else "#ffffff"
            _cell(ax, x0 + c, y0 + r, face)
            if out_values is not None and k <= step:
                ax.text(
                    x0 + c + 0.5,
                    y0 + r + 0.5,
                    _fmt(out_values[r][c]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if k == step else "black",
                )
    # Two guide lines tie the window to the output cell it produces.
    for dy in (0, 1):
        ax.plot([left + span, x0 + oj], [top + dy * span, y0 + oi + dy], color=OUTPUT_CURRENT, linewidth=0.8, alpha=0.7)

    pad_note = (
        ""
        if pad == (0, 0)
        else (f" + padding {pad.before}" if pad.before == pad.after else f" + padding {pad.before}/{pad.after}")
    )
    ax.text(
        padded / 2, padded + 0.3, f"input {size}×{size}{pad_note}", ha="center", va="top", color="#08306b", fontsize=9
    )
    win = label or f"kernel {kernel}×{kernel}, stride {stride}" + (f", dilation {dilation}" if dilation > 1 else "")
    ax.text(padded / 2, -0.3, win, ha="center", va="bottom", color=WINDOW_COLOR, fontsize=9)
    ax.text(x0 + out / 2, y0 + out + 0.3, f"output {out}×{out}", ha="center", va="top", color="#00441b", fontsize=9)
    if formula:
        ax.set_title(explain_conv_output_size(size, kernel, stride, padding, dilation), fontsize=10, pad=14)
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(padded + 1.3, -1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _fmt(v) -> str:
    v = float(v)
    return f"{v:.0f}" if v.is_integer() else f"{v:.1f}"


def sliding_window_animation(size=5, kernel=3, stride=1, padding="valid", dilation=1, interval=700, **kw):
    """A ``FuncAnimation`` of every step of :func:`draw_sliding_window` (same arguments)."""
    out = conv_output_size(size, kernel, stride, padding, dilation)
    fig = draw_sliding_window(size, kernel, stride, padding, dilation, step=0, **kw)
    ax = fig.axes[0]

    def frame(step):
        draw_sliding_window(size, kernel, stride, padding, dilation, step=step, ax=ax, **kw)
        return []

    return FuncAnimation(fig, frame, frames=out * out, interval=interval, blit=False)


def save_gif(animation: FuncAnimation, path, fps: float = 1.5, dpi: int = 56) -> None:
    """Write an animation as a looping GIF (Pillow, so no external program is needed)."""
    animation.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)


def pooling_animation(values, pool=2, stride=None, mode="max", interval=900):
    """Numbers in the cells, the window moving, the pooled output filling in."""
    from cnnlib import ops

    values = np.asarray(values)
    stride = stride or pool
    op = {"max": ops.max_pool2d, "avg": ops.avg_pool2d}[mode]
    out = op(values, pool, stride)[0, :, :, 0]
    label = f"{mode} pool {pool}×{pool}, stride {stride}"
    return sliding_window_animation(
        values.shape[0], pool, stride, "valid", interval=interval, values=values, out_values=out, label=label
    )


def numeric_conv_case(seed: int = 0, size: int = 5, kernel: int = 3):
    """Small integer input and kernel for a numerical animation (deterministic)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4, size=(size, size)), rng.integers(-1, 2, size=(kernel, kernel))

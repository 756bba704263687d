"""Architecture diagrams: each layer's output drawn as a shape, left to right, in rows.

Feature maps are stacks of sheets whose side grows with the square root of the spatial size
and whose number grows with the logarithm of the channels; dense layers are bars whose height
grows with the logarithm of the units. The picture is *not to scale* (a 224×224 map drawn to
scale next to a 7×7 one would leave the latter invisible), and says so. Sizes come from the
built model, so the picture cannot disagree with ``model.summary()``.

A diagram wider than the notebook (about 900 px, 11 inches at the notebooks' 80 dpi) wraps
into rows instead of shrinking its labels, which stay at 9 pt; an elbow arrow leads from the
end of one row to the start of the next.
"""

from __future__ import annotations

import math
import warnings

from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextToPath

from cnnlib.viz._figure import new_axes

_SKIP = {"Flatten", "Dropout", "Activation", "BatchNormalization", "ReLU", "Rescaling", "ZeroPadding2D"}
_COLORS = {"conv": "#9ecae1", "pool": "#fdae6b", "input": "#d9d9d9", "dense": "#a1d99b", "other": "#dadaeb"}

# Geometry, in inches: the axes' data units are inches on a figure this module makes.
_SIDE_MIN, _SIDE_MAX = 0.3, 1.1  # side of the smallest and of the largest feature map
_SHEET_STEP = 0.05  # offset between the sheets of a stack
_BAR_WIDTH = 0.18
_GAP = 0.45  # at least this much between two shapes (room for the arrow) and between two labels
_MARGIN = 0.15  # left and right of the rows
_LABEL_PAD = 0.08  # between a shape and its label
_ROW_GAP = 0.45  # between a row's labels and the next row's shapes (the return arrow runs here)
_TITLE_H = 0.4
_NOTE = "Not to scale: a map's side grows with √(height), its sheets with log₂(channels), a bar with log₁₀(units)."
DEFAULT_WIDTH = 11.0  # inches: 880 px at 80 dpi, the notebooks' figure.dpi; fits a ~900 px notebook column
MAX_LAYERS = 30


def _kind_of(name: str) -> str:
    if name == "InputLayer":
        return "input"
    if "Conv" in name:
        return "conv"
    if "Pool" in name:
        return "pool"
    if name == "Dense":
        return "dense"
    return "other"


def architecture_rows(model, layers=None):
    """``(label, kind, output shape without batch)`` for the layers a diagram shows.

    Args:
        model: a built Keras model, or its ``cnnlib.models.model_facts`` (no weights needed).
        layers: ``None`` for every layer except reshaping, regularising and activation layers;
            ``"stages"`` for the input, the last of those layers at each spatial resolution, and
            every layer after the last feature map (global pooling, dense layers); or a list of
            layer names, drawn in the model's order.
    """
    if hasattr(model, "rows") and not hasattr(model, "layers"):  # ModelFacts: the table's rows
        entries = [(r.name, r.type, tuple(r.output_shape)) for r in model.rows]
    else:
        entries = [(layer.name, type(layer).__name__, tuple(layer.output.shape[1:])) for layer in model.layers]
    if layers is None or isinstance(layers, str):
        rows = [(name, _kind_of(kind), shape) for name, kind, shape in entries if kind not in _SKIP]
        if layers is None:
            return rows
        if layers != "stages":
            raise ValueError(f"layers={layers!r} is not understood: use None, 'stages' or a list of layer names.")
        return _stage_rows(rows)
    wanted = list(layers)
    known = {name for name, _, _ in entries}
    missing = [name for name in wanted if name not in known]
    if missing:
        raise ValueError(f"{model.name} has no layer named {', '.join(map(repr, missing))}; see model.summary().")
    return [(name, _kind_of(kind), shape) for name, kind, shape in entries if name in wanted]


def _stage_rows(rows):
    maps = [i for i, (_, _, shape) in enumerate(rows) if len(shape) == 3]
    if not maps:
        return rows
    keep = {0}
    for i, j in zip(maps, maps[1:] + [None], strict=True):
        if j is None or rows[i][2][:2] != rows[j][2][:2]:
            keep.add(i)  # the last map at this resolution
    keep.update(range(maps[-1] + 1, len(rows)))
    return [row for i, row in enumerate(rows) if i in keep]


def _text_width(text: str, fontsize: float) -> float:
    """Width in inches of the widest line of ``text`` in the default font."""
    font = FontProperties(size=fontsize)
    return (
        max(TextToPath().get_text_width_height_descent(line, font, ismath=False)[0] for line in text.split("\n")) / 72
    )


def _wrap(text: str, fontsize: float, width: float) -> str:
    """Break ``text`` into lines no wider than ``width`` inches (a word longer than that stays whole)."""
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_width(candidate, fontsize) > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return "\n".join(lines)


class _Item:
    """One layer's shape: where it sits, how big it is, its label."""

    def __init__(self, name, kind, shape, biggest, max_sheets, fontsize):
        self.kind = kind
        if len(shape) == 3:
            h, w, c = shape
            self.side = _SIDE_MIN + (_SIDE_MAX - _SIDE_MIN) * math.sqrt(h / biggest)
            self.aspect = min(w / h, 2.0)  # a very wide map is drawn at most twice as wide as tall
            self.sheets = max(1, min(max_sheets, round(math.log2(c + 1))))
            step = _SHEET_STEP * (self.sheets - 1)
            self.width = self.side * self.aspect + step
            self.top, self.bottom = self.side / 2 + step, -self.side / 2
            text = f"{c}@{h}×{w}"
        else:
            units = shape[-1] if shape else 1
            self.height = 0.3 + 0.25 * math.log10(units + 1)
            self.width = _BAR_WIDTH
            self.top, self.bottom = self.height / 2, -self.height / 2
            text = f"{units}" if len(shape) == 1 else "×".join(map(str, shape))
        self.label = f"{name}\n{text}"
        self.label_width = _text_width(self.label, fontsize)
        self.slot = max(self.width, self.label_width) + _GAP
        self.x = self.y = 0.0  # left edge and centre line, set by the layout

    def draw(self, ax, fontsize, label_y):
        color = _COLORS[self.kind]
        if hasattr(self, "sheets"):
            for k in range(self.sheets):
                xy = (self.x + _SHEET_STEP * k, self.y + _SHEET_STEP * k - self.side / 2)
                ax.add_patch(
                    Rectangle(xy, self.side * self.aspect, self.side, facecolor=color, edgecolor="#444444", lw=0.8)
                )
        else:
            xy = (self.x, self.y - self.height / 2)
            ax.add_patch(Rectangle(xy, _BAR_WIDTH, self.height, facecolor=color, edgecolor="#444444", lw=0.8))
        centre = self.x + self.width / 2
        ax.text(centre, label_y, self.label, ha="center", va="top", fontsize=fontsize)


def _split(slots, width):
    """Cut ``slots`` (in order) into the fewest rows that fit ``width``, as even as possible."""

    def greedy(cap):
        rows, row, used = [], [], 0.0
        for i, s in enumerate(slots):
            if row and used + s > cap:
                rows.append(row)
                row, used = [], 0.0
            row.append(i)
            used += s
        return rows + [row]

    count = len(greedy(width))
    lo, hi = max(slots), width
    for _ in range(40):  # the narrowest cap that needs no more rows than the full width does
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if len(greedy(mid)) > count else (lo, mid)
    return greedy(hi)


def _limit_per_row(rows, per_row):
    out = []
    for row in rows:
        n = math.ceil(len(row) / per_row)
        size = math.ceil(len(row) / n)
        out += [row[k : k + size] for k in range(0, len(row), size)]
    return out


def _arrow(ax, points):
    codes = [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
    ax.add_patch(FancyArrowPatch(path=Path(points, codes), arrowstyle="->", mutation_scale=10, color="#666666", lw=1))


def draw_architecture(
    model,
    ax=None,
    title=None,
    max_sheets: int = 8,
    *,
    layers=None,
    per_row: int | None = None,
    width: float | None = None,
    fontsize: float = 9,
    max_layers: int = MAX_LAYERS,
):
    """Draw ``model`` as rows of feature-map stacks and dense bars, labelled with their shapes.

    Args:
        model: a built Keras model.
        ax: axes to draw into; a new figure otherwise. The rows wrap to the axes' width; an axes
            smaller than the diagram (labels keep their size, shapes shrink) gets a warning.
        title: the figure's title.
        max_sheets: most sheets in one stack (the channels' logarithm is capped here).
        layers: which layers to draw: ``None`` (all but reshaping, regularising and activation
            layers), ``"stages"`` (the last layer at each resolution, for deep networks) or a
            list of layer names; see ``architecture_rows``.
        per_row: at most this many layers in one row; by default as many as fit ``width``.
        width: the drawing's width in inches; default 11 (880 px at 80 dpi, a notebook's width),
            or the width of ``ax``. Rows wrap rather than shrink the labels.
        fontsize: the labels' size in points.
        max_layers: refuse to draw more layers than this; a diagram of a hundred layers is
            unreadable, so pass ``layers="stages"`` or a list of names for deep networks.

    Returns:
        The Figure.
    """
    if max_sheets < 1:
        raise ValueError(f"max_sheets must be at least 1, got {max_sheets}.")
    if per_row is not None and per_row < 1:
        raise ValueError(f"per_row must be at least 1, got {per_row}.")
    rows = architecture_rows(model, layers)
    if not rows:
        raise ValueError(f"no layers of {model.name} to draw; check the names in layers=.")
    if len(rows) > max_layers:
        hint = "" if layers == "stages" else ' Pass layers="stages" (the last layer at each resolution) or'
        raise ValueError(
            f"{model.name} has {len(rows)} layers to draw, too many for a readable diagram (max_layers={max_layers})."
            f"{hint or ' Pass'} a list of layer names, e.g. layers={[r[0] for r in rows[:3]]!r}, "
            "or raise max_layers."
        )
    if width is None:
        width = DEFAULT_WIDTH
        if ax is not None:
            width = ax.get_position().width * ax.figure.get_figwidth()
    biggest = max((s[0] for _, _, s in rows if len(s) == 3), default=1)
    items = [_Item(name, kind, shape, biggest, max_sheets, fontsize) for name, kind, shape in rows]
    lines = _split([it.slot for it in items], width - 2 * _MARGIN)
    if per_row is not None:
        lines = _limit_per_row(lines, per_row)

    # Lay the rows out top-down, from y = 0; a row's height is its tallest shape plus its labels.
    label_h = (fontsize * 1.25 * 2) / 72  # two lines
    y, bottoms = 0.0, []
    for line in lines:
        top = max(items[i].top for i in line)
        y -= top
        x = _MARGIN
        for i in line:
            items[i].x = x + (items[i].slot - items[i].width) / 2
            items[i].y = y
            x += items[i].slot
        label_y = y + min(items[i].bottom for i in line) - _LABEL_PAD  # one baseline for the row's labels
        bottom = label_y - label_h
        bottoms.append((bottom, x, label_y))
        y = bottom - _ROW_GAP
    used_width = max(b[1] for b in bottoms) + _MARGIN
    note = _wrap(_NOTE, fontsize, used_width - 2 * _MARGIN)
    note_y = bottoms[-1][0] - 0.12
    height = -note_y + (note.count("\n") + 1) * fontsize * 1.25 / 72 + 0.08

    own = ax is None
    fig, ax = new_axes(ax, figsize=(used_width, height + (_TITLE_H if title else 0.05)))
    if own:  # one data unit is one inch, so the sizes measured above hold exactly
        fig.set_layout_engine("none")
        ax.set_position([0, 0, 1, height / fig.get_figheight()])
    else:
        box = ax.get_position()
        box_w, box_h = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
        if box_w < 0.98 * used_width or box_h < 0.98 * height:
            warnings.warn(
                f"the axes are {box_w:.1f} × {box_h:.1f} in; this diagram needs {used_width:.1f} × {height:.1f} in "
                f"for its {fontsize:g} pt labels not to overlap. Give it a larger axes, or leave ax=None.",
                stacklevel=2,
            )

    for n, line in enumerate(lines):
        for k, i in enumerate(line):
            it = items[i]
            it.draw(ax, fontsize, bottoms[n][2])
            if k:
                prev = items[line[k - 1]]
                _arrow(ax, [(prev.x + prev.width + 0.04, it.y), (it.x - 0.04, it.y)])
        if n + 1 < len(lines):
            last, first = items[line[-1]], items[lines[n + 1][0]]
            right = bottoms[n][1]  # the row's right edge, clear of every label
            mid = bottoms[n][0] - _ROW_GAP / 2
            _arrow(
                ax,
                [
                    (last.x + last.width + 0.04, last.y),
                    (right, last.y),
                    (right, mid),
                    (_MARGIN / 2, mid),
                    (_MARGIN / 2, first.y),
                    (first.x - 0.04, first.y),
                ],
            )
    ax.text(_MARGIN, note_y, note, ha="left", va="top", fontsize=fontsize, color="#555555", style="italic")
    ax.set_xlim(0, used_width)
    ax.set_ylim(-height, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 2)
    return fig

"""Figures legible at notebook width: architecture diagrams, and the receptive-field drawings.

DESIGN.md, "Figures": legible at about 900 px (labels at least 9 pt, no overlaps), and a wide
architecture diagram wraps into rows rather than shrinking its labels. The notebooks draw at
80 dpi (``cnnlib.training.setup``), so 900 px is 11.25 inches.
"""

import warnings
from itertools import combinations

import keras
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from cnnlib.viz.architecture import architecture_rows, draw_architecture

NOTEBOOK_DPI = 80
NOTEBOOK_WIDTH_IN = 900 / NOTEBOOK_DPI


def _render(fig):
    """Draw ``fig`` at the notebooks' dpi on an Agg canvas; return its renderer."""
    fig.set_dpi(NOTEBOOK_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _drawn_texts(fig):
    """Every non-empty text artist the figure draws (tick labels outside the view are not drawn)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not ax.axison:  # ax.axis("off"): no ticks, no axis labels
                hidden.update(id(t) for t in axis.findobj(Text))
                continue
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _labels(fig):
    """The layer labels of an architecture diagram (its other text is the not-to-scale note)."""
    return [t for t in fig.axes[0].texts if "not to scale" not in t.get_text().lower()]


def _overlap(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _assert_inside_figure(fig, renderer):
    box = fig.bbox
    for t in _drawn_texts(fig):
        e = t.get_window_extent(renderer)
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, (
            f"{t.get_text()!r} at {e.bounds} is clipped by the figure {box.bounds}"
        )


def _assert_no_overlap(texts, renderer):
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for (ta, a), (tb, b) in combinations(boxes, 2):
        assert not _overlap(a, b), f"{ta!r} {a.bounds} overlaps {tb!r} {b.bounds}"


# --- architecture diagrams -------------------------------------------------------------------


@pytest.fixture(scope="module", params=["lenet5", "alexnet", "zfnet", "vgg16"])
def diagram(request):
    from cnnlib.models import get_model

    model = get_model(request.param)  # VGG-16 with its top: 138 M parameters, ~600 MB, a few seconds
    fig = draw_architecture(model, title=request.param)
    rows = architecture_rows(model)
    keras.backend.clear_session()
    return request.param, fig, rows


def test_diagram_fits_the_notebook_width(diagram):
    name, fig, _ = diagram
    assert fig.get_figwidth() <= NOTEBOOK_WIDTH_IN, f"{name}: {fig.get_figwidth() * NOTEBOOK_DPI:.0f} px wide"


def test_diagram_labels_are_legible_and_do_not_overlap(diagram):
    name, fig, rows = diagram
    renderer = _render(fig)
    ax = fig.axes[0]
    labels = _labels(fig)
    assert len(labels) == len(rows)
    assert min(t.get_fontsize() for t in ax.texts) >= 9
    _assert_no_overlap([*ax.texts, ax.title], renderer)
    _assert_inside_figure(fig, renderer)


def test_diagram_says_it_is_not_to_scale(diagram):
    _, fig, _ = diagram
    assert any("not to scale" in t.get_text().lower() for t in fig.axes[0].texts)


def test_long_diagrams_wrap_into_rows_short_ones_do_not(diagram):
    name, fig, _ = diagram
    baselines = {round(t.get_position()[1], 6) for t in _labels(fig)}
    expected = {"lenet5": 1, "alexnet": 2, "zfnet": 2, "vgg16": 3}[name]
    assert len(baselines) == expected


def _toy(blocks=4, convs=8):
    """A fast stand-in for a deep network: ``blocks`` resolutions of ``convs`` convolutions."""
    x = inputs = keras.Input((32, 32, 3), name="input_layer")
    for b in range(blocks):
        for c in range(convs):
            x = keras.layers.Conv2D(4, 3, padding="same", name=f"b{b}_conv{c}")(x)
        x = keras.layers.MaxPooling2D(name=f"b{b}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, keras.layers.Dense(10, name="predictions")(x), name="toy")


def test_rows_can_be_capped_per_row():
    fig = draw_architecture(_toy(blocks=1, convs=4), per_row=3)
    labels = _labels(fig)
    per_baseline = {}
    for t in labels:
        per_baseline.setdefault(round(t.get_position()[1], 6), []).append(t)
    assert len(labels) == 8 and max(len(v) for v in per_baseline.values()) <= 3


def test_too_many_layers_ask_for_a_selection():
    model = _toy()
    with pytest.raises(ValueError, match='layers="stages"'):
        draw_architecture(model)
    stages = [name for name, _, _ in architecture_rows(model, "stages")]
    # the input, the last layer at each resolution, then everything after the last map
    assert stages == [
        "input_layer",
        "b0_conv7",
        "b1_conv7",
        "b2_conv7",
        "b3_conv7",
        "b3_pool",
        "avg_pool",
        "predictions",
    ]
    staged = draw_architecture(model, layers="stages")
    _assert_no_overlap(staged.axes[0].texts, _render(staged))
    names = ["b0_conv0", "b2_pool", "predictions"]
    fig = draw_architecture(model, layers=names)
    assert [t.get_text().split("\n")[0] for t in _labels(fig)] == names
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        draw_architecture(model, layers=["nope"])


def test_draws_into_given_axes():
    from matplotlib.figure import Figure

    model = _toy(blocks=1, convs=2)
    fig = Figure(figsize=(10, 10))
    ax1, ax2 = fig.subplots(2, 1, height_ratios=[1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the axes are large enough
        assert draw_architecture(model, ax=ax2) is fig
    assert not ax1.texts and ax2.texts
    _assert_no_overlap(ax2.texts, _render(fig))
    with pytest.warns(UserWarning, match="needs"):
        draw_architecture(model, ax=Figure(figsize=(3, 2)).add_subplot())


# --- receptive-field drawings (notebook 02) ----------------------------------------------------


@pytest.fixture(scope="module")
def pooling_fields():
    """The two stacks of notebook 02, section 3: with and without 2×2 pooling, 28×28 input."""
    from cnnlib.arithmetic import Layer, receptive_field

    conv = [Layer("conv1", 3), Layer("pool1", 2, 2), Layer("conv2", 3), Layer("pool2", 2, 2), Layer("conv3", 3)]
    plain = [Layer("conv1", 3), Layer("conv2", 3), Layer("conv3", 3)]
    return {
        "with pooling": receptive_field(conv, input_size=28),
        "without pooling": receptive_field(plain, input_size=28),
    }


def test_field_growth_labels_stay_inside_and_apart(pooling_fields):
    from cnnlib.viz import plot_field_growth

    fig = plot_field_growth(pooling_fields)
    renderer = _render(fig)
    _assert_inside_figure(fig, renderer)
    ax = fig.axes[0]
    box = ax.get_window_extent(renderer)
    names = ax.texts
    assert sorted(t.get_text() for t in names) == [
        "conv1",
        "conv2",
        "conv2",
        "conv3",
        "conv3",
        "input",
        "pool1",
        "pool2",
    ]
    for t in names:  # inside the axes, not only the figure
        e = t.get_window_extent(renderer)
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, t.get_text()
        assert t.get_fontsize() >= 9
    _assert_no_overlap([*names, *ax.get_legend().get_texts()], renderer)


def test_receptive_field_pictures_are_not_clipped(pooling_fields):
    from cnnlib.viz import draw_receptive_field, figure_grid

    image = np.zeros((28, 28))
    fig, axes = figure_grid(1, 2, figsize=(6, 3.2))  # as notebook 02 draws them
    for ax, (label, rows) in zip(axes.flat, pooling_fields.items(), strict=True):
        draw_receptive_field(image, rows[-1], ax=ax, title=f"{label}: conv3 sees {rows[-1].field}x{rows[-1].field}")
    _assert_inside_figure(fig, _render(fig))
    single = draw_receptive_field(image, pooling_fields["without pooling"][-1])  # the default title
    _assert_inside_figure(single, _render(single))


def test_model_facts_draw_as_the_model():
    from cnnlib.models import lenet5, model_facts

    model = lenet5()
    facts = model_facts(lenet5)
    for layers in (None, "stages", ["c1_conv", "f6_dense"]):
        assert architecture_rows(facts, layers) == architecture_rows(model, layers)
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        architecture_rows(facts, ["nope"])
    assert draw_architecture(facts, title="from facts").axes

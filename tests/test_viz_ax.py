"""Drawings of several panels draw where they are told (DESIGN.md, principle 4: ``ax=None``, return the Figure).

Each drawing below is given the axes it should fill; it must return their figure, draw in each
of them and add no axes of its own (colour bars apart). A ``Figure`` or ``SubFigure`` instead
gets the drawing's own grid, and the wrong number of axes is refused with a sentence.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnlib.experiments.comparison import TournamentResult
from cnnlib.experiments.feature_maps import draw_feature_maps
from cnnlib.viz import (
    draw_degradation,
    draw_error_vs_cost,
    draw_misclassified,
    draw_saliency,
    draw_tournament,
    show_filters,
    show_images,
)
from cnnlib.viz.pooling import draw_pooling

RNG = np.random.default_rng(0)
HISTORY = {"step_loss": list(np.linspace(2.3, 1.5, 30)), "loss": [1.5]}
RUNS = {"plain8": [HISTORY], "plain20": [HISTORY], "resnet8": [HISTORY], "resnet20": [HISTORY]}
RESULTS = [
    TournamentResult("ResNet", 20_000, 10**6, (0.3, 0.32, 0.31), 0.02, (1.0, 1.1, 0.9)),
    TournamentResult("VGG", 30_000, 2 * 10**6, (0.4, 0.42, 0.41), 0.03, (2.0, 2.1, 1.9)),
]


def _axes(nrows, ncols, figsize=(8, 4)):
    """A caller's own figure and its grid of axes (flat)."""
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, list(fig.subplots(nrows, ncols, squeeze=False).flat)


def _drew_in(ax) -> bool:
    return bool(ax.images or ax.lines or ax.patches or ax.collections)


def _cards():
    from cnnlib.models import get_card

    return {name: get_card(name) for name in ("lenet5", "alexnet", "vgg16", "resnet50", "resnet20", "resnet56")}


def test_show_images_fills_the_given_axes_and_leaves_the_spare_ones_empty():
    fig, axes = _axes(2, 3)
    out = show_images([RNG.random((4, 4)) for _ in range(5)], titles=list("abcde"), ax=axes)
    assert out is fig and out is axes[0].figure
    assert all(len(ax.images) == 1 for ax in axes[:5]) and not axes[5].images and not axes[5].axison
    assert [ax.get_title() for ax in axes[:5]] == list("abcde") and len(fig.axes) == 6
    one = Figure().add_subplot()
    assert show_images([RNG.random((4, 4))], ax=one) is one.figure and one.images  # one image, one Axes


def test_draw_feature_maps_draws_one_channel_per_given_axes():
    fig, axes = _axes(1, 4)
    out = draw_feature_maps(RNG.random((6, 6, 10)), n=4, title="conv1 of an untrained LeNet", ax=axes)
    assert out is fig and all(_drew_in(ax) for ax in axes) and len(fig.axes) == 4
    assert [ax.get_title() for ax in axes] == [f"channel {i}" for i in range(4)]
    assert fig.get_suptitle() == "conv1 of an untrained LeNet"


def test_draw_misclassified_draws_each_mistake_in_the_given_axes():
    fig, axes = _axes(1, 2)
    out = draw_misclassified(RNG.random((3, 4, 4, 1)), [0, 1, 2], [0, 2, 1], ["a", "b", "c"], ax=axes)
    assert out is fig and all(_drew_in(ax) for ax in axes)
    assert [ax.get_title() for ax in axes] == ["b → c", "c → b"]


def test_show_filters_draws_each_filter_in_the_given_axes():
    fig, axes = _axes(2, 3)
    out = show_filters(RNG.normal(size=(3, 3, 1, 6)), ax=np.array(axes).reshape(2, 3))  # the array subplots gives
    assert out is fig and all(_drew_in(ax) for ax in axes) and len(fig.axes) == 6


def test_draw_pooling_draws_the_map_and_the_pooled_map_in_the_given_axes():
    fig, (left, right) = _axes(1, 2)
    out = draw_pooling(RNG.random((8, 8)), pool=2, ax=[left, right])
    assert out is fig and _drew_in(left) and _drew_in(right)
    assert left.patches and right.images[0].get_array().shape == (4, 4)  # the windows; the pooled map


def test_draw_degradation_draws_plain_and_residual_in_the_given_axes():
    fig, (plain, residual) = _axes(1, 2)
    out = draw_degradation(RUNS, window=5, title="t", ax=[plain, residual])
    assert out is fig and len(plain.lines) == len(residual.lines) == 4  # per depth: one seed and the mean
    assert (plain.get_title(), residual.get_title()) == ("plain networks", "residual networks (ResNet)")


def test_draw_saliency_draws_inputs_over_pictures_in_the_given_axes():
    images = RNG.random((3, 8, 8, 3)).astype("float32")
    fig, axes = _axes(2, 3)
    out = draw_saliency(images, images - 0.5, titles=["a", "b", "c"], ax=axes)
    assert out is fig and all(_drew_in(ax) for ax in axes) and len(fig.axes) == 6
    assert [ax.get_title() for ax in axes[:3]] == ["a", "b", "c"] and axes[3].get_ylabel() == "guided backprop"


def test_draw_error_vs_cost_draws_its_bubbles_in_the_given_axes():
    fig, (imagenet, cifar) = _axes(1, 2, figsize=(11, 4.4))
    out = draw_error_vs_cost(_cards(), ax=[imagenet, cifar])
    bubbles = [sum(len(c.get_offsets()) for c in ax.collections) for ax in (imagenet, cifar)]
    assert out is fig and bubbles == [3, 2]  # one per network with a published error on the panel's data set
    assert {t.get_text() for t in imagenet.texts} == {"AlexNet", "VGG-16", "ResNet-50"}


def test_draw_tournament_draws_its_three_panels_in_the_given_axes():
    fig, axes = _axes(1, 3, figsize=(11, 3.4))
    out = draw_tournament(RESULTS, ax=axes)
    assert out is fig and all(len(ax.patches) == 2 for ax in axes)  # one bar per entrant
    assert len(fig.axes) == 3


def test_a_figure_or_subfigure_gets_the_drawings_own_grid():
    fig = Figure(figsize=(12, 7), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    assert draw_degradation(RUNS, window=5, title="degradation", ax=top) is fig
    assert len(top.axes) == 2 and top.get_suptitle() == "degradation" and not fig.get_suptitle()
    assert draw_error_vs_cost(_cards(), ax=bottom) is fig  # labels placed on the whole figure's layout
    assert len(bottom.axes) == 2 and bottom.legends and bottom.axes[0].texts
    whole = Figure(figsize=(6, 3))
    assert draw_pooling(RNG.random((8, 8)), ax=whole) is whole and len(whole.axes) == 2


def test_the_wrong_axes_are_explained():
    _, axes = _axes(1, 3)
    with pytest.raises(ValueError, match="2 panels, so ax needs 2 axes, got 3"):
        draw_pooling(RNG.random((8, 8)), ax=axes)
    with pytest.raises(ValueError, match="2 panels, so ax needs 2 axes, got 1"):
        draw_degradation(RUNS, ax=axes[0])
    with pytest.raises(ValueError, match="needs at least 5 axes, got 3"):
        draw_feature_maps(RNG.random((6, 6, 5)), ax=axes)
    with pytest.raises(ValueError, match="ax must be matplotlib axes or a figure, got str"):
        show_images([RNG.random((4, 4))], ax="left")
    fig = Figure()
    with pytest.raises(ValueError, match=r"got SubplotSpec.*fig\.add_subfigure\(spec\)"):
        draw_tournament(RESULTS, ax=fig.add_gridspec(2, 1)[0])


def test_recorded_error_curves_draw_one_panel_per_family(tmp_path, monkeypatch):
    import json

    from cnnlib.experiments import recorded
    from cnnlib.viz import draw_error_curves

    epochs = [{"train_loss": 2.0 - e / 10, "train_error": 0.8 - e / 20, "test_error": 0.82 - e / 25} for e in range(3)]
    data = {"command": "python benchmarks/x.py", "config": {"seeds": [0, 1], "epochs": 3, "size": 16},
            "notes": "n", "hardware": "no GPU; CPU x, 2 cores", "versions": {"keras": "3"},
            "sittings": [{"started": "2026-12-07T10:00:00+00:00"}], "images": {"train": 100, "test": 10},
            "runs": {f"{n}/seed{s}": {"epochs": epochs, "seconds": 60.0}
                     for n in ("plain8", "resnet8") for s in (0, 1)}}  # fmt: skip
    (tmp_path / "x.json").write_text(json.dumps(data))
    monkeypatch.setenv("CNNLIB_RESULTS_DIR", str(tmp_path))
    rec = recorded.load("x")
    assert rec.complete("plain8") and rec.final("resnet8") == pytest.approx([0.7, 0.7]) and rec.hours == 4 * 60 / 3600
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert draw_error_curves(rec, {"plain": ["plain8"], "residual": ["resnet8"]}, ax=axes) is fig
    assert all(len(a.lines) == 2 * 2 + 2 for a in axes)  # two seeds and their mean, training and test
    with pytest.raises(ValueError, match="resnet56 not in this recording"):
        draw_error_curves(rec, {"x": ["resnet56"]})


def test_draw_step_losses_draws_each_seed_and_the_mean_and_survives_a_diverged_run():
    from cnnlib.viz import draw_step_losses

    diverged = {"step_loss": [2.3, float("nan"), float("inf")] + [2.3] * 27}
    fig, (ax,) = _axes(1, 1)
    assert draw_step_losses({"plain": [diverged, HISTORY], "BN": [HISTORY, HISTORY]}, window=5, ax=ax) is fig
    assert len(ax.lines) == 6 and fig.axes == [ax]
    with pytest.raises(ValueError, match="histories"):
        draw_step_losses({"plain": []})

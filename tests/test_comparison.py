"""cnnlib.experiments.comparison and cnnlib.viz.zoo: the data, the measurements and the drawings of notebook 10."""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnlib.experiments.comparison import (
    ENTRANTS,
    KERAS_APPLICATIONS,
    MILESTONES,
    Entrant,
    Latency,
    TournamentResult,
    format_cards,
    inference_times,
    latency,
    pareto_front,
    tournament,
)
from cnnlib.models import get_card, list_models
from cnnlib.training import accuracy, train_from_seeds
from cnnlib.viz import draw_error_vs_cost, draw_timeline, draw_tournament

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
CARDS = {name: get_card(name) for name in list_models()}
SMALL = (16, 16, 3)


def test_every_milestone_is_a_registered_model_with_its_notebook():
    notes = ["lenet5", "alexnet", "zfnet", "vgg16", "googlenet", "resnet50", "densenet121"]
    assert [m.model for m in MILESTONES] == notes
    for m in MILESTONES:
        assert m.model in CARDS
        assert (NOTEBOOKS / m.notebook).is_file(), m.notebook
    years = [CARDS[m.model].year for m in MILESTONES]
    assert years == sorted(years)


def test_keras_applications_names_exist_and_match_our_parameter_counts():
    for ours, theirs in KERAS_APPLICATIONS.items():
        assert ours in CARDS
        assert callable(getattr(keras.applications, theirs))
    # One pair built in full (the weight-transfer tests in test_models.py cover all of them).
    app = keras.applications.ResNet50(weights=None)
    assert app.count_params() == CARDS["resnet50"].params


def test_format_cards_has_a_header_and_one_line_per_card():
    lines = format_cards(CARDS).splitlines()
    assert len(lines) == len(CARDS) + 1
    assert lines[0].split()[:2] == ["network", "year"]
    vgg16 = next(line for line in lines if line.startswith("VGG-16 "))
    assert "138 M" in vgg16 and "15.5 G" in vgg16 and "27.00" in vgg16 and "8.80" in vgg16
    googlenet = next(line for line in lines if line.startswith("GoogLeNet "))
    assert "—" in googlenet  # no published top-1


def _card(name, macs, top5, dataset="ImageNet"):
    return dataclasses.replace(CARDS["resnet50"], label=name, macs=macs, top5_error=top5, dataset=dataset)


def test_pareto_front_keeps_only_networks_that_beat_every_cheaper_one():
    cards = {
        "a": _card("a", 100, 20.0),
        "b": _card("b", 200, 25.0),  # dearer and worse than a
        "c": _card("c", 300, 10.0),
        "d": _card("d", 50, 30.0),
        "e": _card("e", 10, None),  # no error: left out
        "f": dataclasses.replace(_card("f", 1, None, dataset="CIFAR-10"), top1_error=1.0),  # other data: left out
    }
    assert pareto_front(cards) == ["d", "a", "c"]
    assert pareto_front(CARDS)[0] == "alexnet"
    assert not [n for n in pareto_front(CARDS) if n.startswith("vgg")]
    with pytest.raises(ValueError, match="top1_error"):
        pareto_front(cards, error="error")


def test_pareto_front_of_one_protocol_compares_like_with_like():
    """With ten crops, DenseNet's 10-crop figures (from its card) stand against ResNet's; VGG (dense evaluation)
    and the networks tested with one crop only drop out."""
    front = pareto_front(CARDS, protocol="10 crops")
    assert front == ["alexnet", "googlenet", "densenet121", "densenet169", "densenet201"]
    assert CARDS["densenet121"].errors("10 crops") == (23.61, 6.66)
    assert CARDS["densenet121"].errors() == (25.02, 7.71) == CARDS["densenet121"].errors("1 crop")
    assert CARDS["resnet18"].errors("10 crops") == (None, None)
    # DenseNet-121 with ten crops: 23.61 % top-1 at 2.83 G multiply-adds, ResNet-34 24.52 % at 3.66 G
    pair = {n: CARDS[n] for n in ("resnet34", "densenet121")}
    assert pareto_front(pair, error="top1_error", protocol="10 crops") == ["densenet121"]
    assert pareto_front(pair, error="top1_error") == ["densenet121", "resnet34"]  # each its own protocol
    with pytest.raises(ValueError, match="protocol must be one of"):
        CARDS["googlenet"].errors("144 crops")


def test_latency_is_a_positive_median_and_refuses_no_repeats():
    seconds = latency(partial(keras.Sequential, [keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3)]), (8, 8, 1), 2)
    assert seconds > 0
    with pytest.raises(ValueError, match="repeats"):
        latency(lambda: None, (8, 8, 1), repeats=0)


def test_inference_times_pairs_ours_with_keras_applications_the_largest_first(monkeypatch):
    timed = []

    def fake(build, input_shape, repeats):
        timed.append(getattr(build, "func", build))
        return {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}[len(timed) - 1]

    monkeypatch.setattr("cnnlib.experiments.comparison.latency", fake)
    rows = inference_times(["lenet5", "resnet50", "densenet121"], repeats=1, keras_for={"resnet50"})
    # resnet50 (25.6 M parameters) first, then its keras.applications twin, densenet121 (8 M), lenet5.
    assert [getattr(f, "__name__", "") for f in timed[1:3]] == ["ResNet50", "get_model"]
    assert rows == [Latency("lenet5", 0.4, None), Latency("resnet50", 0.1, 0.2), Latency("densenet121", 0.3, None)]
    assert rows[1].ratio == pytest.approx(0.5) and rows[0].ratio is None


def test_the_entrants_share_one_parameter_budget():
    counts = {e.family: e.build(SMALL).count_params() for e in ENTRANTS}
    assert set(counts) == {"VGG", "GoogLeNet", "ResNet", "DenseNet"}
    assert max(counts.values()) < 1.25 * min(counts.values()), counts
    assert 15_000 < min(counts.values()) and max(counts.values()) < 30_000, counts


def test_accuracy_counts_right_answers_and_refuses_mismatched_labels():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, kernel_initializer="zeros")])
    model.layers[0].bias.assign(np.array([0.0, 1.0, 0.0], dtype="float32"))  # always class 1
    x = np.zeros((5, 4), dtype="float32")
    assert accuracy(model, x, np.array([1, 1, 0, 2, 1]), batch_size=2) == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="labels"):
        accuracy(model, x, np.array([1, 1]))


def test_tournament_trains_each_entrant_from_each_seed():
    rng = np.random.default_rng(0)
    x, y = rng.random((64, *SMALL), dtype=np.float32), rng.integers(0, 10, 64)
    resnet = next(e for e in ENTRANTS if e.family == "ResNet")
    (result,) = tournament(x, y, x[:20], y[:20], seeds=[0, 1], epochs=1, batch_size=32, entrants=[resnet])
    assert isinstance(result, TournamentResult)
    assert result.family == "ResNet" and result.params == resnet.build(SMALL).count_params()
    assert len(result.accuracy) == 2 and all(0 <= a <= 1 for a in result.accuracy)
    assert result.step_seconds > 0 and len(result.train_seconds) == 2
    expected = (result.mean_accuracy - 0.1) / (result.params / 1e4)
    assert result.accuracy_per_10k_params == pytest.approx(expected)


def test_train_from_seeds_records_step_times_and_test_accuracy():
    rng = np.random.default_rng(1)
    x, y = rng.random((40, 8, 8, 1), dtype=np.float32), rng.integers(0, 2, 40)

    def build():
        return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")])

    (run,) = train_from_seeds(build, x, y, [0], epochs=2, batch_size=16, test=(x[:10], y[:10]))
    assert len(run["step_seconds"]) == len(run["step_loss"]) == 2 * 3
    assert 0 <= run["test_accuracy"] <= 1


def test_an_entrant_is_data_and_builds_at_any_small_size():
    entrant = Entrant("ResNet", "test", "cifar_resnet", (("depth", 8), ("base_width", 4)))
    assert hash(entrant)
    assert entrant.build((8, 8, 3), classes=5).output.shape[-1] == 5


def test_the_drawings_return_figures():
    fig = draw_error_vs_cost(CARDS)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    titles = [ax.get_title() for ax in fig.axes]
    imagenet = sum(c.dataset == "ImageNet" and c.top5_error is not None for c in CARDS.values())
    assert titles[0] == f"ImageNet: {imagenet} networks"
    labels = [[t for t in ax.texts if t.get_text()] for ax in fig.axes]
    assert sorted(t.get_text() for t in labels[0]) == sorted(
        c.label for c in CARDS.values() if c.dataset == "ImageNet" and c.top5_error is not None
    )
    for ax, texts in zip(fig.axes, labels, strict=True):  # no label covers another, and each stays in its panel
        boxes = [(t.get_window_extent(), Text.get_window_extent(t))[1] for t in texts]  # the words, not the line
        assert all(box.fully_overlaps(ax.get_window_extent()) for box in boxes)
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert isinstance(draw_timeline(MILESTONES, CARDS), Figure)
    result = TournamentResult("ResNet", 20_000, 10**6, (0.3, 0.32, 0.31), 0.02, (1.0, 1.1, 0.9))
    assert len(draw_tournament([result]).axes) == 3

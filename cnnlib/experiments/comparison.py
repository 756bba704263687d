"""The networks side by side (notebook 10): what each introduced, what it costs, how fast it runs.

Three kinds of figures, kept apart because they mean different things:

- **Published** (from the model cards, :func:`cnnlib.models.get_card`): parameters, multiply-adds
  and the papers' errors. Nothing is measured here; the papers' test protocols differ (one crop,
  ten crops, several scales), which each card's ``error_source`` says.
- **Measured, full size**: :func:`inference_times` runs each network of the notes at its default
  input on this machine's CPU, ours beside ``keras.applications``' where that exists.
- **Measured, small**: :func:`tournament` trains a scaled version of each family on the same data,
  at the same parameter budget, for the same number of steps, from several seeds.

The families and what each introduced are data (:data:`MILESTONES`); the years and names come from
the cards, so they are written once.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np

__all__ = [
    "ENTRANTS",
    "KERAS_APPLICATIONS",
    "MILESTONES",
    "Entrant",
    "Latency",
    "Milestone",
    "TournamentResult",
    "format_cards",
    "inference_times",
    "latency",
    "pareto_front",
    "tournament",
]


class Milestone(NamedTuple):
    """One family of the notes: its representative network, what it introduced, where it is taught."""

    model: str  # a registered name; label and year come from its card
    introduced: str
    notebook: str


MILESTONES = (
    Milestone("lenet5", "convolution + subsampling, learned end to end by backpropagation", "03_lenet.ipynb"),
    Milestone("alexnet", "ReLU, dropout, data augmentation, two GPUs: deep CNNs win ImageNet", "04_alexnet.ipynb"),
    Milestone("zfnet", "looking inside (deconvnet): a smaller first kernel and stride", "05_zfnet.ipynb"),
    Milestone("vgg16", "depth from stacks of 3 x 3 convolutions", "06_vgg.ipynb"),
    Milestone("googlenet", "Inception modules, 1 x 1 reductions, global average pooling", "07_googlenet.ipynb"),
    Milestone("resnet50", "identity shortcuts: residual learning trains 152 layers", "08_resnet.ipynb"),
    Milestone("densenet121", "dense connections: every layer reads all earlier maps", "09_densenet.ipynb"),
)

# The zoo's networks that keras.applications also builds (same layers, same parameter count).
KERAS_APPLICATIONS = {
    "vgg16": "VGG16",
    "vgg19": "VGG19",
    "inception_v3": "InceptionV3",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
    "resnet152": "ResNet152",
    "resnet50v2": "ResNet50V2",
    "densenet121": "DenseNet121",
    "densenet169": "DenseNet169",
    "densenet201": "DenseNet201",
}


def format_cards(cards: dict) -> str:
    """The model cards as an aligned text table: network, year, parameters, multiply-adds at the default
    input, and the published error with its data set (a dash where none was published)."""
    from cnnlib.models.cards import si_prefixed

    head = f"{'network':<18}{'year':>5}{'input':>10}{'params':>10}{'mult-adds':>11}"
    lines = [f"{head}  {'data':<9}{'top-1':>7}{'top-5':>7}  {'tested with':<15}{'10 crops':>13}"]
    for c in cards.values():
        size = f"{c.input_shape[0]}x{c.input_shape[1]}"
        top1, top5 = (_percent(e) for e in (c.top1_error, c.top5_error))
        counts = f"{si_prefixed(c.params):>10}{si_prefixed(c.macs):>11}"
        ten = "" if c.ten_crop is None else " / ".join(_percent(e) for e in c.ten_crop)
        errors = f"{c.dataset:<9}{top1:>7}{top5:>7}  {c.protocol:<15}{ten:>13}"
        lines.append(f"{c.label:<18}{c.year:>5}{size:>10}{counts}  {errors}".rstrip())
    return "\n".join(lines)


def _percent(error) -> str:
    return "—" if error is None else f"{error:.2f}"


def pareto_front(cards: dict, error: str = "top5_error", dataset: str = "ImageNet", protocol: str | None = None):
    """The networks no other network beats on both counts: each has a lower ``error`` than every
    network with fewer multiply-adds. Cheapest first; networks without the error are left out.

    Args:
        cards: ``{name: ModelCard}``.
        error: ``"top1_error"`` or ``"top5_error"``.
        dataset: only the cards of this data set (errors on different data do not compare).
        protocol: only errors measured this way (e.g. ``"10 crops"``, see ``ModelCard.errors``); None takes
            each card's own figure, whatever its protocol.
    """
    if error not in ("top1_error", "top5_error"):
        raise ValueError(f"error must be 'top1_error' or 'top5_error', got {error!r}.")
    which = 0 if error == "top1_error" else 1
    values = {name: c.errors(protocol)[which] for name, c in cards.items() if c.dataset == dataset}
    ranked = sorted((cards[name].macs, value, name) for name, value in values.items() if value is not None)
    front, best = [], float("inf")
    for _, value, name in ranked:
        if value < best:
            front.append(name)
            best = value
    return front


class Latency(NamedTuple):
    """Seconds per image of one network's forward pass, ours and keras.applications' (or None)."""

    name: str
    ours: float
    keras: float | None

    @property
    def ratio(self) -> float | None:
        """Ours divided by keras.applications' (1 = as fast)."""
        return None if self.keras is None else self.ours / self.keras


def _release() -> None:
    import keras

    keras.backend.clear_session()
    gc.collect()


def latency(build, input_shape, repeats: int = 5) -> float:
    """Median seconds of one forward pass of one image (batch of 1) through ``build()``'s model.

    The model is built with zero weights (:func:`cnnlib.experiments.measure.zero_initializers`: a dense
    convolution costs the same whatever its weights, and VGG-16 then fits a 2 GB session),
    called once to warm up, timed ``repeats`` times, and released.
    """
    from cnnlib.experiments.measure import zero_initializers

    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats!r}.")
    with zero_initializers():
        model = build()
    x = np.random.default_rng(0).random((1, *input_shape), dtype=np.float32)
    np.asarray(model(x, training=False))  # the first call sets up every layer's kernels
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.asarray(model(x, training=False))
        times.append(time.perf_counter() - start)
    del model
    _release()
    return statistics.median(times)


def inference_times(names, repeats: int = 5, keras_for=None) -> list[Latency]:
    """:func:`latency` of each registered network at its card's input, and of keras.applications'
    same network where :data:`KERAS_APPLICATIONS` has it, timed right after ours (one run, same load).

    Args:
        keras_for: the names to time keras.applications' network for too (default: every name it
            has). A 2 GB session cannot hold VGG-16 twice in a row: TensorFlow keeps part of the
            memory of a released model, so the second one's peak comes on top.
    """
    import keras

    from cnnlib.models import get_card, get_model

    rows = {}
    # The largest first: TensorFlow keeps part of each released model's memory, so the biggest build
    # peaks lowest while the session is still small (VGG-16 first: 1.46 GB; after AlexNet and ZFNet: 1.76 GB).
    for name in sorted(names, key=lambda n: -get_card(n).params):
        card = get_card(name)
        ours = latency(partial(get_model, name), card.input_shape, repeats)
        theirs = None
        if name in KERAS_APPLICATIONS and (keras_for is None or name in keras_for):
            app = getattr(keras.applications, KERAS_APPLICATIONS[name])
            theirs = latency(partial(app, weights=None, input_shape=card.input_shape), card.input_shape, repeats)
        rows[name] = Latency(name, ours, theirs)
    return [rows[name] for name in names]


@dataclass(frozen=True)
class Entrant:
    """A family's network scaled to the tournament's budget: a builder and its keyword arguments."""

    family: str
    description: str
    builder: str  # "vgg", "mini_googlenet", "cifar_resnet" or "densenet"
    kwargs: tuple  # (key, value) pairs, so the entrant stays hashable data

    def build(self, input_shape, classes: int = 10):
        from cnnlib.models import cifar_resnet, densenet, vgg
        from cnnlib.models.mini_googlenet import mini_googlenet

        builders = {"vgg": vgg, "mini_googlenet": mini_googlenet, "cifar_resnet": cifar_resnet, "densenet": densenet}
        return builders[self.builder](**dict(self.kwargs), input_shape=input_shape, classes=classes)


# Four families at about 20,000 parameters each on 16 x 16 x 3 images (tests/test_comparison.py
# holds them within 15 % of each other). No dropout anywhere: a few hundred steps leave nothing to
# regularize, and the same rule for every family keeps the comparison about the architectures.
ENTRANTS = (
    Entrant(
        "VGG",
        "3 blocks of 3 x 3 convolutions (8-16-32 filters), two 32-unit dense layers",
        "vgg",
        (("config", (8, 8, "M", 16, 16, "M", 32, 32, "M")), ("dense_units", 32), ("dropout", 0.0), ("name", "vgg")),
    ),
    Entrant(
        "GoogLeNet",
        "Inception 3a, 3b, 4a, 4b at 1/8 of Table 1's widths, global average pooling",
        "mini_googlenet",
        (("width", 1 / 8), ("stages", ("3a", "3b", "pool", "4a", "4b")), ("dropout", 0.0), ("name", "googlenet")),
    ),
    Entrant(
        "ResNet",
        "ResNet-8 (3 basic blocks, 8-16-32 filters, option A shortcuts)",
        "cifar_resnet",
        (("depth", 8), ("base_width", 8), ("name", "resnet")),
    ),
    Entrant(
        "DenseNet",
        "DenseNet-BC with 3 dense blocks of 2 layers, growth rate 8",
        "densenet",
        (("blocks", (2, 2, 2)), ("growth_rate", 8), ("stem", "cifar"), ("name", "densenet")),
    ),
)


@dataclass(frozen=True)
class TournamentResult:
    """One entrant's runs: its size and, per seed, its test accuracy and training time."""

    family: str
    params: int
    macs: int
    accuracy: tuple[float, ...]  # test accuracy per seed
    step_seconds: float  # median training step, tracing excluded
    train_seconds: tuple[float, ...]  # per seed: every step of the run but its first (which traces)

    @property
    def mean_accuracy(self) -> float:
        return statistics.fmean(self.accuracy)

    @property
    def spread(self) -> float:
        """Standard deviation of the accuracy over the seeds (0 for one seed)."""
        return statistics.stdev(self.accuracy) if len(self.accuracy) > 1 else 0.0

    @property
    def accuracy_per_10k_params(self) -> float:
        """Mean accuracy above chance (10 classes: 0.1) per 10,000 parameters."""
        return (self.mean_accuracy - 0.1) / (self.params / 1e4)

    @property
    def accuracy_per_second(self) -> float:
        """Mean accuracy above chance per second of training on this machine."""
        return (self.mean_accuracy - 0.1) / statistics.fmean(self.train_seconds)


def tournament(
    x, y, x_test, y_test, seeds, epochs: int, batch_size: int = 64, entrants=ENTRANTS, learning_rate: float = 4e-3
) -> list[TournamentResult]:
    """Train every entrant from every seed the same way (``train_from_seeds``: Adam with a cosine
    decay, same data, same batches, same number of steps) and measure it on the test images."""
    from cnnlib.arithmetic import count_macs
    from cnnlib.training import train_from_seeds

    shape = tuple(np.shape(x)[1:])
    results = []
    for entrant in entrants:
        model = entrant.build(shape)
        params, macs = model.count_params(), count_macs(model)
        del model
        runs = train_from_seeds(
            lambda entrant=entrant: entrant.build(shape),
            x,
            y,
            seeds,
            epochs,
            batch_size,
            learning_rate,
            test=(x_test, y_test),
        )
        steps = [s for run in runs for s in run["step_seconds"][1:]]
        results.append(
            TournamentResult(
                family=entrant.family,
                params=params,
                macs=macs,
                accuracy=tuple(run["test_accuracy"] for run in runs),
                step_seconds=statistics.median(steps),
                train_seconds=tuple(sum(run["step_seconds"][1:]) for run in runs),
            )
        )
        _release()
    return results

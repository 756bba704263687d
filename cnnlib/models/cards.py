"""Model cards: what the zoo knows about each registered network, as data.

A card travels with its builder (``register_model(card=...)``) and is read back with
:func:`cnnlib.models.get_card`. Its counts are written out as numbers; ``tests/test_models.py``
builds every registered model at the card's input and checks them, so a card cannot drift
from its builder. The published errors are the papers' (or, where the paper has no figure for
exactly this variant, the documentation of the library with the same layout), each with its
source; where none exists, the error is None and ``error_source`` says why.

No Keras import: reading a card builds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnlib.arithmetic import is_whole

PARAMS_KINDS = ("total", "trainable")
# How an ImageNet error was measured: one centre crop, the average over ten crops (four corners and the centre,
# and their mirror images), the whole image at one scale with the dense layers run as convolutions (VGG), or a
# protocol the paper does not state. Ten crops lower an error by one to two points; compare like with like.
PROTOCOLS = ("1 crop", "10 crops", "dense, 1 scale", "not stated")


@dataclass(frozen=True)
class ModelCard:
    """One registered network: its paper, its size and its published error.

    Attributes:
        label: the network's name as the paper writes it, e.g. ``"ResNet-50"``.
        family: the family it belongs to, e.g. ``"ResNet"``.
        variant: which network of the paper this is and how it is laid out, e.g.
            ``"configuration D of Table 1"``.
        paper: short citation: authors, title, venue and year of publication.
        year: the year the network appeared, as the course notes' headings give it
            (the ILSVRC entry or first preprint; it can precede the venue's year).
        input_shape: the builder's default ``(height, width, channels)``.
        classes: the builder's default number of classes.
        params: parameters at the default input and classes, counted as ``params_kind`` says.
        params_kind: ``"total"`` (Keras' ``count_params``, batch-normalization moving statistics
            included, the keras.applications convention) or ``"trainable"`` (learned parameters
            only, the papers' and torchvision's convention).
        macs: multiply-adds of one forward pass at ``input_shape`` (``cnnlib.arithmetic.count_macs``).
        dataset: where the published error was measured: ``"ImageNet"``, ``"CIFAR-10"`` or ``"MNIST"``.
        top1_error: published top-1 error in percent (for CIFAR-10 and MNIST: the error rate);
            None where no figure was published for exactly this variant.
        top5_error: published top-5 error in percent (ImageNet only), or None.
        error_source: the table or figure (or documentation page) the errors come from, with its
            test protocol; where both errors are None, why there is no published figure.
        protocol: for a published ImageNet error, how it was measured (one of ``PROTOCOLS``);
            empty for the other data sets, whose errors are on their whole test set.
        ten_crop: ``(top-1, top-5)`` the same source published with ten crops, where the card's own
            figures are of another protocol (None for an error not given); None where it gave none.
    """

    label: str
    family: str
    variant: str
    paper: str
    year: int
    input_shape: tuple[int, int, int]
    classes: int
    params: int
    params_kind: str
    macs: int
    dataset: str
    top1_error: float | None
    top5_error: float | None
    error_source: str
    protocol: str = ""
    ten_crop: tuple[float | None, float | None] | None = None

    def __post_init__(self):
        for field in ("label", "family", "variant", "paper", "dataset", "error_source"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"a model card needs a non-empty {field}, got {value!r}.")
        for field in ("year", "classes", "params", "macs"):
            value = getattr(self, field)
            if not is_whole(value) or value < 1:
                raise ValueError(f"a model card's {field} must be a positive whole number, got {value!r}.")
        if len(self.input_shape) != 3 or not all(is_whole(v) and v > 0 for v in self.input_shape):
            raise ValueError(f"a model card's input_shape must be (height, width, channels), got {self.input_shape!r}.")
        if self.params_kind not in PARAMS_KINDS:
            raise ValueError(f"params_kind must be 'total' or 'trainable', got {self.params_kind!r}.")
        for field in ("top1_error", "top5_error"):
            value = getattr(self, field)
            if value is not None and not 0 < value < 100:
                raise ValueError(f"{field} is a percentage in (0, 100) or None, got {value!r}.")
        if self.dataset != "ImageNet" and self.top5_error is not None:
            raise ValueError(f"a top-5 error is an ImageNet figure; {self.dataset} has its error in top1_error.")
        if self.dataset == "ImageNet" and self.published and self.protocol not in PROTOCOLS:
            raise ValueError(
                f"a published ImageNet error needs its protocol, one of {PROTOCOLS}; got {self.protocol!r}."
            )
        if self.ten_crop is not None and (self.protocol in ("", "10 crops") or len(self.ten_crop) != 2):
            raise ValueError(
                "ten_crop is (top-1, top-5) with ten crops, for a card whose own figures are another "
                f"ImageNet protocol; got {self.ten_crop!r} on a card of protocol {self.protocol!r}."
            )

    def errors(self, protocol: str | None = None) -> tuple[float | None, float | None]:
        """(top-1, top-5) as published: the card's own figures, or those of ``protocol`` ("10 crops" can come
        from ``ten_crop``); (None, None) where the source published none with that protocol."""
        if protocol is None or protocol == self.protocol:
            return self.top1_error, self.top5_error
        if protocol == "10 crops" and self.ten_crop is not None:
            return self.ten_crop
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}.")
        return None, None

    @property
    def published(self) -> bool:
        """Whether a published error exists for exactly this variant."""
        return self.top1_error is not None or self.top5_error is not None

    def summary(self) -> str:
        """One line for docstrings and tables: size, cost and published error."""
        height, width, channels = self.input_shape
        kind = " trainable" if self.params_kind == "trainable" else ""
        macs = si_prefixed(self.macs)
        text = f"{self.params:,}{kind} parameters, {macs} multiply-adds at {height} x {width} x {channels}"
        if not self.published:
            return f"{text}; no published {self.dataset} error"
        if self.dataset != "ImageNet":
            return f"{text}; published {self.dataset} error {self.top1_error} %"
        errors = [f"{e} % {k}" for e, k in ((self.top1_error, "top-1"), (self.top5_error, "top-5")) if e is not None]
        return f"{text}; published ImageNet error {', '.join(errors)}"

    def doc_fields(self, name: str) -> dict:
        """The names a builder's docstring template may use: every field, ``name`` and ``summary``."""
        fields = {key: getattr(self, key) for key in self.__dataclass_fields__}
        return {**fields, "name": name, "summary": self.summary()}


def si_prefixed(count: float) -> str:
    """A count with three significant digits and an SI prefix: ``15.5 G``, ``61.7 k``, ``417``."""
    for scale, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count:.3g}"

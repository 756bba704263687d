"""Activation memory: how much a forward pass writes, layer by layer.

Training keeps every layer's output until the backward pass has used it, so these numbers, per
image and times the batch size, are what a training step holds besides the weights (the
gradients of the same sizes come on top during the backward pass). ``Flatten``, ``Reshape`` and
``Dropout`` (at inference) pass their input on without computing new values, so they are left out
by default, as in the usual VGG-16 account (Stanford CS231n: 24 M values, about 93 MB an image).

Read from :func:`cnnlib.arithmetic.layer_table` rows, so the module imports no backend.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from cnnlib.arithmetic.sizes import is_whole

__all__ = ["VIEWS", "ActivationRow", "activation_memory"]

VIEWS = ("Flatten", "Reshape", "Dropout")


class ActivationRow(NamedTuple):
    """One layer's output for one image: how many values and how many bytes."""

    name: str
    type: str
    values: int
    bytes: int


def _values(shape) -> int:
    if shape and isinstance(shape[0], tuple):  # a layer with several outputs
        return sum(_values(s) for s in shape)
    if any(d is None for d in shape):
        raise ValueError(
            f"an output shape {shape} has an unknown size: activation memory needs a model built for "
            "one input size, e.g. input_shape=(224, 224, 3)."
        )
    return math.prod(shape)


def activation_memory(rows, bytes_per_value: int = 4, skip=VIEWS) -> list[ActivationRow]:
    """The output of each layer for one image, in values and bytes.

    Args:
        rows: :func:`cnnlib.arithmetic.layer_table` rows (or ``model_facts(...).rows``); the input
            layer's row counts the image itself.
        bytes_per_value: 4 for float32, 2 for float16 or bfloat16.
        skip: layer types left out; by default the layers that compute no new values.

    Returns:
        One :class:`ActivationRow` per counted layer, in the model's order.
    """
    if not is_whole(bytes_per_value) or bytes_per_value < 1:
        raise ValueError(f"bytes_per_value must be a positive whole number (4 for float32), got {bytes_per_value!r}.")
    out = []
    for row in rows:
        if row.type in skip:
            continue
        values = _values(tuple(row.output_shape))
        out.append(ActivationRow(row.name, row.type, values, values * bytes_per_value))
    return out

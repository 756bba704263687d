"""activation_memory: the bytes it reports are the bytes a real forward pass writes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnnlib.arithmetic import activation_memory, layer_table
from cnnlib.arithmetic.memory import VIEWS
from cnnlib.models import vgg


def forward_outputs(model, x):
    """Every layer's output of a real forward pass, by layer name (the input layer gives x)."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    outputs = {layer.name: np.asarray(y) for layer, y in zip(layers, probe(x), strict=True)}
    outputs[model.layers[0].name] = x
    return outputs


@pytest.mark.parametrize("dtype, size", [("float32", 4), ("float16", 2)])
def test_bytes_match_a_forward_pass(dtype, size):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(dtype)
    try:
        model = vgg("A", input_shape=(32, 32, 3), classes=10, dropout=0.5)
    finally:
        keras.config.set_dtype_policy(previous)
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype(dtype)
    real = forward_outputs(model, x)
    rows = activation_memory(layer_table(model), bytes_per_value=size)
    assert [r.name for r in rows] == [layer.name for layer in model.layers if type(layer).__name__ not in VIEWS]
    for row in rows:
        # per image: the batch of two holds twice the bytes
        assert 2 * row.bytes == real[row.name].nbytes, row.name
    # the views left out hold no new values: Flatten's output has the pooled map's values
    assert real["flatten"].size == real["block5_pool"].size


def test_skip_and_multi_output_rows():
    from cnnlib.arithmetic.counts import LayerRow

    rows = [
        LayerRow("image", "InputLayer", (4, 4, 3), 0, 0),
        LayerRow("split", "Custom", ((4, 4, 1), (4, 4, 2)), 0, 0),
        LayerRow("flat", "Flatten", (48,), 0, 0),
    ]
    assert [r.values for r in activation_memory(rows)] == [48, 48]
    assert [r.name for r in activation_memory(rows, skip=("InputLayer",))] == ["split", "flat"]


@pytest.mark.parametrize("bad", [0, 2.5, True, "4"])
def test_bad_bytes_per_value(bad):
    with pytest.raises(ValueError, match="bytes_per_value"):
        activation_memory([], bytes_per_value=bad)


def test_unknown_size_is_explained():
    from cnnlib.arithmetic.counts import LayerRow

    with pytest.raises(ValueError, match="one input size"):
        activation_memory([LayerRow("image", "InputLayer", (None, None, 3), 0, 0)])

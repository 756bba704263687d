"""A full-size model's numbers without keeping its weights.

A notebook that only needs a big network's shapes, parameter and multiply-add counts (AlexNet's
62 million weights take about 600 MB while they are built) asks for :func:`model_facts`: the model
is built, read and released here, so the notebook's memory stays within a small session.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from cnnlib.arithmetic import count_macs, layer_table
from cnnlib.arithmetic.counts import LayerRow


@dataclass(frozen=True)
class ModelFacts:
    """What :func:`model_facts` read from a built model."""

    name: str
    params: int
    macs: int
    input_shape: tuple
    output_shape: tuple
    rows: tuple[LayerRow, ...]
    layer_types: tuple[str, ...]

    def row(self, layer: str) -> LayerRow:
        """The ``layer_table`` row of one layer, by name."""
        for row in self.rows:
            if row.name == layer:
                return row
        raise ValueError(f"{self.name} has no layer {layer!r}; its layers: {', '.join(r.name for r in self.rows)}.")

    @property
    def conv_params(self) -> int:
        return sum(r.params for r in self.rows if r.type == "Conv2D")

    @property
    def dense_params(self) -> int:
        return sum(r.params for r in self.rows if r.type == "Dense")

    @property
    def weight_layers(self) -> int:
        """Convolutional and dense layers: the depth papers quote ("VGG-16")."""
        return sum(r.type in ("Conv2D", "Dense") for r in self.rows)

    def size(self, layer: str) -> int:
        """Height of a layer's output (the side of a square feature map)."""
        return self.row(layer).output_shape[0]


def model_facts(name, dtype: str | None = None, **kwargs) -> ModelFacts:
    """Build a model, read its numbers, and release its weights.

    Args:
        name: a registered name (``get_model(name, **kwargs)``) or a function that builds the model.
        dtype: build under this Keras dtype policy, e.g. ``"float16"``: half the memory for a
            network whose float32 build would not fit a 2 GB session; counts and shapes are the same.
    """
    import keras

    from cnnlib.models._registry import get_model

    previous = keras.config.dtype_policy()
    if dtype is not None:
        keras.config.set_dtype_policy(dtype)
    try:
        model = name(**kwargs) if callable(name) else get_model(name, **kwargs)
    finally:
        keras.config.set_dtype_policy(previous)
    facts = ModelFacts(
        name=model.name,
        params=model.count_params(),
        macs=count_macs(model),
        # A Sequential model that was never called has no .output: ask it for the shape instead.
        input_shape=tuple(model.inputs[0].shape[1:]),
        output_shape=tuple(model.compute_output_shape(tuple(model.inputs[0].shape))[1:]),
        rows=tuple(layer_table(model)),
        layer_types=tuple(type(layer).__name__ for layer in model.layers),
    )
    del model
    gc.collect()  # Keras models hold reference cycles: free the weights now, not at some later point
    return facts

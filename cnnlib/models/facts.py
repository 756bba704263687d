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

    def size(self, layer: str) -> int:
        """Height of a layer's output (the side of a square feature map)."""
        return self.row(layer).output_shape[0]


def model_facts(name: str, **kwargs) -> ModelFacts:
    """Build ``get_model(name, **kwargs)``, read its numbers, and release its weights."""
    from cnnlib.models._registry import get_model

    model = get_model(name, **kwargs)
    facts = ModelFacts(
        name=model.name,
        params=model.count_params(),
        macs=count_macs(model),
        input_shape=tuple(model.input.shape[1:]),
        output_shape=tuple(model.output.shape[1:]),
        rows=tuple(layer_table(model)),
        layer_types=tuple(type(layer).__name__ for layer in model.layers),
    )
    del model
    gc.collect()  # Keras models hold reference cycles: free the weights now, not at some later point
    return facts

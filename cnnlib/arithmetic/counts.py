"""Multiply-adds and per-layer tables of a built Keras model.

``count_macs(model)`` adds up the multiply-adds (MACs) of the layers that multiply by
weights: convolutions (grouped, depthwise, separable, transposed) and dense layers, for one
input image. The convention is the papers': one MAC per weight use, so a convolution costs
``kernel_h * kernel_w * in_channels / groups * filters * out_h * out_w``. Bias additions,
batch normalization, activations, pooling, concatenations, additions and LRN are not
counted; they scale with the activations, not the weights, and are below 1 % of the total
for the networks of the notes. (Some tools count 2 FLOPs per MAC; divide their FLOPs by 2.)

Everything is read from the layers' configurations and output shapes, so the module
imports neither TensorFlow nor Keras and works on a model built in any backend.
"""

from __future__ import annotations

import html
import math
from typing import NamedTuple

from cnnlib.arithmetic.sizes import conv_macs

__all__ = ["LayerRow", "count_macs", "format_layer_table", "layer_macs", "layer_table"]

_CONV = {"Conv1D", "Conv2D", "Conv3D"}
_TRANSPOSED = {"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"}
_DEPTHWISE = {"DepthwiseConv1D", "DepthwiseConv2D"}
_SEPARABLE = {"SeparableConv1D", "SeparableConv2D"}


class LayerRow(NamedTuple):
    """One line of :func:`layer_table`."""

    name: str
    type: str
    output_shape: tuple
    params: int
    macs: int


def _is_model(layer) -> bool:
    return hasattr(layer, "layers") and hasattr(layer, "inputs")


def _shape(tensor, layer, what):
    shape = tuple(tensor.shape)
    if any(d is None for d in shape[1:]):
        raise ValueError(
            f"layer '{layer.name}' has {what} shape {shape[1:]} with an unknown size: multiply-adds "
            "need a model built for one input size, e.g. input_shape=(224, 224, 3)."
        )
    return shape


def _channels_and_spatial(shape, config):
    """Channels and spatial sizes of a batched shape, for either data format."""
    if config.get("data_format", "channels_last") == "channels_first":
        return shape[1], tuple(shape[2:])
    return shape[-1], tuple(shape[1:-1])


def layer_macs(layer) -> int:
    """Multiply-adds of one layer for one input (0 for layers without weights to multiply).

    A nested model counts as the sum of its layers.
    """
    if _is_model(layer):
        return sum(layer_macs(inner) for inner in layer.layers)
    kind = type(layer).__name__
    if kind not in _CONV | _TRANSPOSED | _DEPTHWISE | _SEPARABLE | {"Dense"}:
        return 0
    config = layer.get_config()
    in_shape = _shape(layer.input, layer, "input")
    out_shape = _shape(layer.output, layer, "output")
    if kind == "Dense":
        # A dense layer on a (batch, ..., features) tensor acts on every leading position.
        return in_shape[-1] * config["units"] * math.prod(out_shape[1:-1])
    kernel = math.prod(config["kernel_size"])
    c_in, in_spatial = _channels_and_spatial(in_shape, config)
    _, out_spatial = _channels_and_spatial(out_shape, config)
    in_positions, out_positions = math.prod(in_spatial), math.prod(out_spatial)
    if kind in _CONV:
        groups = config.get("groups", 1)
        if kind == "Conv2D":
            return conv_macs(tuple(config["kernel_size"]), c_in // groups, config["filters"], out_spatial)
        return kernel * (c_in // groups) * config["filters"] * out_positions
    if kind in _TRANSPOSED:
        # Every input position scatters one kernel into the output.
        return kernel * c_in * config["filters"] * in_positions
    multiplier = config.get("depth_multiplier", 1)
    depthwise = kernel * c_in * multiplier * out_positions
    if kind in _DEPTHWISE:
        return depthwise
    return depthwise + c_in * multiplier * config["filters"] * out_positions


def count_macs(model) -> int:
    """Multiply-adds of a built Keras model for one input (see the module docstring).

    A layer called several times in the model (shared weights) is counted once.

    Raises:
        ValueError: when the model's input size is not fixed.
    """
    return sum(layer_macs(layer) for layer in model.layers)


def layer_table(model) -> list[LayerRow]:
    """One :class:`LayerRow` per layer of ``model``: name, type, output shape (without the
    batch axis), parameters (as ``count_params``: batch-norm statistics included) and MACs."""
    rows = []
    for layer in model.layers:
        output = layer.output
        if isinstance(output, (list, tuple)):
            shape = tuple(tuple(t.shape[1:]) for t in output)
        else:
            shape = tuple(output.shape[1:])
        params = layer.count_params() if layer.weights else 0
        rows.append(LayerRow(layer.name, type(layer).__name__, shape, params, layer_macs(layer)))
    return rows


def _fmt_shape(shape) -> str:
    if shape and isinstance(shape[0], tuple):
        return ", ".join(_fmt_shape(s) for s in shape)
    return " x ".join("?" if d is None else str(d) for d in shape)


def format_layer_table(rows, html_table=False, total=True) -> str:
    """Render :func:`layer_table` rows as aligned text or as a small HTML table.

    Args:
        rows: the rows of :func:`layer_table`.
        html_table: return ``<table>`` markup (for ``IPython.display.HTML``) instead of text.
        total: append a line with the total parameters and MACs.
    """
    header = ("Layer", "Type", "Output shape", "Params", "MACs")
    body = [(r.name, r.type, _fmt_shape(r.output_shape), f"{r.params:,}", f"{r.macs:,}") for r in rows]
    if total:
        body.append(("Total", "", "", f"{sum(r.params for r in rows):,}", f"{sum(r.macs for r in rows):,}"))
    if html_table:
        right = ' style="text-align: right"'
        head = "".join(f"<th{right if i >= 3 else ''}>{h}</th>" for i, h in enumerate(header))
        lines = ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>"]
        for row in body:
            cells = "".join(f"<td{right if i >= 3 else ''}>{html.escape(v)}</td>" for i, v in enumerate(row))
            lines.append(f"<tr>{cells}</tr>")
        lines += ["</tbody>", "</table>"]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row):
        cells = [v.rjust(w) if i >= 3 else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "-" * len(line(header))
    out = [line(header), rule, *(line(r) for r in body[: len(rows)])]
    if total:
        out += [rule, line(body[-1])]
    return "\n".join(out)

"""Receptive fields: how much of the input one unit of a layer sees, layer by layer.

For each layer of a stack: output size, jump (the distance in input pixels between two
neighbouring units, i.e. the product of the strides so far), receptive field and the input
position of the first unit's centre. The recurrence (one axis):

    jump_out  = jump_in * stride
    field_out = field_in + (dilation * (kernel - 1)) * jump_in
    start_out = start_in + ((dilation * (kernel - 1)) / 2 - pad_before) * jump_in

Reference: A. Araujo, W. Norris, J. Sim, "Computing Receptive Fields of Convolutional
Neural Networks", Distill (2019).
"""

from __future__ import annotations

from typing import NamedTuple

from cnnlib.arithmetic.depth import _inbound  # the graph read as network_depth reads it
from cnnlib.arithmetic.sizes import conv_output_size, conv_padding, effective_kernel


class Layer(NamedTuple):
    """One sliding-window layer along one axis, as data."""

    name: str
    kernel: int
    stride: int = 1
    padding: object = "valid"
    dilation: int = 1


class FieldRow(NamedTuple):
    name: str
    size: int
    jump: int
    field: int
    start: float


def receptive_field(layers, input_size: int | None = None) -> list[FieldRow]:
    """Per-layer size, jump, receptive field and first centre for a stack of layers.

    Args:
        layers: a sequence of :class:`Layer` (or ``(name, kernel, stride, padding, dilation)``
            tuples), or a Keras model whose Conv/Pooling/ZeroPadding layers are read along
            the height axis (other layers change no field; the first Flatten, Dense or global
            pooling layer ends the table).
        input_size: the input's height; taken from the model when one is given.

    Returns:
        A list of :class:`FieldRow`, the first one for the input itself.
    """
    if hasattr(layers, "layers") and hasattr(layers, "input_shape"):
        input_size = input_size or layers.input_shape[1]
        layers = layers_from_keras(layers)
    if input_size is None:
        raise ValueError("give input_size: the height of the input in pixels.")
    rows = [FieldRow("input", int(input_size), 1, 1, 0.0)]
    for spec in layers:
        spec = Layer(*spec)
        prev = rows[-1]
        size = conv_output_size(prev.size, spec.kernel, spec.stride, spec.padding, spec.dilation)
        k = effective_kernel(spec.kernel, spec.dilation)
        before = conv_padding(prev.size, spec.kernel, spec.stride, spec.padding, spec.dilation).before
        rows.append(
            FieldRow(
                spec.name,
                size,
                prev.jump * spec.stride,
                prev.field + (k - 1) * prev.jump,
                prev.start + ((k - 1) / 2 - before) * prev.jump,
            )
        )
    return rows


def layers_from_keras(model) -> list[Layer]:
    """The sliding-window layers of a Keras model along the height axis, as :class:`Layer`."""
    out = []
    for layer in model.layers:
        kind = type(layer).__name__
        cfg = layer.get_config()
        if kind in ("Flatten", "Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            break
        if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):  # not Conv2DTranspose: it upsamples
            out.append(
                Layer(
                    layer.name,
                    cfg["kernel_size"][0],
                    cfg["strides"][0],
                    cfg["padding"],
                    cfg.get("dilation_rate", (1, 1))[0],
                )
            )
        elif kind in ("MaxPooling2D", "AveragePooling2D"):
            stride = cfg["strides"] or cfg["pool_size"]
            out.append(Layer(layer.name, cfg["pool_size"][0], stride[0], cfg["padding"]))
        elif kind == "ZeroPadding2D":
            (top, bottom), _ = cfg["padding"]
            if top != bottom:
                raise ValueError(f"{layer.name}: uneven zero padding is not supported here.")
            out.append(Layer(layer.name, 1, 1, top))
        elif "Conv" in kind or "Pool" in kind:
            # Other layers (activations, normalization, UpSampling2D, which only changes the scale the
            # field is counted in) do not change which input pixels a unit sees.
            raise ValueError(
                f"{layer.name}: a {kind} layer is not supported by the receptive-field arithmetic "
                "(2D convolutions and poolings that slide a window forward only)."
            )
    return out


class LayerField(NamedTuple):
    """Receptive field of one layer of a network with branches (one axis, in input pixels).

    ``jump`` and ``field`` are None for a layer whose units see the whole input (after a
    Flatten, Dense or global pooling layer).
    """

    jump: int | None
    field: int | None


_WHOLE_INPUT = ("Flatten", "Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D")
_MERGES = ("Add", "Concatenate", "Average", "Maximum", "Minimum", "Multiply", "Subtract")


def layer_fields(model, axis: int = 0) -> dict[str, LayerField]:
    """The receptive field of every layer of a Keras model, following its graph (branches included).

    :func:`receptive_field` walks ``model.layers`` one after the other, which is right for a chain
    (LeNet, VGG) but not for GoogLeNet, ResNet or DenseNet, whose layers sit side by side. Here each
    layer starts from the layers that feed it:

    - a convolution, pooling or zero-padding layer applies the recurrence of the module docstring
      (``field += (dilation * (kernel - 1)) * jump``, ``jump *= stride``);
    - a merge (Add, Concatenate...) sees what its widest input sees: the largest field;
    - a Flatten, Dense or global pooling layer, and every layer after it, sees the whole input
      (``LayerField(None, None)``);
    - any other layer (activation, normalization, dropout) passes its input's field on.

    The graph is read from ``model.get_config()``: no Keras import.

    Args:
        model: a built Keras model (functional or Sequential).
        axis: 0 for the height (as :func:`receptive_field`), 1 for the width.

    Returns:
        ``{layer name: LayerField(jump, field)}`` for every layer, the input layer included (1, 1).

    Raises:
        ValueError: for a layer the arithmetic does not cover (a transposed convolution, a nested model).
    """
    config = model.get_config()
    inbound = _inbound(config)
    kinds = {}
    configs = {}
    for entry in config["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        kinds[name], configs[name] = entry["class_name"], entry["config"]
    fields: dict[str, LayerField] = {}
    for name in _topological(inbound):
        sources = [fields[s] for s in inbound.get(name, []) if s in fields]
        fields[name] = _next_field(name, kinds[name], configs[name], sources, axis)
    return fields


def _topological(inbound: dict[str, list[str]]) -> list[str]:
    """Layer names, each after every layer that feeds it (without recursion: DenseNet-201 has 700 layers)."""
    order, done = [], set()
    for root in inbound:
        stack = [(root, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done:
                continue
            if expanded:
                done.add(name)
                order.append(name)
                continue
            stack.append((name, True))
            stack.extend((s, False) for s in inbound.get(name, []) if s not in done and s in inbound)
    return order


def _next_field(name: str, kind: str, cfg: dict, sources: list[LayerField], axis: int) -> LayerField:
    """One layer's field from those of the layers that feed it."""
    if not sources:  # an input layer
        return LayerField(1, 1)
    if kind in _WHOLE_INPUT or any(s.field is None for s in sources):
        return LayerField(None, None)
    widest = max(sources, key=lambda s: (s.field, s.jump))
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        k = effective_kernel(cfg["kernel_size"][axis], cfg.get("dilation_rate", (1, 1))[axis])
        return LayerField(widest.jump * cfg["strides"][axis], widest.field + (k - 1) * widest.jump)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        stride = (cfg["strides"] or cfg["pool_size"])[axis]
        return LayerField(widest.jump * stride, widest.field + (cfg["pool_size"][axis] - 1) * widest.jump)
    if kind in ("Functional", "Sequential", "Model"):
        raise ValueError(
            f"{name}: a model inside the model is not supported by the receptive-field arithmetic; "
            "explore the inner model on its own."
        )
    if kind not in _MERGES and ("Conv" in kind or "Pool" in kind):
        raise ValueError(
            f"{name}: a {kind} layer is not supported by the receptive-field arithmetic "
            "(2D convolutions and poolings that slide a window forward only)."
        )
    return widest  # merges take the widest input; zero padding, activations, normalization pass it on

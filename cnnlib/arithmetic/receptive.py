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

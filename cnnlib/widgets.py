"""Interactive explorers (ipywidgets) over the drawings of ``cnnlib.viz``.

Each explorer is a thin front end over a plain function (``conv_explorer_view``) that the
tests call directly: widget output cannot be compared by nbval, the function can.
ipywidgets is imported only when an explorer is built.
"""

from __future__ import annotations

import html
from typing import NamedTuple

from cnnlib.arithmetic import conv_output_size, explain_conv_output_size, pool_output_size
from cnnlib.viz.conv_arithmetic import draw_sliding_window
from cnnlib.viz.pooling import draw_pooling

PADDING_CHOICES = ("valid", "same", "full", 0, 1, 2, 3)


def conv_explorer_view(size=5, kernel=3, padding="valid", stride=1, dilation=1, step=0):
    """What the convolution explorer shows for one setting.

    Returns:
        ``(figure, message)``: the drawing and a one-line summary (output size and formula);
        for an impossible combination, ``(None, message)`` with the reason in plain words.
    """
    try:
        out = conv_output_size(size, kernel, stride, padding, dilation)
    except ValueError as err:
        return None, f"Not possible: {err}"
    step = min(max(int(step), 0), out * out - 1)
    fig = draw_sliding_window(size, kernel, stride, padding, dilation, step=step, formula=False)
    message = f"output {out}×{out}   ({explain_conv_output_size(size, kernel, stride, padding, dilation)})"
    return fig, message


def _status_html(text: str, ok: bool) -> str:
    """The explorers' status line: dark green when the setting is valid, red with the reason otherwise."""
    colour = "#00441b" if ok else "#a50f15"
    return f"<b style='color:{colour}'>{html.escape(text, quote=False)}</b>"


def _explorer(controls: dict, view, on_valid=None):
    """Sliders on the left, a status line and the drawing below; redrawn on every change.

    ``view(**values) -> (figure or None, message)``. The drawing area is cleared explicitly,
    so an impossible setting never leaves the last valid picture standing beside its message.
    """
    import ipywidgets as w
    from IPython.display import display

    message, drawing = w.HTML(), w.Output()

    def redraw(_=None):
        values = {name: c.value for name, c in controls.items()}
        fig, text = view(**values)
        message.value = _status_html(text, fig is not None)
        drawing.clear_output()
        if fig is not None:
            if on_valid is not None:
                on_valid(values)
            with drawing:
                display(fig)

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    half = (len(controls) + 1) // 2
    columns = w.HBox([w.VBox(list(controls.values())[:half]), w.VBox(list(controls.values())[half:])])
    return w.VBox([columns, message, drawing])


def conv_explorer(size=7, kernel=3, padding="valid", stride=1, dilation=1):
    """Sliders for input size, kernel, padding, stride, dilation and the window's position."""
    import ipywidgets as w

    controls = {
        "size": w.IntSlider(size, 1, 12, description="input size"),
        "kernel": w.IntSlider(kernel, 1, 7, description="kernel"),
        "padding": w.Dropdown(options=PADDING_CHOICES, value=padding, description="padding"),
        "stride": w.IntSlider(stride, 1, 4, description="stride"),
        "dilation": w.IntSlider(dilation, 1, 3, description="dilation"),
        "step": w.IntSlider(0, 0, 200, description="window #"),
    }

    def last_window(values):  # the window slider ends at the last output cell
        n = conv_output_size(values["size"], values["kernel"], values["stride"], values["padding"], values["dilation"])
        controls["step"].max = n * n - 1

    return _explorer(controls, conv_explorer_view, on_valid=last_window)


def pool_explorer_view(feature_map, pool=2, stride=2, padding="valid", mode="max"):
    """What the pooling explorer shows: the map, the pooled map and the output-size formula.

    Returns:
        ``(figure, message)``, or ``(None, message)`` with the reason for an impossible setting.
    """
    try:
        h = pool_output_size(feature_map.shape[0], pool, stride, padding)
        w = pool_output_size(feature_map.shape[1], pool, stride, padding)
        fig = draw_pooling(feature_map, pool, stride, padding, mode)
    except ValueError as err:
        return None, f"Not possible: {err}"
    formula = explain_conv_output_size(feature_map.shape[0], pool, stride, padding)
    size = f"{feature_map.shape[0]}×{feature_map.shape[1]} → {h}×{w}"
    return fig, f"{mode} pooling {pool}×{pool}, stride {stride}: {size}   ({formula})"


def pool_explorer(feature_map, pool=2, stride=2, padding="valid", mode="max"):
    """Sliders for the pooling window, stride, padding and mode over a real feature map."""
    import ipywidgets as w

    controls = {
        "pool": w.IntSlider(pool, 1, 8, description="window"),
        "stride": w.IntSlider(stride, 1, 8, description="stride"),
        "padding": w.Dropdown(options=("valid", "same"), value=padding, description="padding"),
        "mode": w.Dropdown(options=("max", "avg"), value=mode, description="mode"),
    }
    return _explorer(controls, lambda **kw: pool_explorer_view(feature_map, **kw))


# --- the model explorer -----------------------------------------------------------------------------------------------

INPUT_SIZES = (16, 28, 32, 48, 64, 96, 128, 160, 192, 224, 227)
MAX_INPUT_SIZE = 227  # AlexNet's input, the zoo's largest: VGG's first dense layer grows with the input
HALF_PRECISION_PARAMS = 100_000_000  # above this (the VGGs), build in float16: a kernel stays under 2 GB
_CONVOLUTIONS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
_BUILT: dict = {}  # the explorer's one built model: {"key": (name, input shape), "model": the model}


class ModelView(NamedTuple):
    """What the model explorer shows for one choice (see :func:`model_explorer_view`).

    Attributes:
        message: the status line: the model's size and what the chosen layer's units see, or, when
            ``ok`` is False, why nothing can be shown.
        ok: False for an impossible choice (input too small, unknown model or layer); then only
            ``message`` is filled in.
        table: the per-layer table as HTML (layer, type, output shape, parameters, multiply-adds,
            receptive field), the chosen layer's row highlighted.
        architecture: the architecture diagram (a Figure; every stage of a deep network), or None.
        feature_maps: the chosen layer's first feature maps for the chosen image (a Figure), or None
            when the layer has no maps (a dense layer) or the image could not be read.
        layers: the layers with feature maps, for the explorer's layer menu.
        layer: the layer shown.
        input_shape: the model's ``(height, width, channels)``.
    """

    message: str
    ok: bool
    table: str = ""
    architecture: object = None
    feature_maps: object = None
    layers: tuple = ()
    layer: str | None = None
    input_shape: tuple | None = None


def release_explorer_model() -> None:
    """Forget the model the explorer built last, so that its weights are freed (VGG-19: 575 MB)."""
    import gc

    _BUILT.clear()
    gc.collect()


def _explorer_model(name: str, input_shape: tuple):
    """The registered model ``name`` built for ``input_shape``; only the last one built is kept.

    A model of more than ``HALF_PRECISION_PARAMS`` parameters (VGG: 138 million, 550 MB in float32,
    about 1.4 GB while its weights are drawn) is built in float16, half the memory; its feature maps
    look the same. Networks with batch normalization stay in float32: with random weights their
    activations grow beyond float16's range.
    """
    import keras

    from cnnlib.models import get_card, get_model

    key = (name, tuple(input_shape))
    if _BUILT.get("key") != key:
        release_explorer_model()  # before building the next one: never two big models at once
        previous = keras.config.dtype_policy()
        if get_card(name).params > HALF_PRECISION_PARAMS:
            keras.config.set_dtype_policy("float16")
        try:
            _BUILT["model"] = get_model(name, input_shape=tuple(input_shape))
        finally:
            keras.config.set_dtype_policy(previous)
        _BUILT["key"] = key
    return _BUILT["model"]


def map_layers(model) -> tuple[str, ...]:
    """Names of the layers whose output is a stack of feature maps ``(height, width, channels)``."""
    return tuple(layer.name for layer in model.layers if len(layer.output.shape) == 4)


def default_layer(model) -> str:
    """A convolution half-way through the network (the middle one), else the last layer with maps."""
    convs = [layer.name for layer in model.layers if type(layer).__name__ in _CONVOLUTIONS]
    if convs:
        return convs[len(convs) // 2]
    maps = map_layers(model)
    return maps[-1] if maps else model.layers[-1].name


def _shape_text(shape) -> str:
    if shape and isinstance(shape[0], tuple):
        return ", ".join(_shape_text(s) for s in shape)
    return "×".join("?" if d is None else str(d) for d in shape)


def _field_text(fields, name: str) -> str:
    if fields is None or name not in fields[0]:
        return "?"
    height, width = fields[0][name], fields[1][name]
    if height.field is None:
        return "whole input"
    return f"{height.field}×{width.field}"


def model_table_html(model, highlight: str | None = None, fields=None) -> str:
    """One row per layer: name, type, output shape, parameters, multiply-adds and receptive field.

    The receptive field (height × width, in input pixels) follows the graph, branches included
    (``cnnlib.arithmetic.layer_fields``); after a Flatten, Dense or global pooling layer a unit
    sees the whole input. The row of ``highlight`` is marked. ``fields``: the two axes' fields if
    already computed (see :func:`_fields`).
    """
    from cnnlib.arithmetic import layer_table

    rows = layer_table(model)
    fields = _fields(model) if fields is None else fields
    right = " style='text-align: right'"
    header = ("Layer", "Type", "Output shape", "Parameters", "Multiply-adds", "Receptive field")
    head = "".join(f"<th{right if i >= 3 else ''}>{h}</th>" for i, h in enumerate(header))
    lines = ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    for r in rows:
        cells = (
            r.name,
            r.type,
            _shape_text(r.output_shape),
            f"{r.params:,}",
            f"{r.macs:,}",
            _field_text(fields, r.name),
        )
        style = " style='background: #fff3bf; font-weight: bold'" if r.name == highlight else ""
        tds = "".join(f"<td{right if i >= 3 else ''}>{html.escape(v)}</td>" for i, v in enumerate(cells))
        lines.append(f"<tr{style}>{tds}</tr>")
    total = f"<td>Total</td><td></td><td></td><td{right}>{sum(r.params for r in rows):,}</td>"
    total += f"<td{right}>{sum(r.macs for r in rows):,}</td><td></td>"
    lines += [f"<tr>{total}</tr>", "</tbody>", "</table>"]
    return "\n".join(lines)


def _fields(model):
    """``(height fields, width fields)`` of ``layer_fields``, or None for a layer it does not cover."""
    from cnnlib.arithmetic import layer_fields

    try:
        return layer_fields(model, axis=0), layer_fields(model, axis=1)
    except ValueError:  # the table's column then shows "?"
        return None


def _architecture_figure(model, title: str):
    """The diagram of every drawn layer, or of the stages (one map per resolution) of a deep network."""
    from cnnlib.viz.architecture import MAX_LAYERS, architecture_rows, draw_architecture

    layers = None if len(architecture_rows(model)) <= MAX_LAYERS else "stages"
    try:
        return draw_architecture(
            model, title=title if layers is None else f"{title} (the last layer of each stage)", layers=layers
        )
    except ValueError:  # still too many to draw: the table says it all
        return None


def _close_names(name: str, names) -> str:
    import difflib

    names = list(names)
    close = [n for n in names if str(name).lower() in n.lower()][:5]
    close += [n for n in difflib.get_close_matches(str(name), names, n=5, cutoff=0.4) if n not in close]
    return ", ".join(close[:5]) if close else ", ".join(names[:5]) + ", ..."


def _sees(fields, layer: str, input_shape) -> str:
    """``"each unit sees 14×14 pixels of the input"`` for the chosen layer."""
    text = _field_text(fields, layer)
    if text in ("?", "whole input"):
        return "each unit sees the whole input" if text == "whole input" else ""
    height, width = (int(v) for v in text.split("×"))
    sees = f"each unit sees {text} pixels of the input"
    if height > input_shape[0] or width > input_shape[1]:
        sees += f" (more than the {input_shape[0]}×{input_shape[1]} input: part of its window lies in the padding)"
    return sees


def model_explorer_view(
    name, input_size=None, layer=None, image="digit", model=None, max_maps=16, diagram=True
) -> ModelView:
    """What the model explorer shows for one choice of model, input size, layer and image.

    Args:
        name: a registered model (``cnnlib.models.list_models()``), or the label of ``model``.
        input_size: the side of the square input; default: the model card's (LeNet-5: 32, VGG: 224).
        layer: the layer whose feature maps are shown; default: a convolution half-way through.
        image: ``"digit"`` (MNIST), ``"cifar"`` (CIFAR-10), ``"photo"``, or an image array; it is
            resized to the model's input and converted to its channels (grey or colour).
        model: a built Keras model (one the notebook trained) to explore as it is, at its own input
            size; ``name`` is then only its label. Without it, ``name`` is built with random weights
            (only the last model built is kept; the VGGs are built in float16, see ``_explorer_model``).
        max_maps: how many feature maps (channels) to draw at most.
        diagram: draw the architecture (False: ``architecture`` is None; the explorer redraws it only when
            the model or its input size changes).

    Returns:
        A :class:`ModelView`. An impossible choice (an input too small for the model, an unknown
        model or layer) gives ``ok=False`` and the reason in plain words in ``message``, no figures.
    """
    from cnnlib.arithmetic import count_macs
    from cnnlib.data import DataError
    from cnnlib.experiments.feature_maps import (
        SAMPLE_IMAGES,
        draw_feature_maps,
        fit_image,
        layer_activations,
        sample_image,
    )

    try:
        model, label = _model_for(name, input_size, model)
        input_shape = tuple(model.input_shape[1:])
        maps = map_layers(model)
        layer = default_layer(model) if layer is None else layer
        names = [item.name for item in model.layers]
        if layer not in names:
            raise ValueError(f"{label} has no layer {layer!r}; close names: {_close_names(layer, names)}.")
        fields = _fields(model)
        table = model_table_html(model, highlight=layer, fields=fields)
    except ValueError as err:
        return ModelView(f"Not possible: {err}", False)
    shape = tuple(model.get_layer(layer).output.shape[1:])
    size = "×".join(map(str, input_shape))
    message = f"{label} at {size}: {model.count_params():,} parameters, {count_macs(model):,} multiply-adds"
    halved = _BUILT.get("model") is model and _precision(model) == "float16"
    message += " (built in float16 to halve its memory). " if halved else ". "
    figure = None
    if len(shape) != 3:
        message += f"Layer {layer} gives {_shape_text(shape)} numbers, not feature maps: choose a layer with maps."
    else:
        sees = _sees(fields, layer, input_shape)
        message += f"Layer {layer}: {shape[2]} maps of {shape[0]}×{shape[1]}" + (f"; {sees}." if sees else ".")
        what = SAMPLE_IMAGES.get(image, "your image") if isinstance(image, str) else "your image"
        try:
            picture = sample_image(image) if isinstance(image, str) else image
            activations = layer_activations(model, layer, fit_image(picture, input_shape))
            shown = min(max_maps, shape[2])
            which = f"all {shown}" if shown == shape[2] else f"the first {shown} of {shape[2]}"
            title = f"{layer}: {which} feature maps for {what}"
            figure = draw_feature_maps(activations, n=max_maps, title=title)
        except (ValueError, DataError) as err:
            message += f" No feature maps: {err}"
    architecture = _architecture_figure(model, label) if diagram else None
    return ModelView(message, True, table, architecture, figure, maps, layer, input_shape)


def _precision(model) -> str:
    """The dtype of the model's weights (``"float16"`` for a big model the explorer built)."""
    return str(model.weights[0].dtype) if model.weights else "float32"


def _model_for(name, input_size, model):
    """``(model, label)``: the given model as it is, or the registered ``name`` built for ``input_size``."""
    if model is not None:
        try:
            own = tuple(model.input_shape[1:])
        except (AttributeError, ValueError):
            raise ValueError(
                f"{name} has no fixed input yet: give it a keras.Input((height, width, channels)) first layer."
            ) from None
        if len(own) != 3 or None in own:
            raise ValueError(f"{name} takes inputs of shape {own}: the explorer needs (height, width, channels).")
        if input_size is not None and input_size != own[0]:
            raise ValueError(
                f"{name} is explored at its own input size, {own[0]}×{own[1]}; its weights were made for it."
            )
        return model, str(name)
    from cnnlib.models import get_card

    card = get_card(name)  # an unknown name: a sentence with the known ones
    side = card.input_shape[0] if input_size is None else input_size
    if isinstance(side, (int, float)) and side > MAX_INPUT_SIZE:
        raise ValueError(
            f"the explorer builds models for inputs up to {MAX_INPUT_SIZE}×{MAX_INPUT_SIZE} pixels, got {side}: "
            "beyond that VGG's first dense layer alone would not fit in the notebook's memory."
        )
    return _explorer_model(name, (side, side, card.input_shape[2])), card.label


def _png(fig):
    """A figure as a PNG image to display: a PNG even in a notebook that never set up matplotlib's display."""
    import io

    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return Image(buffer.getvalue(), format="png")


def model_explorer(name: str = "lenet5", models: dict | None = None, image: str = "digit"):
    """Menus for a model of the zoo (or one the notebook trained), its input size, a layer and an image.

    Shows the status line, the chosen layer's feature maps, the architecture diagram and the
    per-layer table (scrollable), all redrawn on every change; an impossible choice (an input
    too small for the model) shows the reason in red instead of the drawings.

    Args:
        name: the model shown first: a registered name or a key of ``models``.
        models: ``{label: trained Keras model}``, explored as they are, at their own input size, e.g.
            ``model_explorer("LeNet-5 (trained above)", models={"LeNet-5 (trained above)": model})``.
        image: ``"digit"``, ``"cifar"`` or ``"photo"`` (see ``cnnlib.experiments.feature_maps.SAMPLE_IMAGES``).

    The models of the zoo are built with random weights when chosen, one at a time: VGG-16 and
    VGG-19 at 224 × 224 take a few seconds and about 550 MB.
    """
    import ipywidgets as w
    from IPython.display import display

    from cnnlib.experiments.feature_maps import SAMPLE_IMAGES
    from cnnlib.models import get_card, list_models

    trained, registered = dict(models or {}), list_models()
    clash = [label for label in trained if label in registered]
    if clash:
        raise ValueError(f"the label {clash[0]!r} is a registered model's name; give the trained model another label.")
    if name not in registered and name not in trained:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(registered + list(trained))}.")

    def own_size(choice):
        if choice in trained:
            return trained[choice].input_shape[1]
        return get_card(choice).input_shape[0]

    sizes = set(INPUT_SIZES) | {own_size(c) for c in registered + list(trained)} - {None}
    choices = [(f"{get_card(n).label} ({n})", n) for n in registered] + [(label, label) for label in trained]
    wide = w.Layout(width="360px")
    menus = {
        "model": w.Dropdown(options=choices, value=name, description="model", layout=wide),
        "size": w.Dropdown(options=sorted(sizes), description="input size"),
        "layer": w.Dropdown(options=[], description="layer", layout=wide),
        "image": w.Dropdown(options=[(v, k) for k, v in SAMPLE_IMAGES.items()], value=image, description="image"),
    }
    status = w.HTML()
    maps, diagram = w.Output(), w.Output()
    table = w.HTML(layout=w.Layout(max_height="300px", overflow="auto"))
    busy = []  # set while the menus are updated from here: those changes draw nothing
    drawn = {}  # the (model, input size) whose diagram is shown

    def show(result: ModelView, key):
        status.value = _status_html(result.message, result.ok)
        table.value = result.table
        outputs = [(maps, result.feature_maps)]
        if drawn.get("key") != key or not result.ok:  # the same model's diagram stays as it is
            outputs.append((diagram, result.architecture))
            drawn["key"] = key if result.ok else None
        for out, fig in outputs:
            out.clear_output()
            if fig is not None:
                with out:
                    display(_png(fig))

    def redraw(change=None):
        if busy:
            return
        busy.append(True)
        try:
            choice = menus["model"].value
            new_model = change is None or change["owner"] is menus["model"]
            if new_model and own_size(choice) is not None:
                menus["size"].value = own_size(choice)
            menus["size"].disabled = choice in trained  # a trained model keeps its input size
            key = (choice, menus["size"].value)
            result = model_explorer_view(
                choice,
                input_size=None if choice in trained else menus["size"].value,
                layer=None if new_model else menus["layer"].value,
                image=menus["image"].value,
                model=trained.get(choice),
                diagram=drawn.get("key") != key,
            )
            if result.ok:
                if tuple(menus["layer"].options) != result.layers:
                    menus["layer"].options = result.layers
                menus["layer"].value = result.layer if result.layer in result.layers else None
            show(result, key)
        finally:
            busy.clear()

    for menu in menus.values():
        menu.observe(redraw, names="value")
    redraw()
    controls = w.HBox([w.VBox([menus["model"], menus["layer"]]), w.VBox([menus["size"], menus["image"]])])
    return w.VBox([controls, status, maps, diagram, table])

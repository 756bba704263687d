"""VGG: stacks of 3 x 3 convolutions, five max poolings, three dense layers.

Reference: K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015, Table 1 (configurations A-E) and section 3.1.

Layer names and order are keras.applications' (``block3_conv2``, ``fc1``, ``predictions``),
so ``vgg16().set_weights(keras.applications.VGG16(weights=None).get_weights())`` copies one
to one.

Deviations and choices:

- Dropout 0.5 after fc1 and fc2, as the paper trains (section 3.1); keras.applications'
  VGG has none. Dropout has no weights, so weights still transfer one to one; pass
  ``dropout=0`` for exactly the keras.applications layer list.
- The LRN of configuration A-LRN uses AlexNet's constants, as the paper says.
"""

from __future__ import annotations

import keras

from cnnlib.arithmetic import is_whole
from cnnlib.layers import LocalResponseNormalization
from cnnlib.models._common import (
    check_common,
    check_dropout,
    check_min_size,
    image_input,
    input_shape_for,
    pooled_features,
)
from cnnlib.models._registry import register_model
from cnnlib.models.alexnet import LRN_PARAMS
from cnnlib.models.cards import ModelCard

__all__ = [
    "TABLE_3",
    "VGG_CARDS",
    "VGG_CONFIGS",
    "fully_convolutional",
    "kernel_study_net",
    "narrow_config",
    "vgg",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
]

# Table 1 as data. An int is a 3 x 3 convolution with that many filters, (filters, 1) a
# 1 x 1 convolution (configuration C), "M" a 2 x 2 max pooling that ends a block, "LRN"
# a local response normalization.
# fmt: off
VGG_CONFIGS = {
    "A": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "A-LRN": (64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "B": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "C": (64, 64, "M", 128, 128, "M", 256, 256, (256, 1), "M",
          512, 512, (512, 1), "M", 512, 512, (512, 1), "M"),
    "D": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    "E": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
          512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
}
# fmt: on

_LABELS = {"A": "VGG-11", "A-LRN": "VGG-11 (A-LRN)", "B": "VGG-13", "C": "VGG-16 (C)",
           "D": "VGG-16", "E": "VGG-19"}  # fmt: skip


def _parse(config):
    if isinstance(config, str):
        if config not in VGG_CONFIGS:
            raise ValueError(f"unknown VGG configuration {config!r}; the paper's are {', '.join(VGG_CONFIGS)}.")
        return _LABELS[config], VGG_CONFIGS[config]
    try:
        items = tuple(config)
    except TypeError:
        raise ValueError(f"config must be a name ({', '.join(VGG_CONFIGS)}) or a sequence, got {config!r}.") from None
    for item in items:
        ok = (
            item in ("M", "LRN")
            or (is_whole(item) and item > 0)
            or (isinstance(item, tuple) and len(item) == 2 and all(is_whole(v) and v > 0 for v in item))
        )
        if not ok:
            raise ValueError(f"VGG config entries are filter counts, (filters, kernel), 'M' or 'LRN'; got {item!r}.")
    if not items or items[-1] != "M":
        raise ValueError("a VGG config must end with 'M' (each block ends with a max pooling).")
    return "VGG", tuple(_as_ints(item) for item in items)


def _as_ints(item):
    """NumPy integers to Python ints (Keras layers refuse NumPy integers)."""
    if isinstance(item, tuple):
        return tuple(int(v) for v in item)
    return item if isinstance(item, str) else int(item)


def narrow_config(config, divisor: int):
    """A configuration with every layer's filters divided by ``divisor`` (at least one filter):
    the same depth and layout at a width that trains on a CPU, e.g. ``narrow_config("D", 8)``
    is VGG-16 with 8 to 64 filters."""
    _, items = _parse(config)
    if not is_whole(divisor) or divisor < 1:
        raise ValueError(f"divisor must be a positive whole number, got {divisor!r}.")
    out = []
    for item in items:
        if isinstance(item, tuple):
            out.append((max(1, item[0] // divisor), item[1]))
        elif isinstance(item, int):
            out.append(max(1, item // divisor))
        else:
            out.append(item)
    return tuple(out)


def vgg_steps(items):
    """The max poolings, the only layers that shrink the image (convolutions pad "same")."""
    return [(f"block{b}_pool", 2, 2, "valid") for b in range(1, items.count("M") + 1)]


def vgg_features(x, items, kernel_initializer="glorot_uniform"):
    """The convolutional part: blocks of convolutions, each ended by a max pooling."""
    block, conv = 1, 1
    for item in items:
        if item == "M":
            x = keras.layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
            block, conv = block + 1, 1
        elif item == "LRN":
            # "the parameters for the LRN layer are those of (Krizhevsky et al., 2012)"
            x = LocalResponseNormalization(**LRN_PARAMS, name=f"block{block}_lrn")(x)
        else:
            filters, kernel = item if isinstance(item, tuple) else (item, 3)
            x = keras.layers.Conv2D(
                filters,
                kernel,
                activation="relu",
                padding="same",
                kernel_initializer=kernel_initializer,
                name=f"block{block}_conv{conv}",
            )(x)
            conv += 1
    return x


def vgg(
    config,
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    dropout=0.5,
    name=None,
    *,
    dense_units=4096,
    kernel_initializer="glorot_uniform",
):
    """A VGG network from a Table 1 configuration name (``"A"``...``"E"``, ``"A-LRN"``) or a
    sequence in the format of ``VGG_CONFIGS``.

    Args:
        config: configuration name or sequence.
        include_top: build the three dense layers.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, at least 32 x 32 (five 2 x 2 poolings);
            default ``(224, 224, 3)``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the output layer, None for logits.
        dropout: dropout rate after fc1 and fc2 (paper: 0.5; keras.applications: none).
        name: model name; default ``"vgg_" + config``.
        dense_units: width of fc1 and fc2 (paper: 4096).
        kernel_initializer: of every convolution and dense layer, a Keras initializer or its name;
            the paper drew weights from N(0, 0.01) (``keras.initializers.RandomNormal(0, 0.01)``)
            for configuration A; the default is Keras' (Glorot), which the paper found works
            without pre-training. Biases start at zero, as in the paper.

    Reference: Simonyan and Zisserman, ICLR 2015.
    """
    label, items = _parse(config)
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    dropout = check_dropout(dropout)
    if not is_whole(dense_units) or dense_units < 1:
        raise ValueError(f"dense_units must be a positive whole number, got {dense_units!r}.")
    dense_units = int(dense_units)
    try:
        keras.initializers.get(kernel_initializer)
    except (ValueError, TypeError):
        raise ValueError(
            f"kernel_initializer {kernel_initializer!r} is not a Keras initializer; use e.g. 'he_normal' or "
            "keras.initializers.RandomNormal(0.0, 0.01)."
        ) from None
    shape = input_shape_for(input_shape, (224, 224, 3), include_top, label, fixed_size_top=True)
    check_min_size(shape, vgg_steps(items), label, why="Each of its 2 x 2 max poolings halves the image.")
    if name is None:
        name = f"vgg_{config}" if isinstance(config, str) else "vgg"

    inputs = image_input(shape)
    x = vgg_features(inputs, items, kernel_initializer)
    # 7 x 7 x 512 for a 224 x 224 input
    if include_top:
        x = keras.layers.Flatten(name="flatten")(x)
        init = {"kernel_initializer": kernel_initializer}
        x = keras.layers.Dense(dense_units, activation="relu", name="fc1", **init)(x)
        # Section 3.1 trains with dropout 0.5 here; keras.applications leaves it out.
        if dropout:
            x = keras.layers.Dropout(dropout, name="fc1_dropout")(x)
        x = keras.layers.Dense(dense_units, activation="relu", name="fc2", **init)(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name="fc2_dropout")(x)
        x = keras.layers.Dense(classes, activation=classifier_activation, name="predictions", **init)(x)
    else:
        x = pooled_features(x, pooling)
    return keras.Model(inputs, x, name=name)


# The registered variants: data (configuration and card) plus the family builder ``vgg``.
_VGG_PAPER = (
    'K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition", ICLR 2015'
)
_VGG_SOURCE = (
    "Simonyan and Zisserman 2015, Table 3, configuration {} trained and tested at smallest image side 256 "
    "(S = Q = 256, single test scale, ILSVRC-2012 validation set: the protocol every configuration was tested with)"
)


def _vgg_card(depth, config, params, macs, top1, top5):
    return ModelCard(
        label=f"VGG-{depth}",
        family="VGG",
        variant=f"configuration {config} of Table 1",
        paper=_VGG_PAPER,
        year=2014,
        input_shape=(224, 224, 3),
        classes=1000,
        params=params,
        params_kind="total",
        macs=macs,
        dataset="ImageNet",
        top1_error=top1,
        top5_error=top5,
        error_source=_VGG_SOURCE.format(config),
        protocol="dense, 1 scale",
    )


# Table 3: top-1 and top-5 error (%) on the ILSVRC-2012 validation set at one test scale, every configuration
# trained and tested with smallest image side 256 - the protocol all six share. The cards below quote A, B, D, E.
TABLE_3 = {
    "A": (29.6, 10.4),
    "A-LRN": (29.7, 10.5),
    "B": (28.7, 9.9),
    "C": (28.1, 9.4),
    "D": (27.0, 8.8),
    "E": (27.3, 9.0),
}

VGG_CARDS = {
    "vgg11": _vgg_card(11, "A", 132_863_336, 7_609_090_048, *TABLE_3["A"]),
    "vgg13": _vgg_card(13, "B", 133_047_848, 11_308_466_176, *TABLE_3["B"]),
    "vgg16": _vgg_card(16, "D", 138_357_544, 15_470_264_320, *TABLE_3["D"]),
    "vgg19": _vgg_card(19, "E", 143_667_240, 19_632_062_464, *TABLE_3["E"]),
}

VGG_DOC = """{label}, {variant}: {summary}.

    Calls :func:`vgg` with the configuration; every argument is a keyword.

    Args:
        include_top: build the three dense layers (default True).
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, at least 32 x 32 (five 2 x 2 poolings);
            default ``{input_shape}``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes (default {classes}).
        classifier_activation: activation of the output layer (default ``"softmax"``), None for logits.
        dropout: dropout rate after fc1 and fc2 (default 0.5, the paper's; keras.applications: none).
        name: model name (default ``"{name}"``).
        dense_units, kernel_initializer: as for :func:`vgg`.

    Reference: {paper}.
    """


@register_model(card=VGG_CARDS["vgg11"], doc=VGG_DOC)
def vgg11(**kwargs):
    return vgg("A", **{"name": "vgg11", **kwargs})


@register_model(card=VGG_CARDS["vgg13"], doc=VGG_DOC)
def vgg13(**kwargs):
    return vgg("B", **{"name": "vgg13", **kwargs})


@register_model(card=VGG_CARDS["vgg16"], doc=VGG_DOC)
def vgg16(**kwargs):
    return vgg("D", **{"name": "vgg16", **kwargs})


@register_model(card=VGG_CARDS["vgg19"], doc=VGG_DOC)
def vgg19(**kwargs):
    return vgg("E", **{"name": "vgg19", **kwargs})


def fully_convolutional(model, name=None):
    """The paper's dense evaluation (section 3.2): a VGG with its dense layers turned into convolutions.

    fc1 becomes a 7 x 7 convolution over the last 7 x 7 map (its weights reshaped: Flatten reads the map row by
    row, channels last), fc2 and the classifier 1 x 1 convolutions; every other layer is copied by name. The result
    takes an image of any size from 224 x 224 up and returns a map of class scores, one vector per 224 x 224 window
    at a stride of 32 pixels; at 224 x 224 the map is 1 x 1 and equals ``model``'s output. The paper averages the
    map into one vector of class scores per image.

    Args:
        model: a VGG with its dense top (``vgg(..., include_top=True)``, e.g. :func:`vgg16`), built for 224 x 224
            (a 7 x 7 map before fc1).
        name: the new model's name; default the old one's with ``"_fcn"``.
    """
    names = {layer.name for layer in model.layers}
    if not {"flatten", "fc1", "fc2", "predictions"} <= names:
        raise ValueError(f"{model.name} has no dense top (flatten, fc1, fc2, predictions): build it with "
                         "include_top=True.")  # fmt: skip
    before_top = model.get_layer("flatten").input.shape  # (None, 7, 7, C) for a 224 x 224 input
    if tuple(before_top[1:3]) != (7, 7):
        raise ValueError(f"{model.name} reads a {before_top[1]} x {before_top[2]} map into fc1; dense evaluation "
                         "turns fc1 into a 7 x 7 convolution, so build the VGG for 224 x 224 images.")  # fmt: skip
    inputs = image_input((None, None, model.input.shape[-1]))
    x = inputs
    for layer in model.layers[1:]:
        if layer.name == "flatten":
            break
        x = layer.__class__.from_config(layer.get_config())(x)  # the same layer, any image size
    top = {"fc1": 7, "fc2": 1, "predictions": 1}
    for layer_name, kernel in top.items():
        dense = model.get_layer(layer_name)
        x = keras.layers.Conv2D(dense.units, kernel, activation=dense.activation, name=layer_name)(x)
    fcn = keras.Model(inputs, x, name=name or f"{model.name}_fcn")
    for layer in fcn.layers:
        weights = model.get_layer(layer.name).get_weights() if layer.weights else []
        if layer.name in top:
            kernel, bias = weights
            weights = [kernel.reshape(layer.kernel.shape), bias]
        layer.set_weights(weights)
    return fcn


def kernel_study_net(kernel=3, filters=16, input_shape=(28, 28, 1), classes=10, name=None):
    """Section 2.3's argument as two small networks: each block three 3 x 3 convolutions or one 7 x 7.

    A 3 x 3 stem (``filters`` maps), 2 x 2 pooling, two blocks with a 2 x 2 pooling between them, global average
    pooling and a softmax. ``kernel=3``: each block is three 3 x 3 layers (three ReLUs); ``kernel=7``: one 7 x 7
    layer (one ReLU); both see 7 x 7 per block. With equal ``filters`` the stack has 27/49 of the block weights;
    ``filters=21`` for the stack against 16 for the 7 x 7 layer gives about equal parameters.
    """
    if kernel not in (3, 7):
        raise ValueError(f"kernel must be 3 (three 3 x 3 layers a block) or 7 (one 7 x 7 layer), got {kernel!r}.")
    layers = keras.layers
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(filters, 3, padding="same", activation="relu", name="stem")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    for block in (1, 2):
        for i in range(1, {3: 4, 7: 2}[kernel]):
            x = layers.Conv2D(filters, kernel, padding="same", activation="relu", name=f"block{block}_conv{i}")(x)
        if block == 1:
            x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or ("stack_3x3" if kernel == 3 else "single_7x7"))

"""DenseNet-BC: dense blocks, where each layer sees the concatenation of all earlier ones.

Reference: G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger, "Densely Connected
Convolutional Networks", CVPR 2017: section 3 (BN-ReLU-Conv(1x1)-BN-ReLU-Conv(3x3)
bottleneck layers, compression 0.5 in the transitions: "BC"), Table 1 (ImageNet
networks, growth rate k = 32) and section 4 (the CIFAR DenseNet-BC with L = 100, k = 12).

The ImageNet networks have exactly keras.applications' layout and layer names
(``conv3_block5_1_conv``, ``pool3_conv``), so their weights copy one to one; the two
zero paddings that keras.applications leaves unnamed are called ``conv1_pad`` and
``pool1_pad`` here, so that ``model.summary()`` is the same in every session.

Deviations and choices:

- DenseNet-BC-100 has no dropout: the paper uses dropout 0.2 only when it trains without
  data augmentation.
- Its first convolution has 2k = 24 filters and no batch normalization after it (the
  first dense layer starts with BN-ReLU), as in the authors' code.
"""

from __future__ import annotations

import keras

from cnnlib.arithmetic import is_whole
from cnnlib.models._common import (
    check_common,
    check_min_size,
    global_pool_classifier,
    image_input,
    input_shape_for,
)
from cnnlib.models._registry import register_model
from cnnlib.models.cards import ModelCard

__all__ = [
    "DENSENET_CARDS",
    "DENSENET_CONFIGS",
    "conv_block",
    "dense_block",
    "densenet",
    "densenet121",
    "densenet169",
    "densenet201",
    "densenet_bc_100",
    "transition_block",
]

# Table 1: layers in each of the four dense blocks.
DENSENET_CONFIGS = {
    121: (6, 12, 24, 16),
    169: (6, 12, 32, 32),
    201: (6, 12, 48, 32),
}

_BN = {"axis": 3, "epsilon": 1.001e-5}


def conv_block(x, growth_rate, name, bottleneck=True):
    """One dense layer: BN-ReLU-Conv(1x1, 4k)-BN-ReLU-Conv(3x3, k), concatenated to its input.

    Args:
        x: input tensor (all earlier feature maps of the block).
        growth_rate: k, the channels the layer adds.
        name: layer label, e.g. ``"conv2_block1"``.
        bottleneck: the 1 x 1 convolution to 4k channels ("B" in DenseNet-BC).
    """
    x1 = keras.layers.BatchNormalization(**_BN, name=f"{name}_0_bn")(x)
    x1 = keras.layers.Activation("relu", name=f"{name}_0_relu")(x1)
    if bottleneck:
        # The 1 x 1 convolution caps the 3 x 3's input at 4k channels, however many
        # maps the block has concatenated so far.
        x1 = keras.layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
        x1 = keras.layers.BatchNormalization(**_BN, name=f"{name}_1_bn")(x1)
        x1 = keras.layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = keras.layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x1)
    return keras.layers.Concatenate(axis=3, name=f"{name}_concat")([x, x1])


def dense_block(x, blocks, growth_rate, name, bottleneck=True):
    """``blocks`` dense layers; the output has ``input + blocks * growth_rate`` channels."""
    for i in range(blocks):
        x = conv_block(x, growth_rate, name=f"{name}_block{i + 1}", bottleneck=bottleneck)
    return x


def transition_block(x, reduction, name):
    """BN-ReLU-Conv(1x1) keeping ``reduction`` of the channels, then 2 x 2 average pooling."""
    x = keras.layers.BatchNormalization(**_BN, name=f"{name}_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_relu")(x)
    x = keras.layers.Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return keras.layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def densenet_steps(stem, n_blocks):
    """The layers that shrink the image, for size checks and the tests."""
    steps = [("conv1_conv", 7, 2, 3), ("pool1", 3, 2, 1)] if stem == "imagenet" else []
    return steps + [(f"pool{i}_pool", 2, 2, "valid") for i in range(2, n_blocks + 1)]


def densenet(
    blocks,
    growth_rate=32,
    compression=0.5,
    bottleneck=True,
    stem="imagenet",
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet",
):
    """A DenseNet from the number of layers in each dense block.

    Args:
        blocks: layers per dense block, e.g. ``(6, 12, 24, 16)``.
        growth_rate: k, the channels each layer adds.
        compression: fraction of channels a transition keeps (BC: 0.5).
        bottleneck: 1 x 1 bottleneck convolutions in the dense layers (BC: True).
        stem: ``"imagenet"`` (7 x 7 stride-2 convolution with 2k filters, BN, ReLU, 3 x 3
            stride-2 max pooling) or ``"cifar"`` (one 3 x 3 convolution with 2k filters).
        include_top: build the global average pooling and the linear classifier.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``; default ``(224, 224, 3)`` for the
            ImageNet stem, ``(32, 32, 3)`` for the CIFAR one.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the classifier, None for logits.
        name: model name.

    Reference: Huang et al., CVPR 2017.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    blocks = tuple(blocks)
    if not blocks or any(not is_whole(b) or b < 1 for b in blocks):
        raise ValueError(f"blocks must be positive numbers of layers per dense block, got {blocks!r}.")
    if not is_whole(growth_rate) or growth_rate < 1:
        raise ValueError(f"growth_rate must be a positive whole number of channels, got {growth_rate!r}.")
    blocks, growth_rate = tuple(int(b) for b in blocks), int(growth_rate)
    if not 0 < compression <= 1:
        raise ValueError(f"compression must be in (0, 1], got {compression!r}.")
    if stem not in ("imagenet", "cifar"):
        raise ValueError(f"stem must be 'imagenet' or 'cifar', got {stem!r}.")
    default = (224, 224, 3) if stem == "imagenet" else (32, 32, 3)
    shape = input_shape_for(input_shape, default, include_top, "DenseNet")
    check_min_size(
        shape, densenet_steps(stem, len(blocks)), "DenseNet",
        why="Each transition halves the image with a 2 x 2 average pooling.",
    )  # fmt: skip

    inputs = image_input(shape)
    if stem == "imagenet":
        x = keras.layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
        x = keras.layers.Conv2D(2 * growth_rate, 7, strides=2, use_bias=False, name="conv1_conv")(x)
        x = keras.layers.BatchNormalization(**_BN, name="conv1_bn")(x)
        x = keras.layers.Activation("relu", name="conv1_relu")(x)
        # 112 x 112 x 64
        x = keras.layers.ZeroPadding2D(1, name="pool1_pad")(x)
        x = keras.layers.MaxPooling2D(3, strides=2, name="pool1")(x)
        # 56 x 56 x 64
    else:
        # No BN-ReLU here: the first dense layer starts with its own (authors' code).
        x = keras.layers.Conv2D(2 * growth_rate, 3, padding="same", use_bias=False, name="conv1_conv")(inputs)
        # 32 x 32 x 2k

    for i, count in enumerate(blocks, start=2):
        x = dense_block(x, count, growth_rate, name=f"conv{i}", bottleneck=bottleneck)
        if i < len(blocks) + 1:
            x = transition_block(x, compression, name=f"pool{i}")
    # DenseNet-121 at 224: 56 x 56 x 256 -> 28 x 28 x 512 -> 14 x 14 x 1024 -> 7 x 7 x 1024

    x = keras.layers.BatchNormalization(**_BN, name="bn")(x)
    x = keras.layers.Activation("relu", name="relu")(x)
    x = global_pool_classifier(x, include_top, pooling, classes, classifier_activation)
    return keras.Model(inputs, x, name=name)


# The registered variants: data (configuration and card) plus the family builder ``densenet``.
_DENSENET_PAPER = (
    'G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger, "Densely Connected Convolutional Networks", CVPR 2017'
)


def _imagenet_card(depth, params, macs, top1, top5, ten_crop):
    blocks = ", ".join(str(b) for b in DENSENET_CONFIGS[depth])
    return ModelCard(
        label=f"DenseNet-{depth}",
        family="DenseNet",
        variant=f"DenseNet-BC of Table 1, k = 32, dense blocks of {blocks} layers",
        paper=_DENSENET_PAPER,
        year=2017,
        input_shape=(224, 224, 3),
        classes=1000,
        params=params,
        params_kind="total",
        macs=macs,
        dataset="ImageNet",
        top1_error=top1,
        top5_error=top5,
        error_source="Huang et al. 2017, Table 3 (single-crop testing, ImageNet validation set; the table gives "
        "10-crop errors beside them)",
        protocol="1 crop",
        ten_crop=ten_crop,
    )


DENSENET_CARDS = {
    "densenet121": _imagenet_card(121, 8_062_504, 2_834_161_664, 25.02, 7.71, (23.61, 6.66)),
    "densenet169": _imagenet_card(169, 14_307_880, 3_359_843_328, 23.80, 6.85, (22.08, 5.92)),
    "densenet201": _imagenet_card(201, 20_242_984, 4_291_365_888, 22.58, 6.34, (21.46, 5.54)),
    "densenet_bc_100": ModelCard(
        label="DenseNet-BC-100",
        family="DenseNet",
        variant="the CIFAR DenseNet-BC of section 4, L = 100, k = 12: three dense blocks of 16 layers",
        paper=_DENSENET_PAPER,
        year=2017,
        input_shape=(32, 32, 3),
        classes=10,
        # The paper's "0.8 M" counts learned parameters; Keras' count_params is 793,150.
        params=769_162,
        params_kind="trainable",
        macs=287_929_692,
        dataset="CIFAR-10",
        top1_error=4.51,
        top5_error=None,
        error_source="Huang et al. 2017, Table 2, DenseNet-BC (L = 100, k = 12), column C10+ (CIFAR-10 test set, "
        "standard augmentation, no dropout: as built here)",
    ),
}

DENSENET_DOC = """{label}, {variant}: {summary}.

    Calls :func:`densenet`; every argument is a keyword.

    Args:
        include_top: build the global average pooling and the linear classifier (default True).
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``; default ``{input_shape}`` (the ImageNet networks
            need at least 29 x 29, the CIFAR one 4 x 4).
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes (default {classes}).
        classifier_activation: activation of the classifier (default ``"softmax"``), None for logits.
        name: model name (default ``"{name}"``).

    Reference: {paper}.
    """


@register_model(card=DENSENET_CARDS["densenet121"], doc=DENSENET_DOC)
def densenet121(**kwargs):
    return densenet(DENSENET_CONFIGS[121], **{"name": "densenet121", **kwargs})


@register_model(card=DENSENET_CARDS["densenet169"], doc=DENSENET_DOC)
def densenet169(**kwargs):
    return densenet(DENSENET_CONFIGS[169], **{"name": "densenet169", **kwargs})


@register_model(card=DENSENET_CARDS["densenet201"], doc=DENSENET_DOC)
def densenet201(**kwargs):
    return densenet(DENSENET_CONFIGS[201], **{"name": "densenet201", **kwargs})


@register_model(card=DENSENET_CARDS["densenet_bc_100"], doc=DENSENET_DOC)
def densenet_bc_100(**kwargs):
    cifar = {"growth_rate": 12, "stem": "cifar", "classes": 10, "name": "densenet_bc_100"}
    return densenet((16, 16, 16), **{**cifar, **kwargs})

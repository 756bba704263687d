"""ResNet: residual blocks ``relu(F(x) + shortcut(x))``, for ImageNet and for CIFAR-10.

Reference: K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image
Recognition", CVPR 2016: Table 1 (ImageNet networks), Figure 5 (basic and bottleneck
blocks), section 4.2 (CIFAR-10 networks, Table 6) and section 3.3 (shortcut options A, B).

Each block is conv-BN-ReLU ... conv-BN, then the addition, then a ReLU: batch
normalization right after each convolution and before the activation (section 3.4), and a
ReLU after the addition (Figure 2).

- ResNet-50/101/152 have exactly keras.applications' layout and layer names (conv
  biases, BN epsilon 1.001e-5, the stride on the first 1 x 1 convolution of a bottleneck,
  as in the authors' Caffe models), so their weights copy one to one.
- ResNet-18/34 have torchvision's layout (no conv biases, projection shortcuts only where
  the shape changes, BN epsilon 1e-5 and momentum 0.9 = PyTorch's 0.1), with Keras-style
  names: ``conv3_block1_1_conv``.
- The CIFAR-10 networks (6n + 2 layers: 16, 32, 64 filters on 32, 16, 8 pixel maps) take
  shortcut option A (zero-padded identity, no parameters, the paper's Table 6 choice) or
  B (1 x 1 projections where the shape changes). The "plain" networks are the same
  stacks without shortcuts, for the degradation experiment of Figure 6.
"""

from __future__ import annotations

import keras

from cnnlib.arithmetic.sizes import is_whole
from cnnlib.layers import ChannelPadding
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
    "BLOCK_SHORTCUTS",
    "RESNET_CARDS",
    "SHORTCUT_OPTIONS",
    "RESNET_CONFIGS",
    "basic_block",
    "bottleneck_block",
    "cifar_resnet",
    "plain20",
    "plain32",
    "plain44",
    "plain56",
    "resnet",
    "resnet18",
    "resnet20",
    "resnet32",
    "resnet34",
    "resnet44",
    "resnet50",
    "resnet56",
    "resnet101",
    "resnet110",
    "resnet152",
]

# Table 1: the number of blocks in conv2_x ... conv5_x and the block type: resnet(*RESNET_CONFIGS[50]).
RESNET_CONFIGS = {
    18: ((2, 2, 2, 2), "basic"),
    34: ((3, 4, 6, 3), "basic"),
    50: ((3, 4, 6, 3), "bottleneck"),
    101: ((3, 4, 23, 3), "bottleneck"),
    152: ((3, 8, 36, 3), "bottleneck"),
}

# keras.applications' batch normalization for the bottleneck networks.
_KERAS_BN = {"epsilon": 1.001e-5}
# PyTorch's defaults (eps 1e-5, running average kept at 0.9), for torchvision's layout
# and the CIFAR networks.
_TORCH_BN = {"epsilon": 1e-5, "momentum": 0.9}


def _conv3x3(x, filters, stride, use_bias, name):
    # A stride-2 "same" convolution in Keras pads only after (0 before, 1 after) on even
    # sizes; an explicit 1-pixel pad centres the windows as the paper's (and torch's) do.
    if stride == 1:
        return keras.layers.Conv2D(filters, 3, padding="same", use_bias=use_bias, name=name)(x)
    x = keras.layers.ZeroPadding2D(1, name=name.replace("_conv", "_pad"))(x)
    return keras.layers.Conv2D(filters, 3, strides=stride, use_bias=use_bias, name=name)(x)


# One vocabulary for shortcuts. A block's shortcut is one of BLOCK_SHORTCUTS; a network's is one of the paper's
# options (section 3.3), which say which block shortcut goes where the shape changes and which elsewhere.
BLOCK_SHORTCUTS = ("identity", "projection", "zero_pad", None)
SHORTCUT_OPTIONS = {
    "A": ("zero_pad", "identity"),  # zero-padded identity where the shape changes: no parameters
    "B": ("projection", "identity"),  # 1 x 1 projection where the shape changes
    "C": ("projection", "projection"),  # projections everywhere
    None: (None, None),  # no shortcuts: the plain network
}


def _check_block_shortcut(shortcut, allowed=BLOCK_SHORTCUTS):
    if shortcut not in allowed:
        names = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"a block's shortcut must be one of {names}, got {shortcut!r} (the network options "
                         "'A', 'B', 'C' are for stack_basic and cifar_resnet).")  # fmt: skip


def basic_block(x, filters, stride=1, shortcut="identity", use_bias=False, bn=_TORCH_BN, name=None):
    """Two 3 x 3 convolutions (Figure 5, left): ResNet-18/34 and the CIFAR networks.

    Args:
        x: input tensor.
        filters: channels of both convolutions and of the output.
        stride: stride of the first convolution (2 halves the size).
        shortcut: ``"identity"``; ``"projection"`` (option B: 1 x 1 convolution and BN);
            ``"zero_pad"`` (option A: subsample by ``stride`` and append zero channels);
            or None for a plain block without shortcut.
        use_bias: biases in the convolutions (torchvision and the CIFAR nets: none, BN follows).
        bn: keyword arguments of the batch normalizations.
        name: block label, e.g. ``"conv3_block1"``.
    """
    _check_block_shortcut(shortcut)
    in_channels = x.shape[-1]
    if shortcut == "projection":
        residual = keras.layers.Conv2D(filters, 1, strides=stride, use_bias=use_bias, name=f"{name}_0_conv")(x)
        residual = keras.layers.BatchNormalization(**bn, name=f"{name}_0_bn")(residual)
    elif shortcut == "zero_pad":
        # Option A: the identity, read every stride-th pixel (a 1 x 1 pooling with stride
        # 2 does exactly that), with zero channels appended: no parameters.
        residual = x
        if stride != 1:
            residual = keras.layers.MaxPooling2D(1, strides=stride, name=f"{name}_0_pool")(residual)
        if filters > in_channels:
            residual = ChannelPadding((0, filters - in_channels), name=f"{name}_0_pad")(residual)
    elif shortcut == "identity":
        if stride != 1 or in_channels != filters:
            raise ValueError(
                f"block {name}: an identity shortcut needs the same shape in and out; use a "
                "projection or zero-padding shortcut where the stride or width changes."
            )
        residual = x

    x = _conv3x3(x, filters, stride, use_bias, name=f"{name}_1_conv")
    x = keras.layers.BatchNormalization(**bn, name=f"{name}_1_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = _conv3x3(x, filters, 1, use_bias, name=f"{name}_2_conv")
    x = keras.layers.BatchNormalization(**bn, name=f"{name}_2_bn")(x)
    if shortcut is not None:
        x = keras.layers.Add(name=f"{name}_add")([residual, x])
    return keras.layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_block(x, filters, stride=1, shortcut="projection", name=None):
    """1 x 1 reduce, 3 x 3, 1 x 1 expand to ``4 * filters`` (Figure 5, right).

    keras.applications' ``residual_block_v1`` layer for layer (its ``conv_shortcut=True`` is
    ``shortcut="projection"`` here): the stride is on the first 1 x 1 convolution and the
    shortcut is a projection (option B) in the first block of each stage, including conv2_x
    where only the width changes (64 -> 256); ``"identity"`` in the others.
    """
    _check_block_shortcut(shortcut, ("identity", "projection"))
    if shortcut == "projection":
        residual = keras.layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        residual = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_0_bn")(residual)
    else:
        residual = x

    x = keras.layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_1_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_1_relu")(x)

    x = keras.layers.Conv2D(filters, 3, padding="SAME", name=f"{name}_2_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_2_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_2_relu")(x)

    x = keras.layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_3_bn")(x)

    x = keras.layers.Add(name=f"{name}_add")([residual, x])
    return keras.layers.Activation("relu", name=f"{name}_out")(x)


def stack_bottleneck(x, filters, blocks, stride1=2, name=None):
    """One stage of bottleneck blocks (keras.applications' ``stack_residual_blocks_v1``)."""
    x = bottleneck_block(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = bottleneck_block(x, filters, shortcut="identity", name=f"{name}_block{i}")
    return x


def stack_basic(x, filters, blocks, stride1=2, shortcut="B", bn=_TORCH_BN, name=None):
    """One stage of basic blocks; ``shortcut`` is one of the paper's options (``SHORTCUT_OPTIONS``):
    ``"A"``, ``"B"``, ``"C"`` or None (plain network)."""
    if shortcut not in SHORTCUT_OPTIONS:
        raise ValueError(f"shortcut must be 'A', 'B', 'C' or None (plain network), got {shortcut!r}.")
    changes = stride1 != 1 or x.shape[-1] != filters
    first, same = SHORTCUT_OPTIONS[shortcut]
    first = first if changes else same
    x = basic_block(x, filters, stride1, first, bn=bn, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = basic_block(x, filters, 1, same, bn=bn, name=f"{name}_block{i}")
    return x


def resnet_steps(block):
    """The layers that shrink the image, for size checks and the tests."""
    kernel, pad = (3, 1) if block == "basic" else (1, 0)
    return [
        ("conv1_conv", 7, 2, 3),  # 224 -> 112
        ("pool1_pool", 3, 2, 1),  # 112 -> 56
        ("conv3_block1_1_conv", kernel, 2, pad),  # 56 -> 28
        ("conv4_block1_1_conv", kernel, 2, pad),  # 28 -> 14
        ("conv5_block1_1_conv", kernel, 2, pad),  # 14 -> 7
    ]


def resnet(
    blocks,
    block="bottleneck",
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet",
):
    """An ImageNet ResNet from its per-stage block counts (Table 1).

    Args:
        blocks: number of blocks in conv2_x, conv3_x, conv4_x, conv5_x, e.g. ``(3, 4, 6, 3)``.
        block: ``"bottleneck"`` (keras.applications layout) or ``"basic"`` (torchvision layout).
        include_top: build the global average pooling and the linear classifier.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``; default ``(224, 224, 3)``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the classifier, None for logits.
        name: model name.

    Reference: He et al., CVPR 2016.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    if block not in ("basic", "bottleneck"):
        raise ValueError(f"block must be 'basic' or 'bottleneck', got {block!r}.")
    blocks = tuple(blocks)
    if len(blocks) != 4 or not all(is_whole(b) and b >= 1 for b in blocks):
        raise ValueError(f"blocks must be four positive numbers (conv2_x ... conv5_x), got {blocks!r}.")
    blocks = tuple(int(b) for b in blocks)
    shape = input_shape_for(input_shape, (224, 224, 3), include_top, "ResNet")
    check_min_size(shape, resnet_steps(block), "ResNet")

    basic = block == "basic"
    inputs = image_input(shape)
    x = keras.layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    # torchvision's stem convolution has no bias (BN follows); keras.applications' has one.
    x = keras.layers.Conv2D(64, 7, strides=2, use_bias=not basic, name="conv1_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **(_TORCH_BN if basic else _KERAS_BN), name="conv1_bn")(x)
    x = keras.layers.Activation("relu", name="conv1_relu")(x)
    # 112 x 112 x 64
    x = keras.layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    # 56 x 56 x 64

    widths = (64, 128, 256, 512)
    for stage, (filters, count) in enumerate(zip(widths, blocks, strict=True), start=2):
        stride1 = 1 if stage == 2 else 2  # conv2_x follows the max pooling: no stride
        if basic:
            x = stack_basic(x, filters, count, stride1, shortcut="B", name=f"conv{stage}")
        else:
            x = stack_bottleneck(x, filters, count, stride1, name=f"conv{stage}")
    # 56, 28, 14, 7 pixels after conv2_x ... conv5_x; 64, 128, 256, 512 channels (basic)
    # or 256, 512, 1024, 2048 (bottleneck).

    x = global_pool_classifier(x, include_top, pooling, classes, classifier_activation)
    return keras.Model(inputs, x, name=name)


def cifar_resnet(
    depth,
    shortcut="A",
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=10,
    classifier_activation="softmax",
    name=None,
    base_width=16,
):
    """The CIFAR-10 ResNet of section 4.2 with ``depth = 6n + 2`` layers.

    Args:
        depth: 20, 32, 44, 56, 110, or any ``6n + 2``.
        shortcut: one of the paper's options (``SHORTCUT_OPTIONS``): ``"A"`` (zero-padded identity,
            no parameters: the paper's CIFAR choice), ``"B"`` (projection where the shape changes),
            ``"C"`` (projections everywhere) or None (the plain network).
        include_top: build the global average pooling and the 10-way classifier.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``; default ``(32, 32, 3)``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the classifier, None for logits.
        name: model name; default ``resnet{depth}`` or ``plain{depth}``.
        base_width: filters of the first stage; the stages have ``base_width``, twice and four
            times as many. The paper's 16 (16, 32, 64); a smaller one gives a network that trains
            on a CPU in seconds, with the same depth and the same shortcuts.

    Reference: He et al., CVPR 2016, section 4.2.
    """
    if not is_whole(depth) or depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 for a whole n >= 1 (20, 32, 44, 56, 110...), got {depth!r}.")
    if shortcut not in SHORTCUT_OPTIONS:
        raise ValueError(f"shortcut must be 'A', 'B', 'C' or None (plain network), got {shortcut!r}.")
    if not is_whole(base_width) or base_width < 1:
        raise ValueError(f"base_width must be a whole number of filters >= 1 (the paper's is 16), got {base_width!r}.")
    depth, base_width = int(depth), int(base_width)
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    shape = input_shape_for(input_shape, (32, 32, 3), include_top, "CIFAR ResNet")
    check_min_size(shape, cifar_steps(), "CIFAR ResNet")
    n = (depth - 2) // 6
    if name is None:
        name = f"{'plain' if shortcut is None else 'resnet'}{depth}"

    w = base_width
    inputs = image_input(shape)
    x = keras.layers.Conv2D(w, 3, padding="same", use_bias=False, name="conv1_conv")(inputs)
    x = keras.layers.BatchNormalization(**_TORCH_BN, name="conv1_bn")(x)
    x = keras.layers.Activation("relu", name="conv1_relu")(x)
    # 32 x 32 x 16 (with the paper's base width 16)
    x = stack_basic(x, w, n, stride1=1, shortcut=shortcut, name="conv2")
    # 32 x 32 x 16
    x = stack_basic(x, 2 * w, n, stride1=2, shortcut=shortcut, name="conv3")
    # 16 x 16 x 32
    x = stack_basic(x, 4 * w, n, stride1=2, shortcut=shortcut, name="conv4")
    # 8 x 8 x 64
    x = global_pool_classifier(x, include_top, pooling, classes, classifier_activation)
    return keras.Model(inputs, x, name=name)


def cifar_steps():
    return [
        ("conv3_block1_1_conv", 3, 2, 1),  # 32 -> 16
        ("conv4_block1_1_conv", 3, 2, 1),  # 16 -> 8
    ]


# The registered variants: data (configuration and card) plus the family builders ``resnet``
# and ``cifar_resnet``.
_RESNET_PAPER = 'K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016'
_TABLE_3 = "He et al. 2016, Table 3 (10-crop testing, ImageNet validation set), 'ResNet-{}'"
_TORCHVISION_18 = (
    "torchvision documentation, ResNet18_Weights.IMAGENET1K_V1: acc@1 69.758, acc@5 89.078 (single 224 crop, "
    "ImageNet validation set), the same layout; the paper reports ResNet-18 only with option A shortcuts (Table 2)"
)
_TABLE_6 = "He et al. 2016, Table 6 (CIFAR-10 test set, trained with the paper's translation and flip augmentation)"
_NO_PLAIN = (
    "no published figure: the paper shows its plain CIFAR-10 networks only as curves (Fig. 6, left), "
    "and Table 6 lists the residual networks alone"
)


def _imagenet_card(depth, params, macs, top1, top5, source=None):
    basic = RESNET_CONFIGS[depth][1] == "basic"
    layout = (
        "basic blocks, torchvision layout (projection shortcuts where the shape changes: option B)"
        if basic
        else "bottleneck blocks, keras.applications layout (projection shortcuts: option B)"
    )
    return ModelCard(
        label=f"ResNet-{depth}",
        family="ResNet",
        variant=f"Table 1 with {layout}",
        paper=_RESNET_PAPER,
        year=2015,
        input_shape=(224, 224, 3),
        classes=1000,
        # torchvision counts learned parameters only; keras.applications counts BN statistics too.
        params=params,
        params_kind="trainable" if basic else "total",
        macs=macs,
        dataset="ImageNet",
        top1_error=top1,
        top5_error=top5,
        error_source=source or _TABLE_3.format(depth),
        protocol="1 crop" if source == _TORCHVISION_18 else "10 crops",
    )


def _cifar_card(depth, params, macs, error, plain=False, note=""):
    n = (depth - 2) // 6
    return ModelCard(
        label=f"plain-{depth}" if plain else f"ResNet-{depth}",
        family="ResNet",
        variant=f"section 4.2, n = {n}, "
        + ("without shortcuts (the plain network of Fig. 6)" if plain else "shortcut option A (zero-padded identity)"),
        paper=_RESNET_PAPER,
        year=2015,
        input_shape=(32, 32, 3),
        classes=10,
        params=params,
        params_kind="trainable",
        macs=macs,
        dataset="CIFAR-10",
        top1_error=error,
        top5_error=None,
        error_source=_NO_PLAIN if plain else _TABLE_6 + note,
    )


RESNET_CARDS = {
    "resnet18": _imagenet_card(18, 11_689_512, 1_814_073_344, 30.242, 10.922, _TORCHVISION_18),
    "resnet34": _imagenet_card(34, 21_797_672, 3_663_761_408, 24.52, 7.46, _TABLE_3.format("34 B")),
    "resnet50": _imagenet_card(50, 25_636_712, 3_857_973_248, 22.85, 6.71),
    "resnet101": _imagenet_card(101, 44_707_176, 7_570_194_432, 21.75, 6.05),
    "resnet152": _imagenet_card(152, 60_419_944, 11_282_415_616, 21.43, 5.71),
    "resnet20": _cifar_card(20, 269_722, 40_551_040, 8.75),
    "resnet32": _cifar_card(32, 464_154, 68_862_592, 7.51),
    "resnet44": _cifar_card(44, 658_586, 97_174_144, 7.17),
    "resnet56": _cifar_card(56, 853_018, 125_485_696, 6.97),
    "resnet110": _cifar_card(110, 1_727_962, 252_887_680, 6.43, note="; the best of 5 runs, mean 6.61 +- 0.16"),
    # The plain twins are the same stacks without shortcuts: option A adds no parameters.
    "plain20": _cifar_card(20, 269_722, 40_551_040, None, plain=True),
    "plain32": _cifar_card(32, 464_154, 68_862_592, None, plain=True),
    "plain44": _cifar_card(44, 658_586, 97_174_144, None, plain=True),
    "plain56": _cifar_card(56, 853_018, 125_485_696, None, plain=True),
}

RESNET_DOC = """{label}, {variant}: {summary}.

    Calls :func:`resnet` with the Table 1 blocks; every argument is a keyword.

    Args:
        include_top: build the global average pooling and the linear classifier (default True).
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``; default ``{input_shape}``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes (default {classes}).
        classifier_activation: activation of the classifier (default ``"softmax"``), None for logits.
        name: model name (default ``"{name}"``).

    Reference: {paper}.
    """

CIFAR_RESNET_DOC = """{label}, {variant}: {summary}.

    Calls :func:`cifar_resnet` with the depth; every argument is a keyword.

    Args:
        include_top: build the global average pooling and the 10-way classifier (default True).
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``; default ``{input_shape}``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes (default {classes}).
        classifier_activation: activation of the classifier (default ``"softmax"``), None for logits.
        shortcut: ``"A"`` (default), ``"B"`` or ``"C"`` for the residual networks; the plain ones have none.
        base_width: filters of the first stage (default 16, the paper's).
        name: model name (default ``"{name}"``).

    Reference: {paper}, section 4.2.
    """


@register_model(card=RESNET_CARDS["resnet18"], doc=RESNET_DOC)
def resnet18(**kwargs):
    return resnet(*RESNET_CONFIGS[18], **{"name": "resnet18", **kwargs})


@register_model(card=RESNET_CARDS["resnet34"], doc=RESNET_DOC)
def resnet34(**kwargs):
    return resnet(*RESNET_CONFIGS[34], **{"name": "resnet34", **kwargs})


@register_model(card=RESNET_CARDS["resnet50"], doc=RESNET_DOC)
def resnet50(**kwargs):
    return resnet(*RESNET_CONFIGS[50], **{"name": "resnet50", **kwargs})


@register_model(card=RESNET_CARDS["resnet101"], doc=RESNET_DOC)
def resnet101(**kwargs):
    return resnet(*RESNET_CONFIGS[101], **{"name": "resnet101", **kwargs})


@register_model(card=RESNET_CARDS["resnet152"], doc=RESNET_DOC)
def resnet152(**kwargs):
    return resnet(*RESNET_CONFIGS[152], **{"name": "resnet152", **kwargs})


@register_model(card=RESNET_CARDS["resnet20"], doc=CIFAR_RESNET_DOC)
def resnet20(**kwargs):
    return cifar_resnet(20, **{"name": "resnet20", **kwargs})


@register_model(card=RESNET_CARDS["resnet32"], doc=CIFAR_RESNET_DOC)
def resnet32(**kwargs):
    return cifar_resnet(32, **{"name": "resnet32", **kwargs})


@register_model(card=RESNET_CARDS["resnet44"], doc=CIFAR_RESNET_DOC)
def resnet44(**kwargs):
    return cifar_resnet(44, **{"name": "resnet44", **kwargs})


@register_model(card=RESNET_CARDS["resnet56"], doc=CIFAR_RESNET_DOC)
def resnet56(**kwargs):
    return cifar_resnet(56, **{"name": "resnet56", **kwargs})


@register_model(card=RESNET_CARDS["resnet110"], doc=CIFAR_RESNET_DOC)
def resnet110(**kwargs):
    return cifar_resnet(110, **{"name": "resnet110", **kwargs})


# shortcut=None is passed positionally: plain20(shortcut=...) is refused, as before.
@register_model(card=RESNET_CARDS["plain20"], doc=CIFAR_RESNET_DOC)
def plain20(**kwargs):
    return cifar_resnet(20, None, **{"name": "plain20", **kwargs})


@register_model(card=RESNET_CARDS["plain32"], doc=CIFAR_RESNET_DOC)
def plain32(**kwargs):
    return cifar_resnet(32, None, **{"name": "plain32", **kwargs})


@register_model(card=RESNET_CARDS["plain44"], doc=CIFAR_RESNET_DOC)
def plain44(**kwargs):
    return cifar_resnet(44, None, **{"name": "plain44", **kwargs})


@register_model(card=RESNET_CARDS["plain56"], doc=CIFAR_RESNET_DOC)
def plain56(**kwargs):
    return cifar_resnet(56, None, **{"name": "plain56", **kwargs})

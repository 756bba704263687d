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

__all__ = [
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
    elif shortcut is not None:
        raise ValueError(f"shortcut must be 'identity', 'projection', 'zero_pad' or None, got {shortcut!r}.")

    x = _conv3x3(x, filters, stride, use_bias, name=f"{name}_1_conv")
    x = keras.layers.BatchNormalization(**bn, name=f"{name}_1_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = _conv3x3(x, filters, 1, use_bias, name=f"{name}_2_conv")
    x = keras.layers.BatchNormalization(**bn, name=f"{name}_2_bn")(x)
    if shortcut is not None:
        x = keras.layers.Add(name=f"{name}_add")([residual, x])
    return keras.layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_block(x, filters, stride=1, conv_shortcut=True, name=None):
    """1 x 1 reduce, 3 x 3, 1 x 1 expand to ``4 * filters`` (Figure 5, right).

    keras.applications' ``residual_block_v1`` layer for layer: the stride is on the first
    1 x 1 convolution and the shortcut is a projection (option B) in the first block of
    each stage, including conv2_x where only the width changes (64 -> 256).
    """
    if conv_shortcut:
        shortcut = keras.layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x

    x = keras.layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_1_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_1_relu")(x)

    x = keras.layers.Conv2D(filters, 3, padding="SAME", name=f"{name}_2_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_2_bn")(x)
    x = keras.layers.Activation("relu", name=f"{name}_2_relu")(x)

    x = keras.layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = keras.layers.BatchNormalization(axis=3, **_KERAS_BN, name=f"{name}_3_bn")(x)

    x = keras.layers.Add(name=f"{name}_add")([shortcut, x])
    return keras.layers.Activation("relu", name=f"{name}_out")(x)


def stack_bottleneck(x, filters, blocks, stride1=2, name=None):
    """One stage of bottleneck blocks (keras.applications' ``stack_residual_blocks_v1``)."""
    x = bottleneck_block(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = bottleneck_block(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def stack_basic(x, filters, blocks, stride1=2, shortcut="B", bn=_TORCH_BN, name=None):
    """One stage of basic blocks; ``shortcut`` is the option where the shape changes:
    ``"A"`` (zero padding), ``"B"`` (projection) or None (plain network)."""
    changes = stride1 != 1 or x.shape[-1] != filters
    first = {"A": "zero_pad", "B": "projection", None: None}[shortcut]
    same = None if shortcut is None else "identity"
    x = basic_block(x, filters, stride1, first if changes else same, bn=bn, name=f"{name}_block1")
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
        shortcut: ``"A"`` (zero-padding identity, no parameters: the paper's CIFAR choice),
            ``"B"`` (projection where the shape changes) or None (the plain network).
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
    if shortcut not in ("A", "B", None):
        raise ValueError(f"shortcut must be 'A', 'B' or None (plain network), got {shortcut!r}.")
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


@register_model
def resnet18(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet18"):  # fmt: skip
    """ResNet-18, torchvision layout (11,689,512 trainable parameters). Reference: He et al., 2016."""
    return resnet(*RESNET_CONFIGS[18], include_top, weights, input_shape, pooling, classes,
                  classifier_activation, name)  # fmt: skip


@register_model
def resnet34(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet34"):  # fmt: skip
    """ResNet-34, torchvision layout (21,797,672 trainable parameters). Reference: He et al., 2016."""
    return resnet(*RESNET_CONFIGS[34], include_top, weights, input_shape, pooling, classes,
                  classifier_activation, name)  # fmt: skip


@register_model
def resnet50(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):  # fmt: skip
    """ResNet-50, keras.applications layout (25,636,712 parameters). Reference: He et al., 2016."""
    return resnet(*RESNET_CONFIGS[50], include_top, weights, input_shape, pooling, classes,
                  classifier_activation, name)  # fmt: skip


@register_model
def resnet101(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet101"):  # fmt: skip
    """ResNet-101, keras.applications layout (44,707,176 parameters). Reference: He et al., 2016."""
    return resnet(*RESNET_CONFIGS[101], include_top, weights, input_shape, pooling, classes,
                  classifier_activation, name)  # fmt: skip


@register_model
def resnet152(include_top=True, weights=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet152"):  # fmt: skip
    """ResNet-152, keras.applications layout (60,419,944 parameters). Reference: He et al., 2016."""
    return resnet(*RESNET_CONFIGS[152], include_top, weights, input_shape, pooling, classes,
                  classifier_activation, name)  # fmt: skip


def _cifar(depth, shortcut, doc):
    # One registered builder per Table 6 row; a factory keeps the nine of them one line each.
    if shortcut is None:

        def builder(include_top=True, weights=None, input_shape=None, pooling=None, classes=10,
                    classifier_activation="softmax", name=f"plain{depth}"):  # fmt: skip
            return cifar_resnet(depth, None, include_top, weights, input_shape, pooling, classes,
                                classifier_activation, name)  # fmt: skip

    else:

        def builder(include_top=True, weights=None, input_shape=None, pooling=None, classes=10,
                    classifier_activation="softmax", shortcut=shortcut, name=f"resnet{depth}"):  # fmt: skip
            return cifar_resnet(depth, shortcut, include_top, weights, input_shape, pooling, classes,
                                classifier_activation, name)  # fmt: skip

    builder.__name__ = builder.__qualname__ = f"{'plain' if shortcut is None else 'resnet'}{depth}"
    builder.__doc__ = f"{doc} Reference: He et al., CVPR 2016, section 4.2."
    return register_model(builder)


resnet20 = _cifar(20, "A", "CIFAR-10 ResNet-20, shortcut option A (0.27 M parameters, Table 6).")
resnet32 = _cifar(32, "A", "CIFAR-10 ResNet-32, shortcut option A (0.46 M parameters, Table 6).")
resnet44 = _cifar(44, "A", "CIFAR-10 ResNet-44, shortcut option A (0.66 M parameters, Table 6).")
resnet56 = _cifar(56, "A", "CIFAR-10 ResNet-56, shortcut option A (0.85 M parameters, Table 6).")
resnet110 = _cifar(110, "A", "CIFAR-10 ResNet-110, shortcut option A (1.7 M parameters, Table 6).")
plain20 = _cifar(20, None, "CIFAR-10 plain 20-layer network: ResNet-20 without shortcuts.")
plain32 = _cifar(32, None, "CIFAR-10 plain 32-layer network: ResNet-32 without shortcuts.")
plain44 = _cifar(44, None, "CIFAR-10 plain 44-layer network: ResNet-44 without shortcuts.")
plain56 = _cifar(56, None, "CIFAR-10 plain 56-layer network: ResNet-56 without shortcuts.")

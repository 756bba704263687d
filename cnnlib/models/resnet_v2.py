"""ResNet v2: pre-activation residual units, ``x + F(x)`` with BN and ReLU *before* each convolution.

Reference: K. He, X. Zhang, S. Ren, J. Sun, "Identity Mappings in Deep Residual Networks",
ECCV 2016, Figure 1(b) and Figure 4(e) (full pre-activation), equations (4) and (5).

In the 2015 block, ``x_{l+1} = relu(x_l + F(x_l))``: the ReLU after the addition sits on the path from one
block to the next. Moving batch normalization and the ReLU into the residual branch, before its convolutions,
leaves that path a pure identity, ``x_{l+1} = x_l + F(x_l)``, so that any later block's input is any earlier
one's plus a sum of residuals, ``x_L = x_l + sum_{i=l}^{L-1} F(x_i)``, and the gradient ``d loss / d x_l``
contains ``d loss / d x_L`` unchanged. One BN and ReLU after the last block (``post_bn``, ``post_relu``) feed
the classifier.

The layout and layer names are keras.applications' ``ResNet50V2`` (``conv3_block2_preact_bn``...), so
``resnet50v2().set_weights(keras.applications.ResNet50V2(weights=None).get_weights())`` copies one to one. Like
the TF-slim models those weights come from, each stage shrinks the map in its *last* block (a 3 x 3 stride-2
convolution, and a 1 x 1 max pooling of stride 2 on the identity path), not its first.
"""

from __future__ import annotations

import keras

from cnnlib.arithmetic.sizes import is_whole
from cnnlib.models._common import check_common, check_min_size, global_pool_classifier, image_input, input_shape_for
from cnnlib.models._registry import register_model
from cnnlib.models.cards import ModelCard

__all__ = ["RESNET_V2_CONFIGS", "preact_bottleneck_block", "resnet50v2", "resnet_v2"]

RESNET_V2_CONFIGS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}
_BN = {"axis": 3, "epsilon": 1.001e-5}


def preact_bottleneck_block(x, filters, stride=1, shortcut="identity", name=None):
    """BN-ReLU, then 1 x 1 reduce, BN-ReLU, 3 x 3 (carrying ``stride``), BN-ReLU, 1 x 1 expand; plus the shortcut.

    ``shortcut="projection"``: a 1 x 1 convolution of the pre-activated input (where the width changes);
    ``"identity"``: the input itself, subsampled by a 1 x 1 max pooling where ``stride`` is 2. No ReLU after the
    addition: the block's output is ``shortcut + F(x)`` (keras.applications' ``residual_block_v2``).
    """
    if shortcut not in ("identity", "projection"):
        raise ValueError(f"shortcut must be 'identity' or 'projection', got {shortcut!r}.")
    layers = keras.layers
    preact = layers.BatchNormalization(**_BN, name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if shortcut == "projection":
        residual = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        residual = layers.MaxPooling2D(1, strides=stride, name=f"{name}_0_pool")(x) if stride > 1 else x

    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = layers.Activation("relu", name=f"{name}_1_relu")(layers.BatchNormalization(**_BN, name=f"{name}_1_bn")(x))
    x = layers.ZeroPadding2D(1, name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(layers.BatchNormalization(**_BN, name=f"{name}_2_bn")(x))
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([residual, x])


def _stage(x, filters, blocks, stride, name):
    """A projection first, the stride last (keras.applications' ``stack_residual_blocks_v2``)."""
    x = preact_bottleneck_block(x, filters, shortcut="projection", name=f"{name}_block1")
    for i in range(2, blocks):
        x = preact_bottleneck_block(x, filters, name=f"{name}_block{i}")
    return preact_bottleneck_block(x, filters, stride=stride, name=f"{name}_block{blocks}")


def _steps(blocks):
    """The layers that shrink the image, for the size check."""
    stages = [("conv1_conv", 7, 2, 3), ("pool1_pool", 3, 2, 1)]
    return stages + [(f"conv{s}_block{n}_2_conv", 3, 2, 1) for s, n in zip((2, 3, 4), blocks, strict=False)]


def resnet_v2(
    blocks,
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet_v2",
):
    """A pre-activation ResNet of bottleneck blocks from its per-stage block counts (e.g. ``(3, 4, 6, 3)``).

    Args:
        blocks: number of blocks in conv2 ... conv5, each at least 2 (the first projects, the last strides).
        include_top, weights, input_shape, pooling, classes, classifier_activation, name: as for
            :func:`cnnlib.models.resnet`.

    Reference: He et al., "Identity Mappings in Deep Residual Networks", ECCV 2016.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    blocks = tuple(blocks)
    if len(blocks) != 4 or not all(is_whole(b) and b >= 2 for b in blocks):
        raise ValueError(f"blocks must be four whole numbers of at least 2 (conv2 ... conv5), got {blocks!r}.")
    blocks = tuple(int(b) for b in blocks)
    shape = input_shape_for(input_shape, (224, 224, 3), include_top, "ResNet v2")
    check_min_size(shape, _steps(blocks), "ResNet v2")

    inputs = image_input(shape)
    x = keras.layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = keras.layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)  # no BN or ReLU: the first block has them
    x = keras.layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks, strict=True), start=2):
        x = _stage(x, filters, count, 1 if stage == 5 else 2, name=f"conv{stage}")
    x = keras.layers.BatchNormalization(**_BN, name="post_bn")(x)
    x = keras.layers.Activation("relu", name="post_relu")(x)
    x = global_pool_classifier(x, include_top, pooling, classes, classifier_activation)
    return keras.Model(inputs, x, name=name)


RESNET50V2_CARD = ModelCard(
    label="ResNet-50 v2",
    family="ResNet",
    variant="ResNet-50's stages with full pre-activation bottleneck units (Figure 4(e)), keras.applications layout",
    paper='K. He, X. Zhang, S. Ren, J. Sun, "Identity Mappings in Deep Residual Networks", ECCV 2016',
    year=2016,
    input_shape=(224, 224, 3),
    classes=1000,
    params=25_613_800,
    params_kind="total",
    macs=3_482_255_360,
    dataset="ImageNet",
    top1_error=None,
    top5_error=None,
    error_source="no published figure: the paper's ImageNet comparison (Table 5) is of the deeper ResNet-152 "
    "and ResNet-200",
)


RESNET_V2_DOC = """{label}, {variant}: {summary}.

    Calls :func:`resnet_v2` with the stages (3, 4, 6, 3); every argument is a keyword, as for :func:`resnet_v2`.

    Reference: {paper}.
    """


@register_model(card=RESNET50V2_CARD, doc=RESNET_V2_DOC)
def resnet50v2(**kwargs):
    return resnet_v2(RESNET_V2_CONFIGS[50], **{"name": "resnet50v2", **kwargs})

"""ZFNet: AlexNet with a 7 x 7 stride-2 first layer, as in the paper's Figure 3.

Reference: M. D. Zeiler, R. Fergus, "Visualizing and Understanding Convolutional
Networks", ECCV 2014, Figure 3 and Table 2.

Figure 3: 224 -> conv1 96@7x7/2 -> 110 -> pool 3x3/2 -> 55 -> conv2 256@5x5/2 -> 26 ->
pool 3x3/2 -> 13 -> conv3-5 384, 384, 256 @3x3/1 -> 13 -> pool 3x3/2 -> 6 -> 4096 -> 4096 ->
classes. The widths 512-1024-512 that some courses quote for conv3-5 are Table 2's
variant (b), available as ``widths=(512, 1024, 512)``.

Deviations and choices:

- The paper gives sizes, not paddings. These reproduce every size of Figure 3: conv1 pads
  1 pixel on each side (224 -> 110); pool1 and pool2 keep a last, partial window at the
  bottom and right edge (Keras ``"same"``: 110 -> 55, 26 -> 13; the max of a partial
  window is taken over the pixels present); conv2 and pool5 pad nothing; conv3-5 pad 1.
  With them the parameter count is 62,357,608.
- Contrast normalization "across feature maps" after layers 1 and 2 uses AlexNet's local
  response normalization with AlexNet's constants (the paper gives none); it follows the
  pooling, in the order of the Figure 3 caption. It has no parameters.
- The paper renormalizes conv filters whose RMS exceeds 0.1 during training; that is a
  training rule, not part of the architecture, and is not built in.
"""

from __future__ import annotations

import keras

from cnnlib.arithmetic import is_whole
from cnnlib.layers import LocalResponseNormalization
from cnnlib.models._common import (
    alexnet_head,
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

__all__ = ["ZFNET_CARD", "ZFNET_WIDTHS", "zfnet"]

ZFNET_CARD = ModelCard(
    label="ZFNet",
    family="ZFNet",
    variant="the network of Figure 3 (conv3-5: 384, 384, 256 filters)",
    paper='M. D. Zeiler, R. Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014',
    year=2013,
    input_shape=(224, 224, 3),
    classes=1000,
    params=62_357_608,
    params_kind="total",
    macs=1_168_032_896,
    dataset="ImageNet",
    top1_error=38.4,
    top5_error=16.5,
    error_source="Zeiler and Fergus 2014, Table 2, '1 convnet as per Fig. 3' (ImageNet 2012 validation set); "
    "the paper does not say how many crops it tested with",
    protocol="not stated",
)

# conv3, conv4, conv5 output channels.
ZFNET_WIDTHS = {"fig3": (384, 384, 256), "table2b": (512, 1024, 512)}

ZFNET_STEPS = [
    ("conv1", 7, 2, 1),  # 224 -> 110
    ("pool1", 3, 2, "same"),  # 110 -> 55
    ("conv2", 5, 2, "valid"),  # 55 -> 26
    ("pool2", 3, 2, "same"),  # 26 -> 13
    ("conv3", 3, 1, "same"),
    ("conv4", 3, 1, "same"),
    ("conv5", 3, 1, "same"),
    ("pool5", 3, 2, "valid"),  # 13 -> 6
]


@register_model(card=ZFNET_CARD)
def zfnet(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    widths=ZFNET_WIDTHS["fig3"],
    lrn=True,
    dropout=0.5,
    name="zfnet",
):
    """ZFNet of Figure 3: {summary}.

    Args:
        include_top: build the three dense layers.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, at least 53 x 53; default ``(224, 224, 3)``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the output layer, None for logits.
        widths: output channels of conv3, conv4, conv5; ``(512, 1024, 512)`` is Table 2 (b).
        lrn: contrast-normalize after pool1 and pool2, as the paper does.
        dropout: dropout rate after fc6 and fc7 (as AlexNet: 0.5).
        name: model name.

    Reference: Zeiler and Fergus, ECCV 2014.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    widths = tuple(widths)
    if len(widths) != 3 or any(not is_whole(w) or w < 1 for w in widths):
        raise ValueError(f"widths must be three positive numbers of channels for conv3, conv4, conv5, got {widths!r}.")
    widths = tuple(int(w) for w in widths)
    dropout = check_dropout(dropout)
    shape = input_shape_for(input_shape, (224, 224, 3), include_top, "ZFNet", fixed_size_top=True)
    check_min_size(
        shape,
        ZFNET_STEPS,
        "ZFNet",
        why="Its stride-2 layers shrink the image about 32 times; for 32 x 32 images (CIFAR) "
        "use a smaller network, or resize the images.",
    )

    inputs = image_input(shape)
    # The paper gives no paddings; 1 pixel makes 224 -> 110 as in Figure 3.
    x = keras.layers.ZeroPadding2D(1, name="conv1_pad")(inputs)
    x = keras.layers.Conv2D(96, 7, strides=2, activation="relu", name="conv1")(x)
    # 110 x 110 x 96
    # "same" keeps the partial last window, giving the paper's 55 (valid would give 54).
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    # 55 x 55 x 96
    if lrn:
        # "contrast normalized across feature maps" after the pooling (Figure 3 caption);
        # the paper gives no constants, these are AlexNet's.
        x = LocalResponseNormalization(**LRN_PARAMS, name="norm1")(x)
    x = keras.layers.Conv2D(256, 5, strides=2, activation="relu", name="conv2")(x)
    # 26 x 26 x 256
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    # 13 x 13 x 256
    if lrn:
        x = LocalResponseNormalization(**LRN_PARAMS, name="norm2")(x)
    for i, width in enumerate(widths, start=3):
        x = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv{i}")(x)
    # 13 x 13 x widths[2]
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    # 6 x 6 x widths[2]
    if include_top:
        x = alexnet_head(x, classes, classifier_activation, dropout)
    else:
        x = pooled_features(x, pooling)
    return keras.Model(inputs, x, name=name)

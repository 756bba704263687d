"""GoogLeNet (Inception v1): a stem, nine Inception blocks, global average pooling.

Reference: C. Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, Table 1,
Figure 2(b) (the block) and Figure 3 (the whole network with its auxiliary classifiers).

Layer names follow the authors' Caffe model with "/" written "_" (Keras names cannot hold
"/"): ``conv1_7x7_s2``, ``inception_3a_3x3_reduce``, ``inception_3a_output``, ``loss1_fc``.

Every convolution has a bias and a ReLU, and there is no batch normalization, as in the
paper (6,998,552 parameters; torchvision's GoogLeNet adds batch normalization, drops the
biases and has 6,624,904).

Deviations and choices:

- The stem pads explicitly (3 pixels for the 7 x 7 stride-2 convolution) and the 3 x 3
  stride-2 max poolings keep a last partial window (Keras ``"same"``), which gives the
  Table 1 sizes 112, 56, 28, 14, 7 (the Caffe model's "ceil" pooling).
- The 7 x 7 average pooling of Table 1 is a global average pooling: identical on a
  224 x 224 input (7 x 7 maps), and the network still works on smaller images.
"""

from __future__ import annotations

import keras

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
    "AUX_STEPS",
    "GOOGLENET_CARD",
    "GOOGLENET_STEPS",
    "INCEPTION_CONFIGS",
    "auxiliary_classifier",
    "googlenet",
    "inception_block",
]

GOOGLENET_CARD = ModelCard(
    label="GoogLeNet",
    family="GoogLeNet",
    variant="Table 1 without batch normalization, the inference model (aux_logits=True adds the two "
    "auxiliary classifiers of training)",
    paper="C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, A. Rabinovich, "
    '"Going Deeper with Convolutions", CVPR 2015',
    year=2014,
    input_shape=(224, 224, 3),
    classes=1000,
    params=6_998_552,
    params_kind="total",
    macs=1_582_671_872,
    dataset="ImageNet",
    top1_error=None,
    top5_error=10.07,
    error_source="Szegedy et al. 2015, Table 3, 1 model and 1 crop (ILSVRC-2014 validation set); the paper "
    "gives no top-1 error; with 10 crops per image it gives 9.15 % (same table)",
    protocol="1 crop",
    ten_crop=(None, 9.15),
)

# Table 1 columns: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
INCEPTION_CONFIGS = {
    "3a": (64, 96, 128, 16, 32, 32),  # 28 x 28 x 256
    "3b": (128, 128, 192, 32, 96, 64),  # 28 x 28 x 480
    "4a": (192, 96, 208, 16, 48, 64),  # 14 x 14 x 512
    "4b": (160, 112, 224, 24, 64, 64),  # 14 x 14 x 512
    "4c": (128, 128, 256, 24, 64, 64),  # 14 x 14 x 512
    "4d": (112, 144, 288, 32, 64, 64),  # 14 x 14 x 528
    "4e": (256, 160, 320, 32, 128, 128),  # 14 x 14 x 832
    "5a": (256, 160, 320, 32, 128, 128),  # 7 x 7 x 832
    "5b": (384, 192, 384, 48, 128, 128),  # 7 x 7 x 1024
}

# Stem and the max poolings between stages; Inception blocks keep the size.
GOOGLENET_STEPS = [
    ("conv1_7x7_s2", 7, 2, 3),  # 224 -> 112
    ("pool1_3x3_s2", 3, 2, "same"),  # 112 -> 56
    ("pool2_3x3_s2", 3, 2, "same"),  # 56 -> 28
    ("pool3_3x3_s2", 3, 2, "same"),  # 28 -> 14
    ("pool4_3x3_s2", 3, 2, "same"),  # 14 -> 7
]
# The first auxiliary classifier's pooling, on the 14 x 14 output of block 4a.
AUX_STEPS = [*GOOGLENET_STEPS[:4], ("loss1_ave_pool", 5, 3, "valid")]  # 14 -> 4


def inception_block(x, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, name="inception"):
    """The Inception module with dimension reductions (Figure 2b).

    Four branches see the same input and are concatenated along the channels: a 1 x 1
    convolution; a 1 x 1 reduction then a 3 x 3; a 1 x 1 reduction then a 5 x 5; a 3 x 3
    max pooling (stride 1) then a 1 x 1 projection. The output has
    ``ch1x1 + ch3x3 + ch5x5 + pool_proj`` channels and the input's height and width.
    """
    branch1 = keras.layers.Conv2D(ch1x1, 1, activation="relu", name=f"{name}_1x1")(x)

    # The 1 x 1 reductions are why the block is cheap: the 3 x 3 and 5 x 5 filters see
    # ch3x3red and ch5x5red channels instead of all the input's.
    branch2 = keras.layers.Conv2D(ch3x3red, 1, activation="relu", name=f"{name}_3x3_reduce")(x)
    branch2 = keras.layers.Conv2D(ch3x3, 3, padding="same", activation="relu", name=f"{name}_3x3")(branch2)

    branch3 = keras.layers.Conv2D(ch5x5red, 1, activation="relu", name=f"{name}_5x5_reduce")(x)
    branch3 = keras.layers.Conv2D(ch5x5, 5, padding="same", activation="relu", name=f"{name}_5x5")(branch3)

    branch4 = keras.layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch4 = keras.layers.Conv2D(pool_proj, 1, activation="relu", name=f"{name}_pool_proj")(branch4)

    return keras.layers.Concatenate(axis=-1, name=f"{name}_output")([branch1, branch2, branch3, branch4])


def auxiliary_classifier(x, classes, classifier_activation, name):
    """The auxiliary classifier of section 5, attached after 4a (``loss1``) and 4d (``loss2``)."""
    x = keras.layers.AveragePooling2D(5, strides=3, name=f"{name}_ave_pool")(x)
    # 4 x 4 x 512 (after 4a) or 4 x 4 x 528 (after 4d)
    x = keras.layers.Conv2D(128, 1, activation="relu", name=f"{name}_conv")(x)
    x = keras.layers.Flatten(name=f"{name}_flatten")(x)
    x = keras.layers.Dense(1024, activation="relu", name=f"{name}_fc")(x)
    x = keras.layers.Dropout(0.7, name=f"{name}_drop_fc")(x)
    return keras.layers.Dense(classes, activation=classifier_activation, name=f"{name}_classifier")(x)


@register_model(card=GOOGLENET_CARD)
def googlenet(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    aux_logits=False,
    lrn=True,
    dropout=0.4,
    name="googlenet",
):
    """GoogLeNet of Table 1: {summary} (13,378,280 parameters with ``aux_logits=True``).

    Args:
        include_top: build the average pooling, dropout and linear classifier.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, default ``(224, 224, 3)``; any size from
            1 x 1 works without the auxiliary classifiers, at least 65 x 65 with them.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the classifiers, None for logits.
        aux_logits: build the training model with three outputs ``[predictions,
            loss1_classifier, loss2_classifier]`` (main, after 4a, after 4d), to be trained
            with ``loss_weights=[1.0, 0.3, 0.3]``. For inference, build without them and
            copy the shared weights by layer name: ``for layer in inference.layers:
            layer.set_weights(training.get_layer(layer.name).get_weights())``.
        lrn: the two local response normalizations of the stem (Figure 3); no parameters.
        dropout: dropout rate before the linear classifier (paper: 0.4).
        name: model name.

    Reference: Szegedy et al., CVPR 2015.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    if aux_logits and not include_top:
        raise ValueError("aux_logits=True needs include_top=True: the auxiliary classifiers are "
                         "part of the training model's heads.")  # fmt: skip
    dropout = check_dropout(dropout)
    shape = input_shape_for(input_shape, (224, 224, 3), include_top, "GoogLeNet", fixed_size_top=aux_logits)
    if aux_logits:
        check_min_size(
            shape, AUX_STEPS, "GoogLeNet with auxiliary classifiers",
            why="Their 5 x 5 average pooling needs a 5 x 5 map after block 4a, which is 16 "
            "times smaller than the input; build with aux_logits=False for small images.",
        )  # fmt: skip

    inputs = image_input(shape)
    # Symmetric 3-pixel padding as in the authors' Caffe model (Keras' "same" would pad
    # 2 before and 3 after on 224 pixels).
    x = keras.layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = keras.layers.Conv2D(64, 7, strides=2, activation="relu", name="conv1_7x7_s2")(x)
    # 112 x 112 x 64
    # "same" keeps the last partial window, as Caffe's ceil-mode pooling: 112 -> 56.
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool1_3x3_s2")(x)
    # 56 x 56 x 64
    if lrn:
        x = LocalResponseNormalization(**LRN_PARAMS, name="pool1_norm1")(x)
    x = keras.layers.Conv2D(64, 1, activation="relu", name="conv2_3x3_reduce")(x)
    x = keras.layers.Conv2D(192, 3, padding="same", activation="relu", name="conv2_3x3")(x)
    # 56 x 56 x 192
    if lrn:
        x = LocalResponseNormalization(**LRN_PARAMS, name="conv2_norm2")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool2_3x3_s2")(x)
    # 28 x 28 x 192

    x = inception_block(x, *INCEPTION_CONFIGS["3a"], name="inception_3a")
    # 28 x 28 x 256
    x = inception_block(x, *INCEPTION_CONFIGS["3b"], name="inception_3b")
    # 28 x 28 x 480
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool3_3x3_s2")(x)
    # 14 x 14 x 480

    aux = []
    for block in ("4a", "4b", "4c", "4d", "4e"):
        x = inception_block(x, *INCEPTION_CONFIGS[block], name=f"inception_{block}")
        if aux_logits and block in ("4a", "4d"):
            head = "loss1" if block == "4a" else "loss2"
            aux.append(auxiliary_classifier(x, classes, classifier_activation, name=head))
    # 14 x 14 x 832
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool4_3x3_s2")(x)
    # 7 x 7 x 832
    x = inception_block(x, *INCEPTION_CONFIGS["5a"], name="inception_5a")
    # 7 x 7 x 832
    x = inception_block(x, *INCEPTION_CONFIGS["5b"], name="inception_5b")
    # 7 x 7 x 1024

    if include_top:
        # Table 1's "avg pool 7x7/1" on the 7 x 7 map of a 224 x 224 input.
        x = keras.layers.GlobalAveragePooling2D(name="pool5_7x7_s1")(x)
        # 1 x 1 x 1024
        x = keras.layers.Dropout(dropout, name="pool5_drop_7x7_s1")(x)
        x = keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pooled_features(x, pooling)
    outputs = [x, *aux] if aux_logits else x
    return keras.Model(inputs, outputs, name=name)

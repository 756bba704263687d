"""AlexNet: five convolutions (96-256-384-384-256) and three dense layers.

Reference: A. Krizhevsky, I. Sutskever, G. E. Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS 2012, section 3 and Figure 2.

Deviations from the paper:

- The input is 227 x 227, not the 224 x 224 the paper states: an 11 x 11 stride-4 window
  gives the paper's 55 x 55 first layer only on 227 pixels ((227 - 11) / 4 + 1 = 55).
- One tower by default (62,378,344 parameters). The paper splits the network over two
  GPUs; conv2, conv4 and conv5 then see only the half of the previous layer on their own
  GPU. ``towers=2`` builds that as grouped convolutions (60,965,224 parameters); the
  layers that talk across GPUs (conv3 and the dense layers) are whole in both.
"""

from __future__ import annotations

import keras

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
from cnnlib.models.cards import ModelCard

__all__ = ["ALEXNET_CARD", "alexnet", "figure1_net"]

ALEXNET_CARD = ModelCard(
    label="AlexNet",
    family="AlexNet",
    variant="section 3 and Figure 2 in one tower (towers=2 builds the paper's two-GPU split)",
    paper='A. Krizhevsky, I. Sutskever, G. E. Hinton, "ImageNet Classification with Deep Convolutional Neural '
    'Networks", NIPS 2012',
    year=2012,
    input_shape=(227, 227, 3),
    classes=1000,
    params=62_378_344,
    params_kind="total",
    macs=1_135_256_096,
    dataset="ImageNet",
    top1_error=40.7,
    top5_error=18.2,
    error_source="Krizhevsky et al. 2012, Table 2, '1 CNN' (ILSVRC-2012 validation set); the paper's network is "
    "the two-GPU one (towers=2), with the same layer widths as this one-tower default; at test time it averages "
    "ten 224 x 224 patches, the corners and the centre and their mirror images (section 4.1)",
    protocol="10 crops",
)

# Section 3.3: k = 2, n = 5, alpha = 1e-4, beta = 0.75.
LRN_PARAMS = {"size": 5, "k": 2.0, "alpha": 1e-4, "beta": 0.75}

ALEXNET_STEPS = [
    ("conv1", 11, 4, "valid"),  # 227 -> 55
    ("pool1", 3, 2, "valid"),  # 55 -> 27
    ("conv2", 5, 1, "same"),
    ("pool2", 3, 2, "valid"),  # 27 -> 13
    ("conv3", 3, 1, "same"),
    ("conv4", 3, 1, "same"),
    ("conv5", 3, 1, "same"),
    ("pool5", 3, 2, "valid"),  # 13 -> 6
]


@register_model(card=ALEXNET_CARD)
def alexnet(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    towers=1,
    dropout=0.5,
    name="alexnet",
):
    """AlexNet, one tower: {summary}.

    Args:
        include_top: build the three dense layers.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, at least 67 x 67; default ``(227, 227, 3)``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the output layer, None for logits.
        towers: 1 (one GPU) or 2 (the paper's two-GPU split, as grouped convolutions).
        dropout: dropout rate after fc6 and fc7 (paper: 0.5).
        name: model name.

    Reference: Krizhevsky et al., NIPS 2012.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    if towers not in (1, 2):
        raise ValueError(f"towers must be 1 or 2 (the paper's two GPUs), got {towers!r}.")
    dropout = check_dropout(dropout)
    shape = input_shape_for(input_shape, (227, 227, 3), include_top, "AlexNet", fixed_size_top=True)
    check_min_size(
        shape,
        ALEXNET_STEPS,
        "AlexNet",
        why="Its 11 x 11 stride-4 first layer and three 3 x 3 stride-2 poolings shrink the "
        "image about 32 times; for 32 x 32 images (CIFAR) use a smaller network, or resize "
        "the images.",
    )

    inputs = image_input(shape)
    # Paper: 224 x 224 input, but (224 - 11) / 4 + 1 is not a whole number; 227 gives its 55.
    x = keras.layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    # 55 x 55 x 96
    # Section 3.3: normalization follows the ReLU of conv1 and conv2, before pooling.
    x = LocalResponseNormalization(**LRN_PARAMS, name="norm1")(x)
    # Section 3.4: overlapping pooling, 3 x 3 windows every 2 pixels.
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    # 27 x 27 x 96
    # towers=2: each GPU's half of conv2 sees only its own half of pool1 (grouped convolution).
    x = keras.layers.Conv2D(256, 5, padding="same", groups=towers, activation="relu", name="conv2")(x)
    x = LocalResponseNormalization(**LRN_PARAMS, name="norm2")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    # 13 x 13 x 256
    # conv3 takes input from both GPUs in the paper, so it is never grouped.
    x = keras.layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = keras.layers.Conv2D(384, 3, padding="same", groups=towers, activation="relu", name="conv4")(x)
    x = keras.layers.Conv2D(256, 3, padding="same", groups=towers, activation="relu", name="conv5")(x)
    # 13 x 13 x 256
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    # 6 x 6 x 256
    if include_top:
        x = alexnet_head(x, classes, classifier_activation, dropout)
    else:
        x = pooled_features(x, pooling)
    return keras.Model(inputs, x, name=name)


def figure1_net(activation="relu", input_shape=(32, 32, 3), classes=10, name=None):
    """The small network of the paper's Figure 1 (ReLU against tanh on CIFAR-10), as far as the paper says.

    Section 3.1 names only "a four-layer convolutional neural network"; its cuda-convnet layout is three 5 x 5
    convolutions of 32, 32 and 64 filters, each followed by 3 x 3 / 2 max pooling, and a linear classifier, with no
    regularization. Each activation gets the initialization designed for it: He for ReLU, Glorot for tanh.
    """
    if activation not in ("relu", "tanh"):
        raise ValueError(f"activation must be 'relu' or 'tanh' (the paper's Figure 1), got {activation!r}.")
    initializer = "he_normal" if activation == "relu" else "glorot_uniform"
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for i, filters in enumerate((32, 32, 64), start=1):
        x = keras.layers.Conv2D(filters, 5, padding="same", activation=activation, kernel_initializer=initializer,
                                name=f"conv{i}")(x)  # fmt: skip
        x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{i}")(x)  # 32 -> 16 -> 8 -> 4
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or f"figure1_{activation}")

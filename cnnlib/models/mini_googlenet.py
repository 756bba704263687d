"""A scaled GoogLeNet for 32 x 32 images: the same nine Inception blocks, narrower, on a small stem.

Reference: C. Szegedy et al., "Going Deeper with Convolutions", CVPR 2015, Table 1 and
Figure 3. Notebook 07 trains it on CIFAR-10 to measure, on two CPU cores, what the paper
measured on ImageNet: auxiliary classifiers, global average pooling against a flattening
classifier, and accuracy per parameter against a VGG-style network.

What is kept from :func:`cnnlib.models.googlenet`: the blocks 3a-3b, 4a-4e, 5a-5b with every
Table 1 width multiplied by ``width`` (1/8 by default: all of Table 1's widths are multiples
of 8), the 3 x 3 stride-2 max poolings between the stages, the auxiliary classifiers after 4a
and 4d, global average pooling, dropout 0.4 and one linear classifier. The blocks are
:func:`cnnlib.models.inception_block` itself and keep its layer names.

Deviations, for 32 x 32 images and a CPU budget (not registered in the zoo: it is not the
paper's network):

- The stem is one 3 x 3 convolution (``192 * width`` filters, stride 1) and one 3 x 3 stride-2
  max pooling: 32 -> 16, so the stages run on 16 x 16, 8 x 8 and 4 x 4 maps (the paper's
  stem takes 224 -> 28, and its stages run on 28, 14, 7). No LRN.
- The auxiliary classifiers are scaled like the blocks (``128 * width`` 1 x 1 filters, a
  ``1024 * width`` dense layer); their 5 x 5 stride-3 average pooling turns the 8 x 8 map
  after 4a and 4d into 2 x 2 (the paper's: 14 x 14 into 4 x 4).
- ``top="flatten"`` replaces the global average pooling by a flattening of the last 4 x 4
  map, to measure what the pooling saves.
"""

from __future__ import annotations

import keras

from cnnlib.models._common import check_common, check_dropout, image_input, input_shape_for
from cnnlib.models.googlenet import INCEPTION_CONFIGS, inception_block

__all__ = ["MINI_STAGES", "mini_googlenet", "scaled_config", "vgg_style"]

# The blocks in order; "pool" is a 3 x 3 stride-2 max pooling between two stages.
MINI_STAGES = ("3a", "3b", "pool", "4a", "4b", "4c", "4d", "4e", "pool", "5a", "5b")
_AUX_AFTER = {"4a": "loss1", "4d": "loss2"}


def scaled_config(block: str, width: float) -> tuple[int, ...]:
    """Table 1's six widths of ``block`` times ``width``, rounded, at least 1 each."""
    if block not in INCEPTION_CONFIGS:
        raise ValueError(f"unknown Inception block {block!r}; Table 1 has {', '.join(INCEPTION_CONFIGS)}.")
    return tuple(max(1, round(c * width)) for c in INCEPTION_CONFIGS[block])


def _scaled(channels: int, width: float) -> int:
    return max(1, round(channels * width))


def mini_googlenet(
    input_shape=(32, 32, 3),
    classes=10,
    width=1 / 8,
    aux_logits=False,
    top="avg",
    dropout=0.4,
    classifier_activation="softmax",
    stages=MINI_STAGES,
    name="mini_googlenet",
):
    """GoogLeNet's nine Inception blocks at ``width`` times Table 1's widths, for small images.

    Args:
        input_shape: ``(height, width, channels)``, at least 32 x 32 with the auxiliary
            classifiers (their 5 x 5 pooling needs a 5 x 5 map after 4a, a quarter of the input side).
        classes: number of output classes.
        width: multiplier of every Table 1 width (and of the stem and auxiliary heads), in (0, 1].
        aux_logits: build the training model with three outputs ``[predictions,
            loss1_classifier, loss2_classifier]``, as ``googlenet(aux_logits=True)``.
        top: ``"avg"`` (global average pooling, the paper's) or ``"flatten"``.
        dropout: dropout rate before the classifier (paper: 0.4).
        classifier_activation: activation of the classifiers, None for logits.
        name: model name.

    Reference: Szegedy et al., CVPR 2015 (scaled; see the module docstring).
    """
    classes = check_common(None, classes, True, None, classifier_activation)
    if not 0 < width <= 1:
        raise ValueError(f"width must be in (0, 1], a fraction of Table 1's widths; got {width!r}.")
    if top not in ("avg", "flatten"):
        raise ValueError(f"top must be 'avg' (global average pooling) or 'flatten', got {top!r}.")
    dropout = check_dropout(dropout)
    shape = input_shape_for(input_shape, (32, 32, 3), True, "mini GoogLeNet", fixed_size_top=True)
    if aux_logits and min(shape[:2]) < 32:
        raise ValueError(
            f"mini GoogLeNet with auxiliary classifiers needs images of at least 32 x 32 pixels, got "
            f"{shape[0]} x {shape[1]}: their 5 x 5 average pooling needs a 5 x 5 map after block 4a, "
            "a quarter of the input side. Build with aux_logits=False for smaller images."
        )
    layers = keras.layers
    inputs = image_input(shape)
    x = layers.Conv2D(_scaled(192, width), 3, padding="same", activation="relu", name="conv1_3x3")(inputs)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1_3x3_s2")(x)
    # 16 x 16 for a 32 x 32 input
    aux, pools = [], 1
    for block in stages:
        if block == "pool":
            pools += 1
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{pools}_3x3_s2")(x)
            continue
        x = inception_block(x, *scaled_config(block, width), name=f"inception_{block}")
        if aux_logits and block in _AUX_AFTER:
            aux.append(_auxiliary(x, classes, classifier_activation, width, _AUX_AFTER[block]))
    # 4 x 4 x (1024 * width)
    if top == "avg":
        x = layers.GlobalAveragePooling2D(name="pool5_global_avg")(x)
    else:
        x = layers.Flatten(name="pool5_flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, name="pool5_drop")(x)
    x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    return keras.Model(inputs, [x, *aux] if aux_logits else x, name=name)


def _auxiliary(x, classes, classifier_activation, width, name):
    layers = keras.layers
    x = layers.AveragePooling2D(5, strides=3, name=f"{name}_ave_pool")(x)
    x = layers.Conv2D(_scaled(128, width), 1, activation="relu", name=f"{name}_conv")(x)
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(_scaled(1024, width), activation="relu", name=f"{name}_fc")(x)
    x = layers.Dropout(0.7, name=f"{name}_drop_fc")(x)
    return layers.Dense(classes, activation=classifier_activation, name=f"{name}_classifier")(x)


def vgg_style(config=(18, 18, "M", 36, 36, "M", 72, 72, "M"), top="avg", classes=10, input_shape=(32, 32, 3),
              name="vgg_style"):  # fmt: skip
    """The scaled GoogLeNet's plain rival in notebook 07: VGG blocks (``cnnlib.models.vgg.vgg_features``: 3 x 3
    convolutions, "same" padding, 2 x 2 max pooling) and the same top (global average pooling or a flattening,
    dropout 0.4, a linear classifier). The default widths give about the scaled GoogLeNet's parameters (with
    twice its multiply-adds); ``(13, 13, "M", 26, 26, "M", 51, 51, "M")`` gives about its multiply-adds."""
    from cnnlib.models.vgg import vgg_features

    if top not in ("avg", "flatten"):
        raise ValueError(f"top must be 'avg' (global average pooling) or 'flatten', got {top!r}.")
    inputs = keras.Input(input_shape, name="input_layer")
    x = vgg_features(inputs, config)
    if top == "avg":
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    else:
        x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dropout(0.4, name="drop")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)

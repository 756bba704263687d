"""LeNet-5: C1-S2-C3-S4-C5-F6-output, 6-16-120-84-10 on 32 x 32 grey images.

Reference: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to
document recognition", Proc. IEEE 86(11), 1998, section II.B.

Deviations from the paper, each also noted where it happens:

- C3 connects every S2 map to every C3 map (2,416 parameters); the paper's Table I
  connects each C3 map to 3, 4 or 6 of the S2 maps only (1,516 parameters), to break
  symmetry and save computation. Full connection is what every modern re-implementation
  does, and what the 61,706 total in DESIGN.md counts.
- S2 and S4 are plain average (or max) pooling; the paper's subsampling multiplies the sum
  of the 4 inputs by a trainable coefficient, adds a trainable bias and applies the
  sigmoid (12 and 32 extra parameters).
- The activation is plain ``tanh``; the paper uses the scaled ``1.7159 * tanh(2/3 * a)``.
- The output layer is a linear layer with softmax; the paper's is 10 Euclidean RBF units
  with fixed weights drawn from 7 x 12 bitmaps.
"""

from __future__ import annotations

import keras

from cnnlib.models._common import (
    check_common,
    check_min_size,
    image_input,
    input_shape_for,
    pooled_features,
)
from cnnlib.models._registry import register_model
from cnnlib.models.cards import ModelCard

__all__ = ["LENET5_CARD", "lenet5"]

LENET5_CARD = ModelCard(
    label="LeNet-5",
    family="LeNet",
    variant="Fig. 2 with full C3 connections, plain pooling and a softmax output (see the module docstring)",
    paper='Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied to Document Recognition", '
    "Proc. IEEE 86(11), 1998",
    year=1998,
    input_shape=(32, 32, 1),
    classes=10,
    params=61_706,
    params_kind="total",
    macs=416_520,
    dataset="MNIST",
    top1_error=0.95,
    top5_error=None,
    error_source="LeCun et al. 1998, section III.C.1 and Fig. 9: LeNet-5 trained without distortions, 0.95 % on "
    "the MNIST test set (the paper's network: partial C3 connections, trainable subsampling, RBF outputs)",
)


def lenet_steps(pooling_padding="valid"):
    """The layers that shrink the image: for input-size checks and the tests."""
    return [
        ("c1_conv", 5, 1, "valid"),  # 32 -> 28
        ("s2_pool", 2, 2, pooling_padding),  # 28 -> 14
        ("c3_conv", 5, 1, "valid"),  # 14 -> 10
        ("s4_pool", 2, 2, pooling_padding),  # 10 -> 5
        ("c5_conv", 5, 1, "valid"),  # 5 -> 1
    ]


@register_model(card=LENET5_CARD)
def lenet5(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=10,
    classifier_activation="softmax",
    activation="tanh",
    subsampling="avg",
    name="lenet5",
):
    """LeNet-5: {summary}.

    Args:
        include_top: build F6 and the output layer.
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, at least 32 x 32; default ``(32, 32, 1)``.
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the output layer, None for logits.
        activation: ``"tanh"`` (paper style) or ``"relu"`` (modern style), or any Keras
            activation.
        subsampling: ``"avg"`` (paper style) or ``"max"`` (modern style) for S2 and S4.
        name: model name.

    Reference: LeCun et al., Proc. IEEE 1998.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    if subsampling not in ("avg", "max"):
        raise ValueError(f"subsampling must be 'avg' or 'max', got {subsampling!r}.")
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise ValueError(f"activation {activation!r} is not a Keras activation.") from None
    shape = input_shape_for(input_shape, (32, 32, 1), include_top, "LeNet-5", fixed_size_top=True)
    check_min_size(
        shape,
        lenet_steps(),
        "LeNet-5",
        why="The paper centres the 28 x 28 MNIST digits in a 32 x 32 field: pad them by 2 "
        "pixels on each side (for example with numpy.pad or keras.layers.ZeroPadding2D(2)).",
    )
    pool = keras.layers.AveragePooling2D if subsampling == "avg" else keras.layers.MaxPooling2D

    inputs = image_input(shape)
    x = keras.layers.Conv2D(6, 5, activation=activation, name="c1_conv")(inputs)
    # 28 x 28 x 6
    # Paper: trainable coefficient and bias per map, then sigmoid; here plain pooling.
    x = pool(2, name="s2_pool")(x)
    # 14 x 14 x 6
    # Paper: partial connection table (Table I); here every S2 map feeds every C3 map.
    x = keras.layers.Conv2D(16, 5, activation=activation, name="c3_conv")(x)
    # 10 x 10 x 16
    x = pool(2, name="s4_pool")(x)
    # 5 x 5 x 16
    # C5 is a convolution, not a dense layer: on a 32 x 32 input its 5 x 5 kernel covers
    # the whole S4 map, and on larger inputs it still slides, as the paper points out.
    x = keras.layers.Conv2D(120, 5, activation=activation, name="c5_conv")(x)
    # 1 x 1 x 120
    if include_top:
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(84, activation=activation, name="f6_dense")(x)
        # Paper: 10 Euclidean RBF units; here a linear layer with softmax.
        x = keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pooled_features(x, pooling)
    return keras.Model(inputs, x, name=name)

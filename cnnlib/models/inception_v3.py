"""Inception-v3: factorized convolutions on three grids (35 x 35, 17 x 17, 8 x 8) joined by two grid reductions.

Reference: C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna, "Rethinking the Inception Architecture
for Computer Vision", CVPR 2016: section 3 (factorizing convolutions), section 5 and Figure 10 (grid-size
reduction), section 6 and Table 1 (the network), Figures 5, 6 and 7 (its modules).

A convolution's cost and weights are proportional to its kernel area times its input and output channels. The
paper's factorizations trade one large kernel for a small network with the same receptive field:

- 5 x 5 into two 3 x 3 (section 3.1, Figure 5): 9 + 9 = 18 weights per input-output channel pair instead
  of 25, so 18/25 = 72 % of the cost, 28 % saved (with the middle layer as wide as the output, the paper's
  alpha = 1).
- n x n into 1 x n then n x 1 (section 3.2, Figure 6): 2n instead of n^2, so 2/n of the cost. For n = 3,
  6/9 = 2/3, 33 % saved (the paper's figure, for equal input and output widths; two 2 x 2 would save only
  11 %); for n = 7, 14/49 = 2/7, about 29 % of the cost, 71 % saved. With ``c_in -> c_mid -> c_out``
  channels the ratio is ``2/n * (c_mid/c_in + c_mid/c_out) / 2``: in mixed4's 7 x 7 branch, 128 -> 128 ->
  192 channels, 2/7 * 5/6 = 5/21. The paper found it works poorly on early layers but very well on grids
  of 12 to 20, hence n = 7 on the 17 x 17 grid only.
- On the 8 x 8 grid (Figure 7) the 3 x 3 is split into a 1 x 3 and a 3 x 1 side by side, their outputs
  concatenated: wider outputs (2048 channels) where high-dimensional representations matter most.
- The stem's 7 x 7 convolution (GoogLeNet's) is three 3 x 3 convolutions (section 6; Table 3's
  "Factorized 7 x 7").

A grid reduction (section 5, Figure 10) runs a stride-2 convolution branch beside a stride-2 pooling branch and
concatenates them: more filters on a grid half as wide, without pooling first (a representational bottleneck)
or convolving at full size first (three times the cost, Figure 9).

Left out, as in keras.applications: the auxiliary classifier on the last 17 x 17 layer (section 4, Figure 8;
Inception-v3 batch-normalizes its fully connected layer, "BN-auxiliary"), a training-time head. Label smoothing
(section 7, epsilon = 0.1) and RMSProp (section 8: decay 0.9, epsilon = 1.0, learning rate 0.045 decayed by
0.94 every two epochs, gradients clipped at 2.0) are training details, not layers.

The layout and the names keras.applications gives (``mixed0`` ... ``mixed10``, ``mixed9_0``, ``mixed9_1``,
``avg_pool``, ``predictions``) are keras.applications' ``InceptionV3`` (TF-slim's, whose ImageNet weights it
loads), so ``inception_v3().set_weights(keras.applications.InceptionV3(weights=None).get_weights())`` copies one
to one. Its convolutions and batch normalizations, which keras.applications leaves auto-numbered
(``conv2d_57``), are named here by module, branch and kernel (``mixed5_7x7dbl_7x1_2_conv``, ``_bn``, ``_relu``),
and in the stem after TF-slim's end points (``conv1a_3x3`` ... ``pool5a_3x3``; its ``Mixed_5b`` ... ``Mixed_7c``
are ``mixed0`` ... ``mixed10``).
Every convolution has no bias and is followed by a batch normalization without scale (``scale=False``: a
positive scale passes through the ReLU and the next convolution can absorb it) and a ReLU, as in
keras.applications.

Where keras.applications differs from the paper's Table 1 and section 6:

- Stem: Table 1 ends in 3 x 3 convolutions of 80 (73 -> 71), 192 (stride 2, 71 -> 35) and 288 filters
  (35 -> 35); keras.applications has a 1 x 1 convolution of 80, a 3 x 3 of 192 (73 -> 71) and a 3 x 3
  stride-2 max pooling (71 -> 35), so the first module sees 35 x 35 x 192, not 288.
- 35 x 35 modules (mixed0-2): Figure 5 replaces the 5 x 5 by two 3 x 3; keras.applications keeps a 5 x 5
  branch (48 -> 64 filters) beside the double 3 x 3 branch (64 -> 96 -> 96); they output 256, 288, 288.
- 17 x 17 modules: section 6 and Table 1 have five of Figure 6; keras.applications has four (mixed4-7), and
  its second reduction (mixed8) carries a 1 x 7, 7 x 1, 3 x 3 stride-2 branch.
- The figures draw "Pool": here average pooling in the modules, max pooling in the reductions; and no dropout
  before the classifier.

Checked against the paper's text (a full translation, and summaries that reproduce Tables 3 and 4, found with
the search tools): the 28 %, 33 % and 11 % savings, the 12-20 grid remark and n = 7, the three, five and two
modules of section 6, the factorized 7 x 7 and BN-auxiliary of Table 3, the training details, and the figures on
the card (Tables 3 and 4). Table 1's stem rows (80, 192 and 288 filters) are from the published table and could
not be checked against a copy here.
"""

from __future__ import annotations

import keras

from cnnlib.models._common import check_common, check_min_size, global_pool_classifier, image_input, input_shape_for
from cnnlib.models._registry import register_model
from cnnlib.models.cards import ModelCard

__all__ = [
    "INCEPTION_V3_CARD",
    "INCEPTION_V3_MODULES",
    "INCEPTION_V3_STEPS",
    "conv_bn",
    "grid_reduction_17x17",
    "grid_reduction_35x35",
    "inception_17x17",
    "inception_35x35",
    "inception_8x8",
    "inception_v3",
]

# The eleven modules in order, each with its kind and widths (filters per convolution, like GoogLeNet's Table 1
# columns); the shapes are at a 299 x 299 input.
#   "35x35": #1x1, #5x5 reduce, #5x5, #3x3dbl reduce, #3x3dbl (both 3 x 3), pool proj
#   "reduction_35x35": #3x3 (stride 2), #3x3dbl reduce, #3x3dbl (both 3 x 3, the second of stride 2)
#   "17x17": #1x1, #7x7 reduce (also its 1 x 7), #7x7, #7x7dbl reduce (also its first three), #7x7dbl, pool proj
#   "reduction_17x17": #3x3 reduce, #3x3 (stride 2), #7x7x3 reduce, #7x7x3 (1 x 7, 7 x 1, 3 x 3 of stride 2)
#   "8x8": #1x1, #3x3 reduce, #3x3 (each of 1 x 3 and 3 x 1), #3x3dbl reduce, #3x3dbl (3 x 3, then each of
#          1 x 3 and 3 x 1), pool proj
INCEPTION_V3_MODULES = {
    "mixed0": ("35x35", (64, 48, 64, 64, 96, 32)),  # 35 x 35 x 256
    "mixed1": ("35x35", (64, 48, 64, 64, 96, 64)),  # 35 x 35 x 288
    "mixed2": ("35x35", (64, 48, 64, 64, 96, 64)),  # 35 x 35 x 288
    "mixed3": ("reduction_35x35", (384, 64, 96)),  # 17 x 17 x 768 (384 + 96 + the 288 pooled)
    "mixed4": ("17x17", (192, 128, 192, 128, 192, 192)),  # 17 x 17 x 768
    "mixed5": ("17x17", (192, 160, 192, 160, 192, 192)),  # 17 x 17 x 768
    "mixed6": ("17x17", (192, 160, 192, 160, 192, 192)),  # 17 x 17 x 768
    "mixed7": ("17x17", (192, 192, 192, 192, 192, 192)),  # 17 x 17 x 768
    "mixed8": ("reduction_17x17", (192, 320, 192, 192)),  # 8 x 8 x 1280 (320 + 192 + the 768 pooled)
    "mixed9": ("8x8", (320, 384, 384, 448, 384, 192)),  # 8 x 8 x 2048
    "mixed10": ("8x8", (320, 384, 384, 448, 384, 192)),  # 8 x 8 x 2048
}

# keras.applications numbers the 1 x 3 / 3 x 1 concatenation of the 3 x 3 branch across the 8 x 8 modules.
_SPLIT_NAMES = {"mixed9": "mixed9_0", "mixed10": "mixed9_1"}

# The layers that shrink the image, for the size check: 299 -> 149 -> 147 -> 73 -> 71 -> 35 -> 17 -> 8.
INCEPTION_V3_STEPS = [
    ("conv1a_3x3_conv", 3, 2, "valid"),
    ("conv2a_3x3_conv", 3, 1, "valid"),
    ("pool3a_3x3", 3, 2, "valid"),
    ("conv4a_3x3_conv", 3, 1, "valid"),
    ("pool5a_3x3", 3, 2, "valid"),
    ("mixed3_3x3_conv", 3, 2, "valid"),
    ("mixed8_3x3_conv", 3, 2, "valid"),
]


def conv_bn(x, filters, kernel, strides=1, padding="same", name=None):
    """Convolution without bias, batch normalization without scale, ReLU: ``{name}_conv``, ``_bn``, ``_relu``.

    ``kernel`` is ``(rows, columns)``: ``(1, 7)`` is one row of seven.
    """
    layers = keras.layers
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=3, scale=False, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _pool_proj(x, filters, name):
    pooled = keras.layers.AveragePooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    return conv_bn(pooled, filters, (1, 1), name=f"{name}_pool_proj")


def inception_35x35(x, ch1x1, ch5x5red, ch5x5, ch3x3dblred, ch3x3dbl, pool_proj, name="mixed0"):
    """A 35 x 35 module: Figure 5 (a 5 x 5 factorized into two 3 x 3) with a 5 x 5 branch kept beside it.

    Branches, concatenated in this order: 1 x 1; 1 x 1 then 5 x 5; 1 x 1 then two 3 x 3; 3 x 3 average
    pooling then 1 x 1. Output: ``ch1x1 + ch5x5 + ch3x3dbl + pool_proj`` channels, the input's size.
    """
    branch1 = conv_bn(x, ch1x1, (1, 1), name=f"{name}_1x1")
    branch5 = conv_bn(x, ch5x5red, (1, 1), name=f"{name}_5x5_reduce")
    branch5 = conv_bn(branch5, ch5x5, (5, 5), name=f"{name}_5x5")
    branch3 = conv_bn(x, ch3x3dblred, (1, 1), name=f"{name}_3x3dbl_reduce")
    branch3 = conv_bn(branch3, ch3x3dbl, (3, 3), name=f"{name}_3x3dbl_1")
    branch3 = conv_bn(branch3, ch3x3dbl, (3, 3), name=f"{name}_3x3dbl_2")
    pool = _pool_proj(x, pool_proj, name)
    return keras.layers.Concatenate(axis=3, name=name)([branch1, branch5, branch3, pool])


def grid_reduction_35x35(x, ch3x3, ch3x3dblred, ch3x3dbl, name="mixed3"):
    """Figure 10 from 35 x 35 to 17 x 17: a 3 x 3 stride-2 convolution; 1 x 1, 3 x 3 and a 3 x 3 of stride 2;
    a 3 x 3 stride-2 max pooling of the input. Output: ``ch3x3 + ch3x3dbl`` plus the input's channels."""
    branch3 = conv_bn(x, ch3x3, (3, 3), strides=2, padding="valid", name=f"{name}_3x3")
    branch3dbl = conv_bn(x, ch3x3dblred, (1, 1), name=f"{name}_3x3dbl_reduce")
    branch3dbl = conv_bn(branch3dbl, ch3x3dbl, (3, 3), name=f"{name}_3x3dbl_1")
    branch3dbl = conv_bn(branch3dbl, ch3x3dbl, (3, 3), strides=2, padding="valid", name=f"{name}_3x3dbl_2")
    pool = keras.layers.MaxPooling2D(3, strides=2, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(axis=3, name=name)([branch3, branch3dbl, pool])


def inception_17x17(x, ch1x1, ch7x7red, ch7x7, ch7x7dblred, ch7x7dbl, pool_proj, name="mixed4"):
    """A 17 x 17 module, Figure 6 with n = 7: every 7 x 7 factorized into a 1 x 7 and a 7 x 1.

    Branches: 1 x 1; 1 x 1, 1 x 7, 7 x 1 (one 7 x 7); 1 x 1, 7 x 1, 1 x 7, 7 x 1, 1 x 7 (two 7 x 7); 3 x 3
    average pooling then 1 x 1. The inner convolutions keep the reduction's width ``ch7x7red``
    (``ch7x7dblred``); the last of each branch gives ``ch7x7`` (``ch7x7dbl``).
    """
    branch1 = conv_bn(x, ch1x1, (1, 1), name=f"{name}_1x1")
    branch7 = conv_bn(x, ch7x7red, (1, 1), name=f"{name}_7x7_reduce")
    branch7 = conv_bn(branch7, ch7x7red, (1, 7), name=f"{name}_7x7_1x7")
    branch7 = conv_bn(branch7, ch7x7, (7, 1), name=f"{name}_7x7_7x1")
    branch77 = conv_bn(x, ch7x7dblred, (1, 1), name=f"{name}_7x7dbl_reduce")
    kernels = ((7, 1), (1, 7), (7, 1), (1, 7))
    for i, kernel in enumerate(kernels):
        width = ch7x7dbl if i == len(kernels) - 1 else ch7x7dblred
        label = f"{kernel[0]}x{kernel[1]}_{i // 2 + 1}"  # 7x1_1, 1x7_1, 7x1_2, 1x7_2
        branch77 = conv_bn(branch77, width, kernel, name=f"{name}_7x7dbl_{label}")
    pool = _pool_proj(x, pool_proj, name)
    return keras.layers.Concatenate(axis=3, name=name)([branch1, branch7, branch77, pool])


def grid_reduction_17x17(x, ch3x3red, ch3x3, ch7x7x3red, ch7x7x3, name="mixed8"):
    """Figure 10 from 17 x 17 to 8 x 8: 1 x 1 then a 3 x 3 of stride 2; 1 x 1, 1 x 7, 7 x 1 then a 3 x 3 of
    stride 2; a 3 x 3 stride-2 max pooling. Output: ``ch3x3 + ch7x7x3`` plus the input's channels."""
    branch3 = conv_bn(x, ch3x3red, (1, 1), name=f"{name}_3x3_reduce")
    branch3 = conv_bn(branch3, ch3x3, (3, 3), strides=2, padding="valid", name=f"{name}_3x3")
    branch7 = conv_bn(x, ch7x7x3red, (1, 1), name=f"{name}_7x7x3_reduce")
    branch7 = conv_bn(branch7, ch7x7x3, (1, 7), name=f"{name}_7x7x3_1x7")
    branch7 = conv_bn(branch7, ch7x7x3, (7, 1), name=f"{name}_7x7x3_7x1")
    branch7 = conv_bn(branch7, ch7x7x3, (3, 3), strides=2, padding="valid", name=f"{name}_7x7x3_3x3")
    pool = keras.layers.MaxPooling2D(3, strides=2, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(axis=3, name=name)([branch3, branch7, pool])


def _split(x, filters, name):
    """A 1 x 3 and a 3 x 1 side by side on the same input (Figure 7's expanded outputs), to be concatenated."""
    row = conv_bn(x, filters, (1, 3), name=f"{name}_1x3")
    column = conv_bn(x, filters, (3, 1), name=f"{name}_3x1")
    return row, column


def inception_8x8(x, ch1x1, ch3x3red, ch3x3, ch3x3dblred, ch3x3dbl, pool_proj, name="mixed9", split_name=None):
    """An 8 x 8 module, Figure 7: the last 3 x 3 of each branch split into a 1 x 3 and a 3 x 1 side by side.

    Branches: 1 x 1; 1 x 1 then (1 x 3 | 3 x 1); 1 x 1, 3 x 3 then (1 x 3 | 3 x 1); 3 x 3 average pooling then
    1 x 1. Output: ``ch1x1 + 2 * ch3x3 + 2 * ch3x3dbl + pool_proj`` channels. ``split_name`` names the
    3 x 3 branch's concatenation (keras.applications: ``mixed9_0``, ``mixed9_1``), default ``{name}_3x3``.
    """
    branch1 = conv_bn(x, ch1x1, (1, 1), name=f"{name}_1x1")
    branch3 = conv_bn(x, ch3x3red, (1, 1), name=f"{name}_3x3_reduce")
    branch3 = keras.layers.Concatenate(axis=3, name=split_name or f"{name}_3x3")(_split(branch3, ch3x3, f"{name}_3x3"))
    branch33 = conv_bn(x, ch3x3dblred, (1, 1), name=f"{name}_3x3dbl_reduce")
    branch33 = conv_bn(branch33, ch3x3dbl, (3, 3), name=f"{name}_3x3dbl_3x3")
    branch33 = keras.layers.Concatenate(axis=3, name=f"{name}_3x3dbl")(_split(branch33, ch3x3dbl, f"{name}_3x3dbl"))
    pool = _pool_proj(x, pool_proj, name)
    return keras.layers.Concatenate(axis=3, name=name)([branch1, branch3, branch33, pool])


_MODULES = {
    "35x35": inception_35x35,
    "reduction_35x35": grid_reduction_35x35,
    "17x17": inception_17x17,
    "reduction_17x17": grid_reduction_17x17,
    "8x8": inception_8x8,
}


INCEPTION_V3_CARD = ModelCard(
    label="Inception-v3",
    family="GoogLeNet",
    variant="keras.applications' InceptionV3 (TF-slim layout: a 5 x 5 branch kept in the 35 x 35 modules, four "
    "17 x 17 modules), without the auxiliary classifier",
    paper='C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna, "Rethinking the Inception Architecture for '
    'Computer Vision", CVPR 2016',
    year=2015,
    input_shape=(299, 299, 3),
    classes=1000,
    params=23_851_784,
    params_kind="total",
    macs=5_713_216_096,
    dataset="ImageNet",
    top1_error=21.2,
    top5_error=5.6,
    error_source="Szegedy et al. 2016, Table 3, last row 'Inception-v3' (BN-auxiliary; single crop, the 48,238 "
    "non-blacklisted images of the ILSVRC-2012 validation set: on all 50,000 about 0.2 points worse top-1, 0.1 "
    "top-5); Table 4 gives no 10-crop figure: 12 crops 19.47 % / 4.48 %, 144 crops 18.77 % / 4.2 %",
    protocol="1 crop",
)


@register_model(card=INCEPTION_V3_CARD)
def inception_v3(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="inception_v3",
):
    """Inception-v3, {variant}: {summary}.

    Args:
        include_top: build the global average pooling and the linear classifier (``avg_pool``, ``predictions``).
        weights: only None (random initialization).
        input_shape: ``(height, width, channels)``, default ``(299, 299, 3)``; at least 75 x 75, as in
            keras.applications (the stem and the two grid reductions shrink the image about 37 times).
        pooling: ``None``, ``"avg"`` or ``"max"`` global pooling when ``include_top=False``.
        classes: number of output classes.
        classifier_activation: activation of the classifier, None for logits.
        name: model name.

    Reference: Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016.
    """
    classes = check_common(weights, classes, include_top, pooling, classifier_activation)
    shape = input_shape_for(input_shape, (299, 299, 3), include_top, "Inception-v3")
    check_min_size(shape, INCEPTION_V3_STEPS, "Inception-v3")

    inputs = image_input(shape)
    # The stem: GoogLeNet's 7 x 7 convolution as three 3 x 3 (section 6), then keras.applications' layout.
    x = conv_bn(inputs, 32, (3, 3), strides=2, padding="valid", name="conv1a_3x3")  # 149 x 149 x 32
    x = conv_bn(x, 32, (3, 3), padding="valid", name="conv2a_3x3")  # 147 x 147 x 32
    x = conv_bn(x, 64, (3, 3), name="conv2b_3x3")  # 147 x 147 x 64
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool3a_3x3")(x)  # 73 x 73 x 64
    x = conv_bn(x, 80, (1, 1), padding="valid", name="conv3b_1x1")  # 73 x 73 x 80
    x = conv_bn(x, 192, (3, 3), padding="valid", name="conv4a_3x3")  # 71 x 71 x 192
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool5a_3x3")(x)  # 35 x 35 x 192

    for module, (kind, widths) in INCEPTION_V3_MODULES.items():
        extra = {"split_name": _SPLIT_NAMES[module]} if kind == "8x8" else {}
        x = _MODULES[kind](x, *widths, name=module, **extra)
    # 8 x 8 x 2048

    x = global_pool_classifier(x, include_top, pooling, classes, classifier_activation)
    return keras.Model(inputs, x, name=name)

"""The model zoo against its cards, the papers' tables and keras.applications.

Speed: most tests need only a model's structure (layer configurations, weight shapes,
output shapes), not its random initial values. ``structure()`` builds inside
``keras.StatelessScope(initialize_variables=False)``, which creates the variables without
drawing their values: a VGG-16 builds in a few hundredths of a second instead of seconds.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlib.arithmetic import conv_macs, conv_params, dense_params
from cnnlib.arithmetic.counts import count_macs, layer_macs
from cnnlib.experiments.comparison import KERAS_APPLICATIONS
from cnnlib.models import (
    INCEPTION_CONFIGS,
    VGG_CONFIGS,
    ModelCard,
    get_builder,
    get_card,
    get_model,
    list_models,
    register_model,
    vgg,
)
from cnnlib.models._common import check_min_size
from cnnlib.models.alexnet import ALEXNET_STEPS
from cnnlib.models.densenet import densenet, densenet_steps
from cnnlib.models.googlenet import GOOGLENET_STEPS
from cnnlib.models.lenet import lenet_steps
from cnnlib.models.resnet import cifar_resnet, cifar_steps, resnet, resnet_steps
from cnnlib.models.vgg import vgg_steps
from cnnlib.models.zfnet import ZFNET_STEPS

ROOT = Path(__file__).resolve().parents[1]


def structure(name, **kwargs):
    """Build a registered model without drawing initial values (shapes and configs only)."""
    return _stateless(get_model, name, **kwargs)


def _stateless(build, *args, **kwargs):
    with keras.StatelessScope(initialize_variables=False):
        model = build(*args, **kwargs)
    # Keras keeps a list of the variables left uninitialized and fills them all the next
    # time a model is built normally; clearing the session forgets the list (the model
    # keeps working for shapes, counts and stateless calls).
    keras.backend.clear_session(free_memory=False)
    return model


def n_trainable(model):
    return sum(math.prod(w.shape) for w in model.trainable_weights)


def shape_of(model, layer):
    return tuple(model.get_layer(layer).output.shape[1:])


# --------------------------------------------------------------------------------------
# Reference figures. The exact parameter and multiply-add counts live on the model cards
# (cnnlib.models.get_card); the tests below build every registered model and compare. Here
# only what the papers publish, to the papers' precision.

# Parameters in millions, as the papers round them: ResNet Table 6 and DenseNet Table 2.
PAPER_PARAMS = {
    "resnet20": 0.27,
    "resnet32": 0.46,
    "resnet44": 0.66,
    "resnet56": 0.85,
    "resnet110": 1.7,
    "densenet_bc_100": 0.8,
}

# ResNet paper, Table 1: 1.8, 3.6, 3.8, 7.6, 11.3 x 10^9 (to one decimal; ours 1.81, 3.66,
# 3.86, 7.57, 11.28: the paper rounds both ways, so within 3 %).
PAPER_FLOPS = {"resnet18": 1.8, "resnet34": 3.6, "resnet50": 3.8, "resnet101": 7.6, "resnet152": 11.3}

# Output sizes (height, width, channels) at the papers' input sizes.
STAGES = {
    "lenet5": {  # Fig. 2
        "c1_conv": (28, 28, 6), "s2_pool": (14, 14, 6), "c3_conv": (10, 10, 16),
        "s4_pool": (5, 5, 16), "c5_conv": (1, 1, 120), "f6_dense": (84,),
    },
    "alexnet": {  # Fig. 2, one tower: 55 -> 27 -> 27 -> 13 -> 13 -> 13 -> 13 -> 6
        "conv1": (55, 55, 96), "pool1": (27, 27, 96), "conv2": (27, 27, 256),
        "pool2": (13, 13, 256), "conv3": (13, 13, 384), "conv4": (13, 13, 384),
        "conv5": (13, 13, 256), "pool5": (6, 6, 256), "fc6": (4096,), "fc7": (4096,),
    },
    "zfnet": {  # Fig. 3
        "conv1": (110, 110, 96), "pool1": (55, 55, 96), "conv2": (26, 26, 256),
        "pool2": (13, 13, 256), "conv3": (13, 13, 384), "conv4": (13, 13, 384),
        "conv5": (13, 13, 256), "pool5": (6, 6, 256), "fc6": (4096,),
    },
    "vgg16": {
        "block1_conv2": (224, 224, 64), "block1_pool": (112, 112, 64),
        "block2_pool": (56, 56, 128), "block3_pool": (28, 28, 256),
        "block4_pool": (14, 14, 512), "block5_conv3": (14, 14, 512),
        "block5_pool": (7, 7, 512), "fc1": (4096,), "fc2": (4096,),
    },
    "googlenet": {  # Table 1
        "conv1_7x7_s2": (112, 112, 64), "pool1_3x3_s2": (56, 56, 64),
        "conv2_3x3": (56, 56, 192), "pool2_3x3_s2": (28, 28, 192),
        "inception_3a_output": (28, 28, 256), "inception_3b_output": (28, 28, 480),
        "pool3_3x3_s2": (14, 14, 480), "inception_4a_output": (14, 14, 512),
        "inception_4b_output": (14, 14, 512), "inception_4c_output": (14, 14, 512),
        "inception_4d_output": (14, 14, 528), "inception_4e_output": (14, 14, 832),
        "pool4_3x3_s2": (7, 7, 832), "inception_5a_output": (7, 7, 832),
        "inception_5b_output": (7, 7, 1024), "pool5_7x7_s1": (1024,),
    },
    "resnet18": {  # Table 1
        "conv1_relu": (112, 112, 64), "pool1_pool": (56, 56, 64), "conv2_block2_out": (56, 56, 64),
        "conv3_block2_out": (28, 28, 128), "conv4_block2_out": (14, 14, 256),
        "conv5_block2_out": (7, 7, 512),
    },
    "resnet34": {
        "conv2_block3_out": (56, 56, 64), "conv3_block4_out": (28, 28, 128),
        "conv4_block6_out": (14, 14, 256), "conv5_block3_out": (7, 7, 512),
    },
    "resnet50": {
        "conv1_relu": (112, 112, 64), "pool1_pool": (56, 56, 64),
        "conv2_block3_out": (56, 56, 256), "conv3_block4_out": (28, 28, 512),
        "conv4_block6_out": (14, 14, 1024), "conv5_block3_out": (7, 7, 2048),
    },
    "resnet101": {"conv4_block23_out": (14, 14, 1024), "conv5_block3_out": (7, 7, 2048)},
    "resnet152": {"conv3_block8_out": (28, 28, 512), "conv4_block36_out": (14, 14, 1024)},
    "resnet20": {  # section 4.2: 32, 16, 8 pixels; 16, 32, 64 filters
        "conv1_relu": (32, 32, 16), "conv2_block3_out": (32, 32, 16),
        "conv3_block3_out": (16, 16, 32), "conv4_block3_out": (8, 8, 64),
    },
    "resnet110": {"conv2_block18_out": (32, 32, 16), "conv4_block18_out": (8, 8, 64)},
    "plain56": {"conv3_block9_out": (16, 16, 32), "conv4_block9_out": (8, 8, 64)},
    "densenet121": {  # Table 1; channels 64 + 6*32, halved, + 12*32, ...
        "pool1": (56, 56, 64), "conv2_block6_concat": (56, 56, 256), "pool2_pool": (28, 28, 128),
        "conv3_block12_concat": (28, 28, 512), "pool3_pool": (14, 14, 256),
        "conv4_block24_concat": (14, 14, 1024), "pool4_pool": (7, 7, 512),
        "conv5_block16_concat": (7, 7, 1024),
    },
    "densenet169": {"conv4_block32_concat": (14, 14, 1280), "conv5_block32_concat": (7, 7, 1664)},
    "densenet201": {"conv4_block48_concat": (14, 14, 1792), "conv5_block32_concat": (7, 7, 1920)},
    "densenet_bc_100": {  # 2k = 24, + 16 * 12 per block, halved by each transition
        "conv1_conv": (32, 32, 24), "conv2_block16_concat": (32, 32, 216),
        "pool2_pool": (16, 16, 108), "conv3_block16_concat": (16, 16, 300),
        "pool3_pool": (8, 8, 150), "conv4_block16_concat": (8, 8, 342),
    },
}  # fmt: skip

# The arithmetic chains the builders validate input sizes with, per registered model.
STEPS = {
    "lenet5": lenet_steps(),
    "alexnet": ALEXNET_STEPS,
    "zfnet": ZFNET_STEPS,
    "googlenet": GOOGLENET_STEPS,
    "resnet18": resnet_steps("basic"),
    "resnet50": resnet_steps("bottleneck"),
    "resnet20": cifar_steps(),
    "densenet121": densenet_steps("imagenet", 4),
    "densenet_bc_100": densenet_steps("cifar", 3),
    **{f"vgg{d}": vgg_steps(VGG_CONFIGS[c]) for d, c in [(11, "A"), (19, "E")]},
}


def _snake(class_name):
    """Keras' automatic layer-name stem for a class (keras.src.utils.naming.to_snake_case)."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def test_registry_order_and_cards():
    assert list_models("vgg*") == ["vgg11", "vgg13", "vgg16", "vgg19"]
    assert list_models()[:3] == ["lenet5", "alexnet", "zfnet"]  # the notes' chapter order
    assert set(STAGES) <= set(list_models()) and set(STEPS) <= set(list_models())
    assert set(PAPER_PARAMS) <= set(list_models()) and set(PAPER_FLOPS) <= set(list_models())


@pytest.mark.parametrize("name", list_models())
def test_every_card_is_filled(name):
    """Every registered model has a card with every field; an error is None only with a reason."""
    card = get_card(name)
    assert isinstance(card, ModelCard)
    for field in dataclasses.fields(card):
        value = getattr(card, field.name)
        if field.name not in ("top1_error", "top5_error", "protocol", "ten_crop"):
            assert value not in (None, "", ()), field.name
    if card.dataset == "ImageNet" and card.published:
        assert card.protocol, "an ImageNet error says how it was measured"
    assert re.search(r"(19|20)\d\d$", card.paper), "the citation ends with the venue's year"
    assert 1989 <= card.year <= int(card.paper[-4:])
    assert card.dataset in ("ImageNet", "CIFAR-10", "MNIST")
    assert card.classes == {"ImageNet": 1000, "CIFAR-10": 10, "MNIST": 10}[card.dataset]
    if card.published:
        assert re.search(r"Table|Fig|documentation", card.error_source), "a published figure names its source"
    else:
        assert card.error_source.startswith("no published figure:"), "a missing figure says why"
    if card.dataset != "ImageNet":
        assert card.top5_error is None
    # The docstring is the family's, filled in from the card.
    doc = get_builder(name).__doc__
    assert doc.startswith(card.label) and f"{card.params:,}" in doc and "{" not in doc


def test_cards_are_checked_when_made():
    card = get_card("resnet20")
    with pytest.raises(ValueError, match="non-empty error_source"):
        dataclasses.replace(card, top1_error=None, error_source=" ")
    with pytest.raises(ValueError, match="params_kind"):
        dataclasses.replace(card, params_kind="learned")
    with pytest.raises(ValueError, match="percentage"):
        dataclasses.replace(card, top1_error=875.0)
    with pytest.raises(ValueError, match="ImageNet figure"):
        dataclasses.replace(card, top5_error=1.0)
    with pytest.raises(ValueError, match="needs its protocol"):
        dataclasses.replace(get_card("resnet50"), protocol="")
    with pytest.raises(ValueError, match="ten_crop"):  # its own figures are 10-crop ones already
        dataclasses.replace(get_card("resnet50"), ten_crop=(20.0, 5.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.params = 1
    with pytest.raises(ValueError, match="Did you mean 'resnet50'"):
        get_card("resnet-50")
    with pytest.raises(ValueError, match="ModelCard"):
        register_model(lambda: None, name="not_a_card", card={"params": 1})


@pytest.mark.parametrize("name", list_models())
def test_model_against_its_card(name):
    """Parameters and multiply-adds at the card's input, stage shapes and layer names of every
    registered model. Built without drawing initial values (``structure``), so that the largest
    networks (VGG-19: 144 M parameters) cost no memory for weights."""
    card = get_card(name)
    model = structure(name)
    assert tuple(model.input.shape[1:]) == card.input_shape
    assert tuple(model.outputs[0].shape) == (None, card.classes)
    count = model.count_params() if card.params_kind == "total" else n_trainable(model)
    assert count == card.params
    assert count_macs(model) == card.macs
    if name in PAPER_PARAMS:
        # the paper's figure, to the paper's precision (0.27 M, 1.7 M)
        digits = len(str(PAPER_PARAMS[name]).split(".")[1])
        assert round(count / 1e6, digits) == PAPER_PARAMS[name]
    if name in PAPER_FLOPS:
        # ResNet paper, Table 1 "FLOPs" (multiply-adds), given to one decimal.
        assert abs(card.macs / 1e9 - PAPER_FLOPS[name]) / PAPER_FLOPS[name] < 0.03
    for layer, shape in STAGES.get(name, {}).items():
        assert shape_of(model, layer) == shape, layer
    if name in STEPS:
        # The size chain computed by cnnlib.arithmetic agrees with the built layers.
        predicted = check_min_size(model.input.shape[1:], STEPS[name], name)
        for layer, (h, w) in predicted.items():
            assert shape_of(model, layer)[:2] == (h, w), layer
    # Explicit names: none is Keras' automatic name for its class (model.summary() is
    # deterministic); "flatten" and "input_layer" are explicit, as in keras.applications.
    automatic = [
        layer.name
        for layer in model.layers
        if re.fullmatch(rf"{_snake(type(layer).__name__)}(_\d+)?", layer.name)
        and layer.name not in ("flatten", "input_layer")
    ]
    assert not automatic


def test_summaries_are_deterministic():
    """Two builds in one session give the same layer names (no auto-numbered names)."""
    builds = [
        lambda: get_model("lenet5"),
        lambda: get_model("alexnet", towers=2),
        lambda: get_model("zfnet", include_top=False, pooling="avg"),
        lambda: vgg("A-LRN"),
        lambda: get_model("googlenet", aux_logits=True),
        lambda: get_model("resnet18"),
        lambda: get_model("resnet20", shortcut="B"),
        lambda: get_model("plain20"),
        lambda: densenet((2, 2), growth_rate=4, stem="cifar"),
    ]
    for build in builds:
        with keras.StatelessScope(initialize_variables=False):
            first, second = build(), build()
        keras.backend.clear_session(free_memory=False)
        assert [layer.name for layer in first.layers] == [layer.name for layer in second.layers]
    # The check of test_model_against_its_card does catch an unnamed layer:
    inputs = keras.Input((8, 8, 1))
    unnamed = keras.layers.Conv2D(2, 3)
    unnamed(inputs)
    assert re.fullmatch(rf"{_snake('Conv2D')}(_\d+)?", unnamed.name)


# --------------------------------------------------------------------------------------
# Options and variants


def test_variant_counts():
    # The paper's two-GPU AlexNet: conv2, conv4, conv5 grouped (DESIGN.md: 60,965,224).
    two = structure("alexnet", towers=2)
    assert two.count_params() == 60_965_224
    assert count_macs(two) == 724_406_816
    # ZFNet Table 2 (b): conv3-5 of 512, 1024, 512 filters.
    wide = structure("zfnet", widths=(512, 1024, 512))
    assert wide.count_params() == 107_627_624
    assert shape_of(wide, "pool5") == (6, 6, 512)
    # VGG Table 2 (millions): A-LRN 133 (LRN has no parameters), C 134 (1 x 1 convs).
    a_lrn, c = _stateless(vgg, "A-LRN"), _stateless(vgg, "C")
    assert a_lrn.count_params() == get_card("vgg11").params
    assert c.count_params() == 133_638_952
    assert c.get_layer("block3_conv3").kernel.shape == (1, 1, 256, 256)
    # Shortcut option B adds the two 1 x 1 projections (and their batch norms).
    b = structure("resnet20", shortcut="B")
    projections = conv_params(1, 16, 32, False) + conv_params(1, 32, 64, False) + 2 * (32 + 64)
    assert n_trainable(b) == get_card("resnet20").params + projections


def test_vgg_configs_match_table_1():
    weight_layers = {"A": 11, "A-LRN": 11, "B": 13, "C": 16, "D": 16, "E": 19}
    for key, layers in weight_layers.items():
        config = VGG_CONFIGS[key]
        convs = [c for c in config if c not in ("M", "LRN")]
        assert len(convs) + 3 == layers  # plus the three dense layers
        assert config.count("M") == 5
    assert [c for c in VGG_CONFIGS["C"] if isinstance(c, tuple)] == [(256, 1), (512, 1), (512, 1)]


def test_googlenet_blocks_against_table_1():
    """Each Inception block's depth, parameters and multiply-adds, computed from Table 1's
    columns with cnnlib.arithmetic, agree with the layers the builder made."""
    model = structure("googlenet")
    in_channels = 192
    for block, (c1, c3r, c3, c5r, c5, pp) in INCEPTION_CONFIGS.items():
        side = 28 if block.startswith("3") else 14 if block.startswith("4") else 7
        assert shape_of(model, f"inception_{block}_output") == (side, side, c1 + c3 + c5 + pp)
        convs = [(1, in_channels, c1), (1, in_channels, c3r), (3, c3r, c3),
                 (1, in_channels, c5r), (5, c5r, c5), (1, in_channels, pp)]  # fmt: skip
        names = ["1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj"]
        layers = [model.get_layer(f"inception_{block}_{n}") for n in names]
        assert sum(layer.count_params() for layer in layers) == sum(conv_params(*c) for c in convs)
        assert sum(layer_macs(layer) for layer in layers) == sum(
            conv_macs(k, cin, cout, side) for k, cin, cout in convs
        )
        in_channels = c1 + c3 + c5 + pp
    # The notes claim the 1 x 1 reductions cut 3a's weights "to about one third": measured.
    naive = conv_params(1, 192, 64, False) + conv_params(3, 192, 128, False) + conv_params(5, 192, 32, False)
    reduced = sum(conv_params(k, cin, cout, False) for k, cin, cout in
                  [(1, 192, 64), (1, 192, 96), (3, 96, 128), (1, 192, 16), (5, 16, 32)])  # fmt: skip
    assert round(reduced / naive, 2) == 0.41  # 157,184 / 387,072: closer to 2/5 than 1/3


def test_googlenet_auxiliary_heads():
    model = structure("googlenet", aux_logits=True, classes=7)
    # three classifiers with 1024 + 1 weights per class
    assert model.count_params() == 13_378_280 - 3 * 1025 * (1000 - 7)
    assert [tuple(o.shape) for o in model.outputs] == [(None, 7)] * 3
    assert model.output_names == ["predictions", "loss1_classifier", "loss2_classifier"]
    assert shape_of(model, "loss1_ave_pool") == (4, 4, 512)
    assert shape_of(model, "loss2_ave_pool") == (4, 4, 528)
    assert model.get_layer("loss1_drop_fc").rate == 0.7
    full = structure("googlenet", aux_logits=True)
    assert full.count_params() == 13_378_280
    # The inference model is the training model without the heads: same weights by name.
    plain = structure("googlenet")
    aux = {w.path for w in full.weights}
    assert {w.path for w in plain.weights} <= aux


def test_googlenet_training_model_trains():
    """The three-output training model compiles with the paper's loss weights and steps."""
    keras.utils.set_random_seed(0)
    model = get_model("googlenet", aux_logits=True, input_shape=(65, 65, 3), classes=3)
    model.compile(
        optimizer="sgd",
        loss=["sparse_categorical_crossentropy"] * 3,
        loss_weights=[1.0, 0.3, 0.3],
        run_eagerly=True,  # one step: tracing the graph would take longer than running it
    )
    x = np.random.default_rng(0).normal(size=(2, 65, 65, 3)).astype("float32")
    loss = model.train_on_batch(x, [np.array([0, 2])] * 3)
    loss = loss[0] if isinstance(loss, list) else loss
    assert np.isfinite(loss)


def test_resnet_basic_stage_parameters_from_the_layout():
    """ResNet-18/34 (no keras.applications reference): every stage's trainable parameters
    recomputed from torchvision's layout with cnnlib.arithmetic."""

    def stage(cin, cout, blocks, stride):
        bn = 2 * cout  # gamma and beta
        first = conv_params(3, cin, cout, False) + conv_params(3, cout, cout, False) + 2 * bn
        if stride != 1 or cin != cout:
            first += conv_params(1, cin, cout, False) + bn
        rest = (blocks - 1) * (2 * conv_params(3, cout, cout, False) + 2 * bn)
        return first + rest

    for name, blocks in (("resnet18", (2, 2, 2, 2)), ("resnet34", (3, 4, 6, 3))):
        model = structure(name)
        expected = conv_params(7, 3, 64, False) + 2 * 64 + dense_params(512, 1000)
        cin = 64
        for i, (cout, count) in enumerate(zip((64, 128, 256, 512), blocks, strict=True)):
            expected += stage(cin, cout, count, 1 if i == 0 else 2)
            cin = cout
            stage_layers = [layer for layer in model.layers if layer.name.startswith(f"conv{i + 2}_")]
            assert len({layer.name.split("_")[1] for layer in stage_layers}) == count
        assert n_trainable(model) == expected


def test_option_a_shortcut_is_parameter_free_and_zero_padded():
    model = structure("resnet20")
    assert shape_of(model, "conv3_block1_0_pool") == (16, 16, 16)
    assert shape_of(model, "conv3_block1_0_pad") == (16, 16, 32)
    for layer in model.layers:
        if layer.name.endswith(("_0_pool", "_0_pad")):
            assert layer.count_params() == 0
    plain = structure("plain20")
    assert not [layer for layer in plain.layers if isinstance(layer, keras.layers.Add)]
    assert len([layer for layer in model.layers if isinstance(layer, keras.layers.Add)]) == 9


def test_include_top_false_and_pooling():
    cases = {
        ("resnet18", "avg"): (512,),
        ("densenet_bc_100", "max"): (342,),
        ("vgg11", None): (None, None, 512),
        ("googlenet", "avg"): (1024,),
        ("lenet5", None): (None, None, 120),
    }
    for (name, pooling), shape in cases.items():
        model = structure(name, include_top=False, pooling=pooling)
        assert tuple(model.output.shape[1:]) == shape, name


# --------------------------------------------------------------------------------------
# Small inputs (CIFAR 32 x 32 x 3, MNIST 28 x 28 x 1) and argument validation

# Per family: the builds that must work (input shape) and those that must explain the
# input size they need ("at least N x N").
SMALL_OK = [
    ("lenet5", (32, 32, 1)),
    ("vgg11", (32, 32, 3)),
    ("vgg16", (32, 32, 3)),
    ("googlenet", (32, 32, 3)),
    ("resnet18", (32, 32, 3)),
    ("resnet50", (32, 32, 3)),
    ("resnet20", (28, 28, 1)),
    ("plain20", (32, 32, 3)),
    ("densenet121", (32, 32, 3)),
    ("densenet_bc_100", (28, 28, 1)),
]
SMALL_TOO_SMALL = [
    ("lenet5", (28, 28, 1), {}, "at least 32 x 32"),
    ("alexnet", (32, 32, 3), {}, "at least 67 x 67"),
    ("zfnet", (32, 32, 3), {}, "at least 53 x 53"),
    ("vgg16", (28, 28, 1), {}, "at least 32 x 32"),
    ("googlenet", (32, 32, 3), {"aux_logits": True}, "at least 65 x 65"),
    ("densenet121", (16, 16, 3), {}, "at least 29 x 29"),
]


@pytest.mark.parametrize(("name", "shape"), SMALL_OK)
def test_small_inputs_build(name, shape):
    model = structure(name, input_shape=shape, classes=10)
    assert tuple(model.output.shape) == (None, 10)


@pytest.mark.parametrize(("name", "shape", "kwargs", "message"), SMALL_TOO_SMALL)
def test_small_inputs_explain_the_size_needed(name, shape, kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_model(name, input_shape=shape, **kwargs)
    # The minimum is exact: it builds, one pixel less does not.
    side = int(re.search(r"at least (\d+)", message).group(1))
    structure(name, input_shape=(side, side, shape[-1]), **kwargs)
    with pytest.raises(ValueError, match=message):
        get_model(name, input_shape=(side - 1, side, shape[-1]), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"classes": 0}, "classes must be a positive whole number"),
        ({"classes": 2.5}, "classes must be a positive whole number"),
        ({"classes": True}, "classes must be a positive whole number"),
        ({"input_shape": (224, 224)}, "3 entries"),
        ({"input_shape": (1, 224, 224, 3)}, "leave the batch size out"),
        ({"input_shape": (224, -1, 3)}, "width must be a positive whole number"),
        ({"input_shape": "224"}, "input_shape must be"),
        ({"weights": "imagenet"}, "random weights only"),
        ({"pooling": "sum", "include_top": False}, "pooling must be"),
        ({"classifier_activation": "softmaxx"}, "not a Keras activation"),
        ({"include_top": "yes"}, "include_top must be"),
    ],
)
def test_arguments_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_model("resnet18", **kwargs)


def test_numpy_integers_are_accepted():
    model = structure("resnet20", input_shape=(np.int64(32), np.int64(32), 3), classes=np.int32(10))
    assert tuple(model.output.shape) == (None, 10)


def test_family_specific_validation():
    checks = [
        (lambda: get_model("vgg16", input_shape=(None, None, 3)), "fixed height and width"),
        (lambda: vgg("F"), "unknown VGG configuration 'F'"),
        (lambda: vgg((64, 128)), "must end with 'M'"),
        (lambda: get_model("alexnet", towers=3), "towers must be 1 or 2"),
        (lambda: get_model("zfnet", widths=(512, 1024)), "three positive numbers"),
        (lambda: get_model("googlenet", aux_logits=True, include_top=False), "needs include_top=True"),
        (lambda: get_model("resnet20", shortcut="D"), "shortcut must be"),
        (lambda: cifar_resnet(21), "6n \\+ 2"),
        (lambda: resnet((2, 2, 2)), "four positive numbers"),
        (lambda: densenet((6, 12), stem="tiny"), "stem must be"),
        (lambda: get_model("lenet5", subsampling="sum"), "subsampling must be"),
        (lambda: get_model("lenet5", activation="tanhh"), "not a Keras activation"),
    ]
    for build, message in checks:
        with pytest.raises(ValueError, match=message):
            build()


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ValueError, match="Did you mean 'resnet50'") as err:
        get_model("resnet-50")
    for name in list_models():
        assert name in str(err.value)
    with pytest.raises(ValueError, match="already registered"):
        register_model(lambda: None, name="vgg16")
    assert get_builder("vgg16").__doc__.startswith("VGG-16")


# --------------------------------------------------------------------------------------
# Keras 3 public API only


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_models_and_layers_use_only_public_keras():
    files = sorted((ROOT / "cnnlib" / "models").glob("*.py")) + [ROOT / "cnnlib" / "layers.py"]
    assert len(files) >= 9
    for path in files:
        for module in _imports(path):
            top = module.split(".")[0]
            assert top not in ("tensorflow", "tf_keras", "jax", "torch"), f"{path.name} imports {module}"
            assert not module.startswith("keras.src"), f"{path.name} imports private {module}"


# --------------------------------------------------------------------------------------
# Weight transfer from keras.applications


REFERENCES = KERAS_APPLICATIONS  # the zoo's networks keras.applications also builds
REFERENCE_SIDE = {"inception_v3": 75}  # keras.applications' smallest input where it is not 32 x 32


def _fixed_names(items, reference):
    """``(layer name, ...)`` pairs with the name blanked where keras.applications left the reference layer's
    name automatic (InceptionV3's ``conv2d_57``, ``batch_normalization_57``): ours are named by module and
    kernel instead, so there only what follows the name must agree."""
    automatic = [re.fullmatch(r"(conv2d|batch_normalization)(_\d+)?", r[0]) for r in reference]
    return [(None if auto else item[0], *item[1:]) for item, auto in zip(items, automatic, strict=True)]


def _random_values(weights, seed=0):
    """Random values for a list of variables, with every batch-norm statistic away from
    its initial value, so that a misplaced normalization cannot hide."""
    rng = np.random.default_rng(seed)
    values = []
    for w in weights:
        shape, leaf = tuple(w.shape), w.path.split("/")[-1]
        if leaf in ("gamma", "moving_variance"):
            values.append(rng.uniform(0.5, 1.5, shape).astype("float32"))
        elif leaf in ("beta", "moving_mean", "bias"):
            values.append(rng.normal(0.0, 0.1, shape).astype("float32"))
        else:  # kernels: He scale keeps activations finite through 150 layers
            fan_in = math.prod(shape[:-1]) if len(shape) > 1 else 1
            values.append(rng.standard_normal(shape, dtype=np.float32) * np.sqrt(2 / fan_in))
    return values


def _copy_and_run(model, values, x):
    """``model(x)`` after ``set_weights(values)``, without creating the variables: ``values``
    is matched to ``model.weights`` by position and shape, exactly as ``set_weights`` does."""
    assert len(values) == len(model.weights)
    by_id = {}
    for w, v in zip(model.weights, values, strict=True):
        assert tuple(w.shape) == v.shape, w.path
        by_id[id(w)] = v
    # Dropout's random-seed state is a variable too, but not a weight: any value does.
    for w in model.non_trainable_variables:
        by_id.setdefault(id(w), np.zeros(w.shape, w.dtype))
    variables = model.trainable_variables + model.non_trainable_variables
    mapping = [(w, by_id[id(w)]) for w in variables]
    with keras.StatelessScope(state_mapping=mapping, initialize_variables=False):
        out = model(x, training=False)
    return keras.ops.convert_to_numpy(out)


@pytest.mark.parametrize("name", list(REFERENCES))
def test_weights_transfer_from_keras_applications(name):
    """Same weighted layers, names and weight shapes in the same order, and the same
    outputs (relative difference < 1e-4) with the reference's weights copied in.

    ResNet, DenseNet and Inception-v3 end in global pooling, so their weights do not depend on
    the input size: all is checked on 32 x 32 images (32 is keras.applications' minimum; 75 x 75
    for Inception-v3). VGG's classifier flattens: its weights are compared at 224 x 224, its
    outputs at 32 x 32. Names are compared wherever keras.applications chose them.
    """
    reference_builder = getattr(keras.applications, REFERENCES[name])
    side = REFERENCE_SIDE.get(name, 32)

    def weighted(m):
        return [(layer.name, [tuple(w.shape) for w in layer.weights]) for layer in m.layers if layer.weights]

    if name.startswith("vgg"):
        ref, ours = _stateless(reference_builder, weights=None), structure(name)
        assert weighted(ours) == weighted(ref)
        assert ours.count_params() == ref.count_params()
    kwargs = {"input_shape": (side, side, 3), "classifier_activation": None}
    ref = _stateless(reference_builder, weights=None, **kwargs)
    ours = structure(name, **kwargs)
    assert _fixed_names(weighted(ours), weighted(ref)) == _fixed_names(weighted(ref), weighted(ref))
    paths = [tuple(w.path.split("/", 1)) for w in ref.weights]
    assert _fixed_names([tuple(w.path.split("/", 1)) for w in ours.weights], paths) == _fixed_names(paths, paths)
    values = _random_values(ref.weights)
    x = np.random.default_rng(1).uniform(-1, 1, (2, side, side, 3)).astype("float32")
    expected, got = _copy_and_run(ref, values, x), _copy_and_run(ours, values, x)
    assert np.all(np.isfinite(expected)) and np.abs(expected).max() > 1e-3
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()


def test_set_weights_from_keras_resnet50():
    """The plain route, with real variables: ``ours.set_weights(ref.get_weights())``."""
    keras.utils.set_random_seed(0)
    ref = keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10)
    ours = get_model("resnet50", input_shape=(32, 32, 3), classes=10)
    ref.set_weights(_random_values(ref.weights))  # move BN statistics off their defaults
    ours.set_weights(ref.get_weights())
    x = np.random.default_rng(2).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(ref(x, training=False))
    got = keras.ops.convert_to_numpy(ours(x, training=False))
    assert np.abs(got - expected).max() <= 1e-4


def test_model_facts_read_a_model_without_keeping_it():
    from cnnlib.models import model_facts

    facts = model_facts("lenet5")
    model = get_model("lenet5")
    assert facts.params == model.count_params() == get_card("lenet5").params
    assert facts.size("c1_conv") == 28 and facts.output_shape == (10,) and facts.input_shape == (32, 32, 1)
    assert facts.macs == count_macs(model)
    assert facts.layer_types.count("Conv2D") == 3
    with pytest.raises(ValueError, match="has no layer 'conv9'"):
        facts.row("conv9")


def test_model_facts_take_a_builder_and_a_dtype():
    from cnnlib.models import model_facts

    def small():
        return keras.Sequential(
            [keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(), keras.layers.Dense(3)]
        )

    facts = model_facts(small, dtype="float16")
    assert (facts.params, facts.conv_params, facts.dense_params, facts.weight_layers) == (239, 20, 219, 2)
    assert facts.output_shape == (3,) and keras.config.dtype_policy().name == "float32"


def test_narrow_vgg_keeps_the_layout_and_takes_an_initializer():
    from cnnlib.models import vgg
    from cnnlib.models.vgg import VGG_CONFIGS, narrow_config

    narrow = narrow_config("C", 8)
    assert len(narrow) == len(VGG_CONFIGS["C"]) and narrow[:3] == (8, 8, "M") and (32, 1) in narrow
    assert narrow_config((3, "M"), 8) == (1, "M")
    model = vgg(narrow, input_shape=(32, 32, 3), classes=10, dense_units=16,
                kernel_initializer=keras.initializers.RandomNormal(0.0, 0.01))  # fmt: skip
    assert model.get_layer("fc1").units == 16 and model.get_layer("block3_conv3").kernel_size == (1, 1)
    kernel = keras.ops.convert_to_numpy(model.get_layer("block5_conv1").kernel)
    assert abs(kernel.std() - 0.01) < 0.001
    with pytest.raises(ValueError, match="divisor"):
        narrow_config("D", 0)
    with pytest.raises(ValueError, match="dense_units"):
        vgg("A", dense_units=0)
    with pytest.raises(ValueError, match="not a Keras initializer"):
        vgg("A", kernel_initializer="gaussian-ish")


def test_numpy_integers_are_whole_numbers_everywhere():
    # A learner's sizes often come out of NumPy: np.int64(10) is a whole number like 10.
    from cnnlib.arithmetic import inception_params, is_whole
    from cnnlib.layers import LocalResponseNormalization
    from cnnlib.models import densenet, vgg, zfnet
    from cnnlib.models.vgg import narrow_config

    assert is_whole(np.int64(3)) and is_whole(4.0) and not is_whole(True) and not is_whole("3") and not is_whole(2.5)
    n = np.int64
    assert vgg(narrow_config("A", n(16)), input_shape=(32, 32, 3), classes=n(10), dense_units=n(8)).count_params() > 0
    assert zfnet(widths=(n(8), n(8), n(8)), include_top=False, input_shape=(64, 64, 3)).count_params() > 0
    dense = densenet(blocks=(n(1), n(1)), growth_rate=n(4), include_top=False, input_shape=(32, 32, 3))
    assert dense.count_params() > 0
    assert LocalResponseNormalization(size=n(5)).size == 5
    assert inception_params((n(4), 4, 4, 4, 4, 4), n(8)) == inception_params((4, 4, 4, 4, 4, 4), 8)

"""The library behind notebook 08 (ResNet): base width, residual arithmetic, gradients, degradation runs, figures;
the notebook's hidden solutions; the paper-scale benchmark script in its smoke mode."""

from pathlib import Path

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnlib import arithmetic
from cnnlib.exercises import check, check_model, run_solution
from cnnlib.experiments import measure
from cnnlib.experiments.degradation import degradation_experiment, final_losses
from cnnlib.models import cifar_resnet, get_model
from cnnlib.models.resnet import basic_block, bottleneck_block
from cnnlib.viz import draw_degradation, draw_gradient_norms
from cnnlib.viz.residual import smooth

pytestmark = pytest.mark.slow  # conftest.py runs these modules first

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "08_resnet.ipynb"


def block_model(block, input_shape, **kwargs):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, block(inputs, **kwargs))


# --- cifar_resnet(base_width=...) ---------------------------------------------------------------------------


def test_base_width_sets_the_three_stages():
    model = cifar_resnet(20, "A", base_width=4)
    widths = [model.get_layer(f"conv{s}_block1_2_conv").filters for s in (2, 3, 4)]
    assert model.get_layer("conv1_conv").filters == 4 and widths == [4, 8, 16]


def test_default_base_width_is_the_papers():
    assert cifar_resnet(20, "A", base_width=16).count_params() == get_model("resnet20").count_params()


def test_base_width_keeps_plain_and_residual_twins_equal_in_parameters():
    shape = (16, 16, 3)
    assert (
        cifar_resnet(20, None, input_shape=shape, base_width=4).count_params()
        == cifar_resnet(20, "A", input_shape=shape, base_width=4).count_params()
    )


@pytest.mark.parametrize("bad", [0, -4, 2.5, True, "8"])
def test_base_width_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match="base_width"):
        cifar_resnet(20, "A", base_width=bad)


# --- arithmetic.residual ----------------------------------------------------------------------------------


@pytest.mark.parametrize("in_channels,filters,projection", [(64, 64, False), (32, 64, True), (16, 16, True)])
def test_basic_block_counts_match_the_built_block(in_channels, filters, projection):
    model = block_model(
        basic_block, (8, 8, in_channels), filters=filters, shortcut="projection" if projection else "identity", name="b"
    )
    assert model.count_params() == arithmetic.basic_block_params(in_channels, filters, projection=projection)
    macs = arithmetic.block_macs("basic", in_channels, filters, 8, projection=projection)
    assert arithmetic.count_macs(model) == macs


@pytest.mark.parametrize("in_channels,filters,projection", [(256, 64, False), (64, 64, True), (512, 128, True)])
def test_bottleneck_block_counts_match_the_built_block(in_channels, filters, projection):
    model = block_model(
        bottleneck_block,
        (8, 8, in_channels),
        filters=filters,
        shortcut="projection" if projection else "identity",
        name="b",
    )
    assert model.count_params() == arithmetic.bottleneck_block_params(in_channels, filters, projection=projection)
    assert arithmetic.count_macs(model) == arithmetic.block_macs(
        "bottleneck", in_channels, filters, 8, projection=projection
    )


def test_shortcut_options_against_built_cifar_networks():
    stages = [(16, 16, 3, 1), (16, 32, 3, 2), (32, 64, 3, 2)]
    a, b = (cifar_resnet(20, option).count_params() for option in "AB")
    assert arithmetic.shortcut_params(stages, "A") == 0
    assert arithmetic.shortcut_params(stages, "B") == b - a
    # C: B plus a projection in each of the 2 + 2 + 2 blocks that B leaves with an identity, and in conv2_block1.
    extra = 3 * arithmetic.projection_params(16, 16) + 2 * (
        arithmetic.projection_params(32, 32) + arithmetic.projection_params(64, 64)
    )
    assert arithmetic.shortcut_params(stages, "C") - arithmetic.shortcut_params(stages, "B") == extra


def test_shortcut_option_b_of_resnet34_is_torchvisions_layout():
    stages = [(64, 64, 3, 1), (64, 128, 4, 2), (128, 256, 6, 2), (256, 512, 3, 2)]
    b = arithmetic.shortcut_params(stages, "B")
    model = get_model("resnet34", include_top=False, input_shape=(32, 32, 3))
    projections = sum(layer.count_params() for layer in model.layers if "_0_" in layer.name)
    assert b == projections == 175_616


def test_residual_arithmetic_explains_bad_arguments():
    with pytest.raises(ValueError, match="option"):
        arithmetic.shortcut_params([(16, 16, 3, 1)], "D")
    with pytest.raises(ValueError, match="kind"):
        arithmetic.block_macs("dense", 16, 16, 8)
    with pytest.raises(ValueError, match="channels"):
        arithmetic.bn_params(0)


# --- measure.gradient_norms -------------------------------------------------------------------------------


def small_net():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="c1")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Activation("relu", name="r")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="fc")(x))


def test_gradient_norms_match_a_tape_and_leave_the_model_unchanged():
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    model = small_net()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 8, 8, 3)).astype("float32"), rng.integers(0, 3, 16)
    before = [v.numpy().copy() for v in model.non_trainable_variables]
    norms = measure.gradient_norms(model, x, y)
    assert list(norms) == ["c1", "fc"]
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x, training=True))
    grads = tape.gradient(loss, [model.get_layer("c1").kernel, model.get_layer("fc").kernel])
    assert norms["c1"] == pytest.approx(float(tf.norm(grads[0])), rel=1e-5)
    assert norms["fc"] == pytest.approx(float(tf.norm(grads[1])), rel=1e-5)
    # The tape above ran a training step's forward pass, which moves BN's averages; restore and compare ours.
    for v, b in zip(model.non_trainable_variables, before, strict=True):
        v.assign(b)
    measure.gradient_norms(model, x, y)
    assert all(np.array_equal(v.numpy(), b) for v, b in zip(model.non_trainable_variables, before, strict=True))


def test_gradient_norms_explain_bad_arguments():
    model = small_net()
    with pytest.raises(ValueError, match="as many examples"):
        measure.gradient_norms(model, np.zeros((4, 8, 8, 3)), np.zeros(3, int))
    with pytest.raises(ValueError, match="no layer of type"):
        measure.gradient_norms(model, np.zeros((4, 8, 8, 3)), np.zeros(4, int), types=("Conv3D",))


def test_plain_gradient_grows_toward_the_input_and_the_residual_one_does_not():
    # The notebook's claim on a smaller pair (32 layers, 16 images), for one seed.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 16, 16, 3)).astype("float32"), rng.integers(0, 10, 16)
    result = {}
    for option in (None, "A"):
        keras.utils.set_random_seed(0)
        norms = list(measure.gradient_norms(cifar_resnet(32, option, input_shape=(16, 16, 3)), x, y).values())[:-1]
        result[option] = max(norms) / min(norms)
    assert result[None] > 10 * result["A"]


# --- cnnlib.experiments.degradation -----------------------------------------------------------------------------------


def tiny_data(n=64):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 8, 8, 3)).astype("float32"), rng.integers(0, 10, n)


def test_degradation_experiment_trains_every_network_from_every_seed():
    x, y = tiny_data(32)
    runs = degradation_experiment((8,), x, y, [0, 1], epochs=1, base_width=2, batch_size=16)
    assert list(runs) == ["plain8", "resnet8"] and all(len(h) == 2 for h in runs.values())
    final = final_losses(runs)
    assert final["plain8"] == [h["loss"][-1] for h in runs["plain8"]] == runs["plain8"].final("loss")
    assert len(runs["resnet8"][0]["step_loss"]) == 2  # train_from_seeds' histories, every step recorded
    with pytest.raises(ValueError, match="shortcut"):
        degradation_experiment((8,), x, y, [0], epochs=1, shortcut=None)


# --- figures ----------------------------------------------------------------------------------------------


def test_draw_gradient_norms_draws_one_line_per_network():
    norms = {"plain": {"conv1_conv": 10.0, "conv2_block1_1_conv": 5.0, "predictions": 1.0}, "res": {"a": 1, "b": 2}}
    fig = draw_gradient_norms(norms)
    assert isinstance(fig, Figure) and [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["plain", "res"]
    with pytest.raises(ValueError, match="empty"):
        draw_gradient_norms({})
    with pytest.raises(ValueError, match="zero"):
        draw_gradient_norms({"plain": {"a": 0.0}})


def test_draw_degradation_draws_plain_and_residual_panels():
    history = {"step_loss": list(np.linspace(2.3, 1.5, 30)), "loss": [1.5]}
    runs = {"plain8": [history, history], "resnet8": [history], "plain20": [history], "resnet20": [history]}
    fig = draw_degradation(runs, window=5, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert all(ax.get_legend() is not None for ax in fig.axes)
    with pytest.raises(ValueError, match="named"):
        draw_degradation({"vgg": [history]})


def test_smooth_is_a_running_mean():
    assert smooth([1, 2, 3, 4], 2).tolist() == [1.0, 1.5, 2.5, 3.5]
    with pytest.raises(ValueError):
        smooth([1], 0)


# --- the notebook's exercises -----------------------------------------------------------------------------


def test_exercise_2_solution_passes_and_a_block_without_the_last_relu_fails():
    namespace = {"keras": keras, "check_model": check_model, "basic_block": basic_block}
    exec("def block_model(block, input_shape, **kwargs):\n"
         "    inputs = keras.Input(input_shape, name='block_input')\n"
         "    return keras.Model(inputs, block(inputs, **kwargs), name=kwargs['name'])\n", namespace)  # fmt: skip
    run_solution(NOTEBOOK, "Exercise 2", "residual_block", namespace)

    def no_final_relu(x, filters):  # the notes' defect
        shortcut = x
        for i in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = keras.layers.BatchNormalization()(x)
            if i == 0:
                x = keras.layers.Activation("relu")(x)
        return keras.layers.Add()([shortcut, x])

    namespace["residual_block"] = no_final_relu
    from cnnlib.exercises import check_cell

    with pytest.raises(AssertionError, match="Exercise 2"):
        exec(check_cell(NOTEBOOK, "Exercise 2")[1], namespace)


def test_exercise_1_and_3_solution_figures():
    assert arithmetic.conv_params(3, 1024, 2048) - arithmetic.conv_params(1, 1024, 2048) == 16_777_216
    stages = [(64, 64, 3, 1), (64, 128, 4, 2), (128, 256, 6, 2), (256, 512, 3, 2)]
    c_minus_b = arithmetic.shortcut_params(stages, "C") - arithmetic.shortcut_params(stages, "B")
    assert c_minus_b == 924_928
    check(924_928, c_minus_b, "Exercise 3")


def test_whole_numbers_from_numpy_are_accepted_and_fractions_refused():
    import numpy as np
    import pytest

    from cnnlib.data import downsample
    from cnnlib.models import cifar_resnet

    assert (
        cifar_resnet(np.int64(8), base_width=np.int64(2)).count_params() == cifar_resnet(8, base_width=2).count_params()
    )
    assert downsample(np.zeros((1, 4, 4, 3)), np.int32(2)).shape == (1, 2, 2, 3)
    for bad in (20.5, True, "20"):
        with pytest.raises(ValueError, match="6n \\+ 2"):
            cifar_resnet(bad)


def test_preactivation_units_add_up_their_residuals_and_refuse_a_stage_of_one_block():
    """x_L = x_l + sum of the residuals in between (He et al. 2016, eq. 4): no ReLU on the path between blocks."""
    from cnnlib.models import resnet_v2

    keras.utils.set_random_seed(0)
    net = resnet_v2((2, 2, 4, 2), input_shape=(64, 64, 3), classes=3)
    names = ["conv4_block1_out", "conv4_block2_3_conv", "conv4_block3_3_conv", "conv4_block3_out"]
    probe = keras.Model(net.input, [net.get_layer(n).output for n in names])
    x_l, f2, f3, x_big_l = (keras.ops.convert_to_numpy(t) for t in probe(np.ones((1, 64, 64, 3), "float32")))
    assert np.allclose(x_big_l, x_l + f2 + f3, atol=1e-5 * np.abs(x_big_l).max())
    assert (x_big_l < 0).any()  # no ReLU after the addition
    with pytest.raises(ValueError, match="at least 2"):
        resnet_v2((3, 4, 1, 3))

"""Receptive fields against an independent measurement: where the input gradient of one unit is nonzero."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib.arithmetic import Layer, receptive_field

# (kind, kernel, stride, padding, dilation)
STACKS = {
    "three 3x3 convs": [("conv", 3, 1, "valid", 1)] * 3,
    "conv-pool twice, conv (Chollet's MNIST net)": [
        ("conv", 3, 1, "valid", 1),
        ("pool", 2, 2, "valid", 1),
        ("conv", 3, 1, "valid", 1),
        ("pool", 2, 2, "valid", 1),
        ("conv", 3, 1, "valid", 1),
    ],
    "strided 5x5 then dilated": [("conv", 5, 2, "same", 1), ("conv", 3, 2, "valid", 1), ("conv", 3, 1, "valid", 2)],
    "dilations 2 and 4": [("conv", 3, 1, "same", 2), ("conv", 3, 1, "same", 4)],
    "ResNet-like stem": [("conv", 7, 2, "same", 1), ("pool", 3, 2, "same", 1), ("conv", 3, 1, "same", 1)],
    "even kernel, stride 2": [("conv", 4, 2, "valid", 1), ("conv", 3, 1, "valid", 1), ("pool", 3, 1, "valid", 1)],
}


POSITIVE = keras.initializers.RandomUniform(0.5, 1.0)


def build(stack, size):
    inputs = keras.Input((size, size, 1))
    x = inputs
    for i, (kind, k, s, p, d) in enumerate(stack):
        if kind == "conv":
            # Positive weights and no activation: no gradient can cancel to zero by accident.
            x = keras.layers.Conv2D(
                1,
                k,
                strides=s,
                padding=p,
                dilation_rate=d,
                name=f"l{i}",
                kernel_initializer=keras.initializers.RandomUniform(0.5, 1.0),
            )(x)
        else:
            # Average pooling: every cell of the window gets gradient (max pooling routes it to one).
            x = keras.layers.AveragePooling2D(k, strides=s, padding=p, name=f"l{i}")(x)
    return keras.Model(inputs, x)


def gradient_extent(model, size):
    out_size = model.output.shape[1]
    c = (out_size - 1) // 2
    x = tf.constant(np.random.default_rng(0).uniform(0.5, 1.0, (1, size, size, 1)), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)[0, c, c, 0]
    g = np.abs(tape.gradient(y, x).numpy()[0, :, :, 0])
    rows = np.nonzero(g.sum(axis=1) > 0)[0]
    cols = np.nonzero(g.sum(axis=0) > 0)[0]
    return rows.min(), rows.max() - rows.min() + 1, cols.max() - cols.min() + 1, c


@pytest.mark.parametrize("name", STACKS)
def test_field_equals_the_extent_of_the_input_gradient(name):
    size = 96
    model = build(STACKS[name], size)
    first, extent_rows, extent_cols, c = gradient_extent(model, size)
    last = receptive_field(model)[-1]
    assert last.size == model.output.shape[1]
    assert extent_rows == extent_cols == last.field, name
    # The field's first pixel is where the gradient starts (the unit's centre minus half the field).
    assert first == pytest.approx(last.start + c * last.jump - (last.field - 1) / 2)


def test_data_and_model_descriptions_agree():
    stack = STACKS["conv-pool twice, conv (Chollet's MNIST net)"]
    from_data = receptive_field([Layer(f"l{i}", k, s, p, d) for i, (_, k, s, p, d) in enumerate(stack)], 28)
    assert from_data == receptive_field(build(stack, 28))
    assert [r.field for r in from_data] == [1, 3, 4, 8, 10, 18]
    assert [r.jump for r in from_data] == [1, 1, 2, 2, 4, 4]
    assert [r.size for r in from_data] == [28, 26, 13, 11, 5, 3]


def test_dense_layers_end_the_table():
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, name="c")(inputs)
    x = keras.layers.Flatten(name="f")(x)
    x = keras.layers.Dense(2, name="d")(x)
    assert [r.name for r in receptive_field(keras.Model(inputs, x))] == ["input", "c"]


def test_input_size_is_needed_for_a_description_as_data():
    with pytest.raises(ValueError, match="give input_size"):
        receptive_field([Layer("c", 3)])


def test_transposed_convolution_is_refused_not_read_as_a_convolution():
    import keras

    from cnnlib.arithmetic import layers_from_keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2DTranspose(2, 3, strides=2, name="up")])
    with pytest.raises(ValueError, match="up: a Conv2DTranspose layer is not supported"):
        layers_from_keras(model)


# --- layer_fields: the graph, branches included ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["conv-pool twice, conv (Chollet's MNIST net)", "strided 5x5 then dilated"])
def test_layer_fields_equal_receptive_field_on_a_chain(name):
    from cnnlib.arithmetic import layer_fields

    model = build(STACKS[name], 64)
    fields, rows = layer_fields(model), receptive_field(model)[1:]
    assert [tuple(fields[r.name]) for r in rows] == [(r.jump, r.field) for r in rows]


def test_layer_fields_on_lenet5_end_with_the_whole_input():
    from cnnlib.arithmetic import layer_fields
    from cnnlib.models import get_model

    model = get_model("lenet5")
    fields = layer_fields(model)
    assert [fields[r.name].field for r in receptive_field(model)[1:]] == [5, 6, 14, 16, 32]
    assert fields["flatten"] == fields["predictions"] == (None, None)


def test_a_merge_sees_what_its_widest_branch_sees_as_the_gradient_does():
    """Two branches (two 3x3 convolutions: 5; one 7x7: 7) added, pooled, convolved: 7, 8, then 12."""
    from cnnlib.arithmetic import layer_fields

    def conv(k, name, padding="same"):
        return keras.layers.Conv2D(1, k, padding=padding, name=name, kernel_initializer=POSITIVE)

    inputs = keras.Input((64, 64, 1))
    a = conv(3, "a2")(conv(3, "a1")(inputs))
    x = keras.layers.Add(name="add")([a, conv(7, "b")(inputs)])
    x = keras.layers.AveragePooling2D(2, name="pool")(x)
    model = keras.Model(inputs, conv(3, "last", "valid")(x))
    fields = layer_fields(model)
    assert [fields[n].field for n in ("a1", "a2", "b", "add", "pool", "last")] == [3, 5, 7, 7, 8, 12]
    assert fields["last"].jump == 2
    _, extent_rows, extent_cols, _ = gradient_extent(model, 64)
    assert extent_rows == extent_cols == 12


def test_layer_fields_on_resnet20_by_hand():
    """conv1 3; stage 2 six 3x3 convs: 15; stage 3 strides 2 in its first conv: 17, jump 2, then 21 after
    the block's second conv (the shortcut, a 1x1 stride-2 subsampling, sees 15); ... the last block: 81."""
    from cnnlib.arithmetic import layer_fields
    from cnnlib.models import get_model

    fields = layer_fields(get_model("resnet20"))
    assert fields["conv2_block3_out"] == (1, 15)
    assert fields["conv3_block1_1_conv"] == (2, 17) and fields["conv3_block1_0_pool"] == (2, 15)
    assert fields["conv3_block1_add"] == (2, 21)
    assert fields["conv4_block3_out"] == (4, 81) and fields["avg_pool"].field is None


def test_layer_fields_read_each_axis_and_refuse_what_they_cannot_follow():
    from cnnlib.arithmetic import layer_fields

    model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(1, (3, 5), name="c")])
    assert layer_fields(model, axis=0)["c"].field == 3 and layer_fields(model, axis=1)["c"].field == 5
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2DTranspose(2, 3, strides=2, name="up")])
    with pytest.raises(ValueError, match="up: a Conv2DTranspose layer is not supported"):
        layer_fields(model)

"""The callbacks behind the explorers (widget output itself cannot be compared by nbval)."""

import re

import pytest
from matplotlib.figure import Figure

from cnnlib.widgets import conv_explorer, conv_explorer_view


def test_valid_setting_draws_and_states_the_output_size():
    fig, message = conv_explorer_view(size=5, kernel=3, padding=1, stride=2, step=4)
    assert isinstance(fig, Figure)
    assert message.startswith("output 3×3") and "⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3" in message


@pytest.mark.parametrize(
    "kw,reason",
    [
        (dict(size=4, kernel=7), "kernel 7 is larger than the input 4"),
        (dict(size=3, kernel=3, dilation=3), "dilation 3 (spans 7)"),
        (dict(size=5, kernel=3, padding="bogus"), "padding 'bogus' is not known"),
    ],
)
def test_impossible_setting_gives_a_message_not_a_traceback(kw, reason):
    fig, message = conv_explorer_view(**kw)
    assert fig is None and message.startswith("Not possible:") and reason in message


def test_step_beyond_the_last_window_is_clamped():
    fig, _ = conv_explorer_view(size=4, kernel=3, step=99)
    assert fig is not None


def test_the_widget_builds():
    box = conv_explorer()
    assert len(box.children) == 3
    message, drawing = box.children[1:]
    assert message.value.startswith("<b") and "output 5×5" in message.value
    box.children[0].children[0].children[0].value = 2  # input size 2 < kernel 3
    assert "Not possible" in message.value and drawing.outputs == ()


def test_pool_explorer_view_on_a_real_feature_map():
    from cnnlib import data, ops
    from cnnlib.widgets import pool_explorer, pool_explorer_view

    fmap = ops.conv2d(data.photo("camera", size=32), ops.KERNELS["all edges (Laplacian)"])[0, :, :, 0]  # 30x30
    fig, message = pool_explorer_view(fmap, pool=3, stride=2)
    assert isinstance(fig, Figure) and "30×30 → 14×14" in message and "⌊(30 − 3) / 2⌋ + 1 = 14" in message
    assert pool_explorer_view(fmap, pool=2, stride=2, padding="same", mode="avg")[1].startswith("avg pooling")
    fig, message = pool_explorer_view(fmap, pool=40, stride=2)
    assert fig is None and "pool window 40 is larger than the input 30" in message
    fig, message = pool_explorer_view(fmap, pool=2, stride=2, mode="median")
    assert fig is None and "mode must be 'max' or 'avg'" in message
    assert len(pool_explorer(fmap).children) == 3


def test_classifier_drawings():
    import numpy as np

    from cnnlib.viz import draw_confusion, draw_misclassified, show_filters
    from cnnlib.viz.learning import confusion_matrix

    y_true, y_pred = np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 2, 1])
    assert confusion_matrix(y_true, y_pred, 3).tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 2]]
    assert "accuracy 80.0%" in draw_confusion(y_true, y_pred, ["a", "b", "c"]).axes[0].get_title()
    fig = draw_misclassified(np.zeros((5, 4, 4)), y_true, y_pred, ["a", "b", "c"])
    assert fig.axes[0].get_title() == "b → c"
    assert len(show_filters(np.zeros((5, 5, 1, 6))).axes) == 6
    with pytest.raises(ValueError, match="no misclassified"):
        draw_misclassified(np.zeros((2, 4, 4)), [0, 1], [0, 1], ["a", "b"])


def test_architecture_diagram_follows_the_model():
    from cnnlib.models import get_model
    from cnnlib.viz.architecture import architecture_rows, draw_architecture

    model = get_model("lenet5")
    rows = architecture_rows(model)
    assert [r[2] for r in rows][1:6] == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120)]
    fig = draw_architecture(model)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "c1_conv\n6@28×28" in labels and "f6_dense\n84" in labels


def test_show_images_can_add_colour_bars():
    import numpy as np

    from cnnlib.viz import show_images

    fig = show_images([np.zeros((4, 4)), np.ones((4, 4))], colorbar=True)
    assert len(fig.axes) == 4  # two panels, two colour bars
    assert len(show_images([np.zeros((4, 4))]).axes) == 1


# --- the model explorer ------------------------------------------------------------------------------------------


def _rows(table: str) -> list[str]:
    return re.findall(r"<tr[^>]*>.*?</tr>", table)


def test_model_explorer_on_lenet5():
    from cnnlib.widgets import _explorer_model, model_explorer_view

    view = model_explorer_view("lenet5")  # the card's 32 x 32 x 1, a convolution half-way: c3_conv
    assert view.ok and view.layer == "c3_conv" and view.input_shape == (32, 32, 1)
    assert view.message.startswith("LeNet-5 at 32×32×1: 61,706 parameters, 416,520 multiply-adds.")
    assert "c3_conv: 16 maps of 10×10; each unit sees 14×14 pixels of the input" in view.message
    model = _explorer_model("lenet5", (32, 32, 1))  # the one the view built: kept, not built again
    rows = _rows(view.table)
    assert len(rows) == 1 + len(model.layers) + 1  # header, one row per layer, total
    assert "<td>c3_conv</td><td>Conv2D</td><td>10×10×16</td>" in view.table and "14×14</td>" in view.table
    assert "whole input" in [r for r in rows if "f6_dense" in r][0]
    assert "background" in [r for r in rows if "c3_conv" in r][0]  # the chosen layer is marked
    assert isinstance(view.architecture, Figure) and isinstance(view.feature_maps, Figure)
    assert len([ax for ax in view.feature_maps.axes if ax.images]) == 16
    assert view.layers == ("input_layer", "c1_conv", "s2_pool", "c3_conv", "s4_pool", "c5_conv")
    dense = model_explorer_view("lenet5", layer="f6_dense", image="photo")
    assert dense.ok and dense.feature_maps is None and "f6_dense gives 84 numbers, not feature maps" in dense.message


def test_model_explorer_on_a_branched_network():
    from cnnlib.widgets import model_explorer_view

    view = model_explorer_view("resnet20", 32, layer="conv3_block1_add", image="cifar")
    assert view.ok and "conv3_block1_add: 32 maps of 16×16; each unit sees 21×21 pixels" in view.message
    assert "conv4_block3_out" in view.layers and isinstance(view.feature_maps, Figure)
    assert isinstance(view.architecture, Figure)  # 75 layers: drawn by stages


@pytest.mark.parametrize(
    "kw,sentence",
    [
        (dict(name="alexnet", input_size=32), "AlexNet needs input images of at least 67 x 67 pixels, got 32 x 32"),
        (dict(name="lenet5", layer="c3"), "LeNet-5 has no layer 'c3'; close names: c3_conv."),
        (dict(name="lenet", input_size=32), "unknown model 'lenet'. Did you mean 'lenet5'?"),
        (dict(name="vgg16", input_size=512), "inputs up to 227×227 pixels, got 512"),
    ],
)
def test_model_explorer_refuses_with_the_library_sentence(kw, sentence):
    from cnnlib.widgets import model_explorer_view

    view = model_explorer_view(**kw)
    assert not view.ok and view.message.startswith("Not possible: ") and sentence in view.message
    assert view.table == "" and view.architecture is None and view.feature_maps is None


def _small_trained_model():
    import keras

    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, name="conv"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, name="out"),
        ],
        name="mine",
    )


def test_model_explorer_explores_a_trained_model_as_it_is():
    from cnnlib.widgets import model_explorer_view

    model = _small_trained_model()
    view = model_explorer_view("my net", model=model, image="digit")
    assert view.ok and view.layer == "conv" and view.message.startswith("my net at 28×28×1: 6,810 parameters")
    assert "conv: 4 maps of 26×26; each unit sees 3×3 pixels" in view.message and "float16" not in view.message
    assert isinstance(view.feature_maps, Figure) and len(_rows(view.table)) == 1 + 4 + 1
    view = model_explorer_view("my net", input_size=32, model=model)
    assert not view.ok and "my net is explored at its own input size, 28×28" in view.message


def test_the_model_explorer_widget_follows_its_menus():
    from cnnlib.widgets import model_explorer

    box = model_explorer(models={"mine (trained)": _small_trained_model()})
    controls, status, maps, diagram, table = box.children
    (model, layer), (size, _) = (column.children for column in controls.children)
    assert "LeNet-5 at 32×32×1" in status.value and layer.value == "c3_conv" and size.value == 32
    size.value = 28  # too small for LeNet-5: the reason in red, the drawings and the table cleared
    assert "#a50f15" in status.value and "needs input images of at least 32 x 32" in status.value
    assert table.value == "" and maps.outputs == () and diagram.outputs == ()
    model.value = "resnet20"  # a new model: its own input size, its layers, a convolution half-way
    assert "ResNet-20 at 32×32×3" in status.value and size.value == 32 and not size.disabled
    assert "conv4_block3_out" in layer.options and layer.value == "conv3_block2_1_conv"
    layer.value = "conv2_block1_add"
    assert "conv2_block1_add: 16 maps of 32×32" in status.value and "#00441b" in status.value
    model.value = "mine (trained)"  # explored at its own size, which cannot be changed
    assert "mine (trained) at 28×28×1" in status.value and size.value == 28 and size.disabled
    assert layer.options == ("conv", "pool")  # a Sequential model's input is no layer of it
    with pytest.raises(ValueError, match="'lenet5' is a registered model's name"):
        model_explorer(models={"lenet5": _small_trained_model()})

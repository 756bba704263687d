"""The callbacks behind the explorers (widget output itself cannot be compared by nbval)."""

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

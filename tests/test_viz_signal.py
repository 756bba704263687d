"""draw_signal: one line per initialization, layers on the x axis, a clear error for mismatched input."""

import pytest

from cnnlib.viz import draw_signal


def test_one_line_per_initialization_on_a_log_scale():
    signal = {"a": {"block1_conv1": 1.0, "fc1": 0.1}, "b": {"block1_conv1": 1.0, "fc1": 1.0}}
    fig = draw_signal(signal, title="t")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b1.1", "fc1"]


def test_mismatched_or_empty_input_is_explained():
    with pytest.raises(ValueError, match="other layers"):
        draw_signal({"a": {"x": 1.0}, "b": {"y": 1.0}})
    with pytest.raises(ValueError, match="empty"):
        draw_signal({})

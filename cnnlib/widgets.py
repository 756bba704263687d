"""Interactive explorers (ipywidgets) over the drawings of ``cnnlib.viz``.

Each explorer is a thin front end over a plain function (``conv_explorer_view``) that the
tests call directly: widget output cannot be compared by nbval, the function can.
ipywidgets is imported only when an explorer is built.
"""

from __future__ import annotations

from cnnlib.arithmetic import conv_output_size, explain_conv_output_size, pool_output_size
from cnnlib.viz.conv_arithmetic import draw_sliding_window
from cnnlib.viz.pooling import draw_pooling

PADDING_CHOICES = ("valid", "same", "full", 0, 1, 2, 3)


def conv_explorer_view(size=5, kernel=3, padding="valid", stride=1, dilation=1, step=0):
    """What the convolution explorer shows for one setting.

    Returns:
        ``(figure, message)``: the drawing and a one-line summary (output size and formula);
        for an impossible combination, ``(None, message)`` with the reason in plain words.
    """
    try:
        out = conv_output_size(size, kernel, stride, padding, dilation)
    except ValueError as err:
        return None, f"Not possible: {err}"
    step = min(max(int(step), 0), out * out - 1)
    fig = draw_sliding_window(size, kernel, stride, padding, dilation, step=step, formula=False)
    message = f"output {out}×{out}   ({explain_conv_output_size(size, kernel, stride, padding, dilation)})"
    return fig, message


def _explorer(controls: dict, view, on_valid=None):
    """Sliders on the left, a status line and the drawing below; redrawn on every change.

    ``view(**values) -> (figure or None, message)``. The drawing area is cleared explicitly,
    so an impossible setting never leaves the last valid picture standing beside its message.
    """
    import ipywidgets as w
    from IPython.display import display

    message, drawing = w.HTML(), w.Output()

    def redraw(_=None):
        values = {name: c.value for name, c in controls.items()}
        fig, text = view(**values)
        colour = "#00441b" if fig is not None else "#a50f15"
        message.value = f"<b style='color:{colour}'>{text}</b>"
        drawing.clear_output()
        if fig is not None:
            if on_valid is not None:
                on_valid(values)
            with drawing:
                display(fig)

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    half = (len(controls) + 1) // 2
    columns = w.HBox([w.VBox(list(controls.values())[:half]), w.VBox(list(controls.values())[half:])])
    return w.VBox([columns, message, drawing])


def conv_explorer(size=7, kernel=3, padding="valid", stride=1, dilation=1):
    """Sliders for input size, kernel, padding, stride, dilation and the window's position."""
    import ipywidgets as w

    controls = {
        "size": w.IntSlider(size, 1, 12, description="input size"),
        "kernel": w.IntSlider(kernel, 1, 7, description="kernel"),
        "padding": w.Dropdown(options=PADDING_CHOICES, value=padding, description="padding"),
        "stride": w.IntSlider(stride, 1, 4, description="stride"),
        "dilation": w.IntSlider(dilation, 1, 3, description="dilation"),
        "step": w.IntSlider(0, 0, 200, description="window #"),
    }

    def last_window(values):  # the window slider ends at the last output cell
        n = conv_output_size(values["size"], values["kernel"], values["stride"], values["padding"], values["dilation"])
        controls["step"].max = n * n - 1

    return _explorer(controls, conv_explorer_view, on_valid=last_window)


def pool_explorer_view(feature_map, pool=2, stride=2, padding="valid", mode="max"):
    """What the pooling explorer shows: the map, the pooled map and the output-size formula.

    Returns:
        ``(figure, message)``, or ``(None, message)`` with the reason for an impossible setting.
    """
    try:
        h = pool_output_size(feature_map.shape[0], pool, stride, padding)
        w = pool_output_size(feature_map.shape[1], pool, stride, padding)
        fig = draw_pooling(feature_map, pool, stride, padding, mode)
    except ValueError as err:
        return None, f"Not possible: {err}"
    formula = explain_conv_output_size(feature_map.shape[0], pool, stride, padding)
    size = f"{feature_map.shape[0]}×{feature_map.shape[1]} → {h}×{w}"
    return fig, f"{mode} pooling {pool}×{pool}, stride {stride}: {size}   ({formula})"


def pool_explorer(feature_map, pool=2, stride=2, padding="valid", mode="max"):
    """Sliders for the pooling window, stride, padding and mode over a real feature map."""
    import ipywidgets as w

    controls = {
        "pool": w.IntSlider(pool, 1, 8, description="window"),
        "stride": w.IntSlider(stride, 1, 8, description="stride"),
        "padding": w.Dropdown(options=("valid", "same"), value=padding, description="padding"),
        "mode": w.Dropdown(options=("max", "avg"), value=mode, description="mode"),
    }
    return _explorer(controls, lambda **kw: pool_explorer_view(feature_map, **kw))

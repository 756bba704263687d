"""Interactive explorers (ipywidgets) over the drawings of ``cnnlib.viz``.

Each explorer is a thin front end over a plain function (``conv_explorer_view``) that the
tests call directly: widget output cannot be compared by nbval, the function can.
ipywidgets is imported only when an explorer is built.
"""

from __future__ import annotations

from cnnlib.arithmetic import conv_output_size, explain_conv_output_size
from cnnlib.viz.conv_arithmetic import draw_sliding_window

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


def conv_explorer(size=7, kernel=3, padding="valid", stride=1, dilation=1):
    """Sliders for input size, kernel, padding, stride, dilation and the window's position."""
    import ipywidgets as w
    from IPython.display import display

    controls = {
        "size": w.IntSlider(size, 1, 12, description="input size"),
        "kernel": w.IntSlider(kernel, 1, 7, description="kernel"),
        "padding": w.Dropdown(options=PADDING_CHOICES, value=padding, description="padding"),
        "stride": w.IntSlider(stride, 1, 4, description="stride"),
        "dilation": w.IntSlider(dilation, 1, 3, description="dilation"),
        "step": w.IntSlider(0, 0, 200, description="window #"),
    }
    message = w.HTML()

    def redraw(**kw):
        fig, text = conv_explorer_view(**kw)
        ok = fig is not None
        message.value = f"<b style='color:{'#00441b' if ok else '#a50f15'}'>{text}</b>"
        if ok:
            n = conv_output_size(kw["size"], kw["kernel"], kw["stride"], kw["padding"], kw["dilation"])
            controls["step"].max = n * n - 1
            display(fig)

    shown = w.interactive_output(redraw, controls)
    out = w.VBox([w.HBox([w.VBox(list(controls.values())[:3]), w.VBox(list(controls.values())[3:])]), message, shown])
    return out

"""count_macs and layer_table on small models whose counts are computed by hand."""

from __future__ import annotations

import ast
from pathlib import Path

import keras
import pytest

from cnnlib.arithmetic import conv_macs
from cnnlib.arithmetic.counts import (
    LayerRow,
    count_macs,
    format_layer_table,
    layer_macs,
    layer_table,
)

ROOT = Path(__file__).resolve().parents[1]


def small_model():
    inputs = keras.Input((16, 16, 4), name="image")
    x = keras.layers.Conv2D(8, 3, padding="same", name="conv")(inputs)  # 16 x 16 x 8
    x = keras.layers.Conv2D(8, 3, strides=2, groups=2, name="grouped")(x)  # 7 x 7 x 8
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="depthwise")(x)
    x = keras.layers.SeparableConv2D(6, 3, name="separable")(x)  # 5 x 5 x 6
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.MaxPooling2D(name="pool")(x)  # 2 x 2 x 6
    x = keras.layers.Reshape((4, 6), name="tokens")(x)
    x = keras.layers.Dense(5, name="per_token")(x)  # 4 x 5
    x = keras.layers.Flatten(name="flatten")(x)
    return keras.Model(inputs, keras.layers.Dense(3, name="out")(x), name="small")


EXPECTED = {
    "conv": 3 * 3 * 4 * 8 * 16 * 16,
    "grouped": 3 * 3 * (8 // 2) * 8 * 7 * 7,
    "depthwise": 3 * 3 * 8 * 2 * 7 * 7,
    "separable": 3 * 3 * 16 * 5 * 5 + 16 * 6 * 5 * 5,
    "bn": 0,
    "pool": 0,
    "per_token": 4 * 6 * 5,
    "out": 20 * 3,
}


@pytest.fixture(scope="module")
def model():
    with keras.StatelessScope(initialize_variables=False):
        return small_model()


def test_layer_macs_by_hand(model):
    for name, macs in EXPECTED.items():
        assert layer_macs(model.get_layer(name)) == macs, name
    assert count_macs(model) == sum(EXPECTED.values())
    assert EXPECTED["conv"] == conv_macs(3, 4, 8, 16)


def test_other_convolutions():
    inputs = keras.Input((10, 3), name="signal")
    x = keras.layers.Conv1D(4, 3, name="c1d")(inputs)  # 8 x 4
    x = keras.layers.Conv1DTranspose(2, 3, strides=2, name="t1d")(x)  # 17 x 2
    with keras.StatelessScope(initialize_variables=False):
        model = keras.Model(inputs, x)
    assert layer_macs(model.get_layer("c1d")) == 3 * 3 * 4 * 8
    assert layer_macs(model.get_layer("t1d")) == 3 * 4 * 2 * 8  # per input position
    inner = small_model()
    outer_in = keras.Input((16, 16, 4), name="outer_image")
    outer = keras.Model(outer_in, inner(outer_in), name="outer")
    assert count_macs(outer) == sum(EXPECTED.values())  # a nested model counts its layers


def test_unknown_input_size_is_explained():
    inputs = keras.Input((None, None, 3), name="any_size")
    with keras.StatelessScope(initialize_variables=False):
        model = keras.Model(inputs, keras.layers.Conv2D(2, 3, name="conv")(inputs))
    with pytest.raises(ValueError, match="built for one input size"):
        count_macs(model)


def test_layer_table(model):
    rows = layer_table(model)
    assert all(isinstance(r, LayerRow) for r in rows)
    assert [r.name for r in rows] == [layer.name for layer in model.layers]
    conv = rows[1]
    assert conv == LayerRow("conv", "Conv2D", (16, 16, 8), 3 * 3 * 4 * 8 + 8, EXPECTED["conv"])
    assert rows[0] == LayerRow("image", "InputLayer", (16, 16, 4), 0, 0)
    assert sum(r.params for r in rows) == model.count_params()
    assert sum(r.macs for r in rows) == count_macs(model)


def test_format_layer_table(model):
    rows = layer_table(model)
    text = format_layer_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Type", "Output", "shape", "Params", "MACs"]
    assert lines[3].split() == ["conv", "Conv2D", "16", "x", "16", "x", "8", "296", "73,728"]
    assert lines[-1].split() == ["Total", f"{model.count_params():,}", f"{count_macs(model):,}"]
    assert len({len(line) for line in lines if set(line) == {"-"}}) == 1
    html = format_layer_table(rows, html_table=True)
    assert html.startswith("<table>") and html.endswith("</table>")
    assert html.count("<tr>") == len(rows) + 2  # header and total
    assert '<td style="text-align: right">73,728</td>' in html
    assert format_layer_table(rows, total=False).splitlines()[-1].startswith("out")


def test_counts_module_imports_neither_tensorflow_nor_keras():
    tree = ast.parse((ROOT / "cnnlib" / "arithmetic" / "counts.py").read_text())
    modules = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    modules += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not [m for m in modules if m.split(".")[0] in ("tensorflow", "keras")]

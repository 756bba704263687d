"""Notebook 02's coding exercise: the hidden solution passes the notebook's own check cell."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnlib import ops
from cnnlib.exercises import check

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "02_pooling.ipynb"


def _cells():
    return nbformat.read(NOTEBOOK, as_version=4).cells


def _solution_code(cells) -> str:
    """The Python block of the solution that defines ``max_pool`` (in a markdown <details> cell)."""
    for cell in cells:
        if cell.cell_type == "markdown" and "Show solution" in cell.source and "def max_pool" in cell.source:
            blocks = re.findall(r"```python\n(.*?)```", cell.source, flags=re.S)
            assert len(blocks) == 1, "expected one python block in the solution"
            return blocks[0]
    raise AssertionError("no solution defining max_pool in notebook 02")


def _check_cell(cells) -> str:
    sources = [c.source for c in cells if c.cell_type == "code" and "check(max_pool(" in c.source]
    assert len(sources) == 1
    return sources[0]


def test_placeholder_reads_as_not_answered(capsys):
    cells = _cells()
    exercise = [c.source for c in cells if c.cell_type == "code" and c.source.startswith("def max_pool")]
    assert len(exercise) == 1 and "return ..." in exercise[0]
    namespace = {"np": np, "ops": ops, "check": check}
    exec(exercise[0], namespace)
    exec(_check_cell(cells), namespace)
    assert "not answered yet" in capsys.readouterr().out


def test_solution_passes_the_check_cell(capsys):
    cells = _cells()
    namespace = {"np": np, "ops": ops, "check": check}
    exec(_solution_code(cells), namespace)
    exec(_check_cell(cells), namespace)
    assert "Exercise 4: correct." in capsys.readouterr().out


@pytest.mark.parametrize("shape, size", [((4, 4), 2), ((9, 12), 2), ((10, 14), 3), ((5, 7), 5), ((3, 3), 1)])
def test_solution_equals_the_library(shape, size):
    namespace = {"np": np}
    exec(_solution_code(_cells()), namespace)
    fmap = np.random.default_rng(0).normal(size=shape)
    expected = ops.max_pool2d(fmap, size)[0, :, :, 0]
    got = namespace["max_pool"](fmap, size)
    assert got.shape == expected.shape and np.allclose(got, expected)


def test_loop_free_hint_equals_the_library():
    cell = next(c.source for c in _cells() if c.cell_type == "markdown" and "def max_pool" in c.source)
    expression = re.search(r"`(fmap\[.*?\.max\(axis=\(1, 3\)\))`", cell).group(1)
    fmap = np.random.default_rng(1).normal(size=(10, 14))
    size = 3
    out_h, out_w = fmap.shape[0] // size, fmap.shape[1] // size
    got = eval(expression, {"fmap": fmap, "size": size, "out_h": out_h, "out_w": out_w})
    assert np.allclose(got, ops.max_pool2d(fmap, size)[0, :, :, 0])

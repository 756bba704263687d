"""Notebook 04b's coding exercise: the hidden solution passes the notebook's own check cell."""

from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlib import ops
from cnnlib.exercises import check, check_cell, run_solution, solution_code
from cnnlib.layers import LocalResponseNormalization
from cnnlib.ops import rel_error

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "04b_alexnet_improvements.ipynb"


def _exercise_1_cells():
    answer, check_source = check_cell(NOTEBOOK, "Exercise 1")
    return answer, check_source, solution_code(NOTEBOOK, "my_lrn_divisor")


def _namespace():
    return {"np": np, "keras": keras, "LocalResponseNormalization": LocalResponseNormalization, "check": check}


def test_notebook_04b_exercise_1_solution_passes_its_check(capsys):
    """The placeholder says "not answered yet"; the solution, pasted as a learner would, passes."""
    namespace = run_solution(NOTEBOOK, "Exercise 1", "my_lrn_divisor", _namespace())
    # and on other shapes and constants than the check cell's, against the library
    rng = np.random.default_rng(0)
    for shape, n in [((7,), 5), ((3, 4, 2), 5), ((2, 3, 3, 9), 3), ((1, 1, 1, 4), 1)]:
        a = rng.normal(scale=50.0, size=shape)
        assert rel_error(namespace["my_lrn_divisor"](a, n=n), ops.lrn_divisor(a, n=n)) < 1e-12


def test_notebook_04b_exercise_1_check_rejects_a_wrong_answer():
    placeholder, check_cell, _ = _exercise_1_cells()
    # Caffe's and PyTorch's form: alpha divided by n
    wrong = (
        "def my_lrn_divisor(a, k=2.0, n=5, alpha=1e-4, beta=0.75):\n"
        "    return ops.lrn_divisor(a, k, n, alpha / n, beta)\n"
    )
    namespace = {**_namespace(), "ops": ops}
    exec(wrong, namespace)
    with pytest.raises(AssertionError, match="Exercise 1"):
        exec(check_cell, namespace)

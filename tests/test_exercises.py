from pathlib import Path

import numpy as np
import pytest

from cnnlib import ops
from cnnlib.exercises import check, check_cell, run_solution, solution_code
from cnnlib.ops import rel_error


def test_unanswered_is_not_an_error(capsys):
    check(..., 3, "Exercise 1")
    assert "not answered yet" in capsys.readouterr().out


def test_right_and_wrong_answers(capsys):
    check(16, 16)
    check(0.1 + 0.2, 0.3)
    assert capsys.readouterr().out.count("correct") == 2
    with pytest.raises(AssertionError, match="is not right"):
        check(15, 16, "Exercise 1")


def test_array_answers_are_checked_for_shape_first(capsys):
    expected = np.arange(6.0).reshape(2, 3)
    check(expected.copy(), expected, "Exercise 4")
    assert "correct" in capsys.readouterr().out
    # allclose alone would broadcast a (1, 2, 3) answer against (2, 3) and accept it
    with pytest.raises(AssertionError, match=r"shape \(1, 2, 3\), expected \(2, 3\)"):
        check(expected[None], expected, "Exercise 4")
    with pytest.raises(AssertionError, match="forget to return"):
        check(None, expected, "Exercise 4")
    with pytest.raises(AssertionError, match="is not right"):
        check(expected + 1, expected, "Exercise 4")


NOTEBOOK_01 = Path(__file__).parents[1] / "notebooks" / "01_convolution.ipynb"


def _exercise_4_cells():
    answer, check_source = check_cell(NOTEBOOK_01, "Exercise 4")
    return answer, check_source, solution_code(NOTEBOOK_01, "my_conv2d")


def test_notebook_01_exercise_4_solution_passes_its_check(capsys):
    """The hidden solution, run as a learner would paste it, passes the notebook's own check cell."""
    namespace = run_solution(NOTEBOOK_01, "Exercise 4", "my_conv2d", {"np": np, "ops": ops, "check": check})
    # and on other shapes than the check cell's, against the library
    rng = np.random.default_rng(0)
    for shape, kernel in [((5, 5, 1), (3, 3, 1, 2)), ((4, 9, 2), (4, 1, 2, 3)), ((3, 3, 3), (3, 3, 3, 1))]:
        x, k = rng.normal(size=shape), rng.normal(size=kernel)
        assert rel_error(namespace["my_conv2d"](x, k), ops.conv2d(x, k)[0]) < 1e-12


def test_notebook_01_exercise_4_check_rejects_a_wrong_answer():
    placeholder, check_cell, _ = _exercise_4_cells()
    # the kernel flipped: mathematics' convolution, not the libraries' cross-correlation
    wrong = "def my_conv2d(x, kernels):\n    return ops.conv2d(x, kernels[::-1, ::-1])[0]\n"
    namespace = {"np": np, "ops": ops, "check": check}
    exec(wrong, namespace)
    with pytest.raises(AssertionError, match="Exercise 4"):
        exec(check_cell, namespace)


def test_checks_still_fail_under_python_optimize():
    # A learner's answer check is not an assert statement: python -O must not skip it.
    import subprocess
    import sys

    code = (
        "from cnnlib.exercises import check\n"
        "try:\n    check(3, 4, 'Ex')\nexcept AssertionError as e:\n    print('refused:', e)\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("refused: Ex: 3 is not right")

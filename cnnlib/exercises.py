"""Checking learners' answers in the notebooks' exercise cells.

An exercise cell holds ``answer = ...``; its check cell calls :func:`check`, which says
"not answered yet" for ``...`` and otherwise asserts the answer against the value the
library computes, so a wrong answer fails loudly and a right one says so.

Under nbgrader's autograder and validator (which set ``NBGRADER_EXECUTION``) an unanswered
exercise raises instead, so that its test cell fails and scores 0 (``tools.assignments``).
"""

from __future__ import annotations

import os

import numpy as np


def _fail_unless(ok: bool, message: str) -> None:
    """An AssertionError a learner reads; raised explicitly, so ``python -O`` cannot strip the check."""
    if not ok:
        raise AssertionError(message)


def _not_answered(name: str, hint: str) -> None:
    """Say that an exercise is unanswered; in an nbgrader grading run, fail its test cell instead."""
    message = f"{name}: not answered yet. {hint}"
    if os.environ.get("NBGRADER_EXECUTION"):  # set by nbgrader autograde and validate, never in a learner's kernel
        raise AssertionError(message)
    print(message)


def check(answer, expected, name: str = "exercise", atol: float = 0.0) -> None:
    """Compare a learner's answer with the expected value and say how it went.

    Numbers and arrays agree to a relative 1e-6, or to ``atol`` where results computed in
    float32 in another order may differ in the last digits; a tuple (a shape, several counts) is
    compared value by value. A wrong answer's message shows the learner's answer, never the
    expected value (for an array, only the shapes when they differ).

    Raises:
        AssertionError: with a hint, when the answer is wrong.
    """
    if answer is Ellipsis:
        _not_answered(name, "Replace the ... above with your answer and run both cells.")
        return
    if isinstance(expected, np.ndarray) or isinstance(answer, np.ndarray):
        # Arrays: the shape first (allclose would broadcast a (1, H, W, C) answer against an
        # (H, W, C) one and call it right), then the values.
        got = np.asarray(answer, dtype=float) if answer is not None else None
        _fail_unless(got is not None, f"{name}: the answer is None; did the function forget to return its result?")
        _fail_unless(
            got.shape == np.shape(expected),
            f"{name}: the answer has shape {got.shape}, expected {np.shape(expected)}; look again.",
        )
        ok = np.allclose(got, np.asarray(expected, dtype=float), rtol=1e-6, atol=atol)
        shown = f"an array of shape {got.shape}"
    elif isinstance(expected, tuple):
        # A shape or several numbers: a tuple (or a list) of the same values, in order.
        shown = repr(answer)
        _fail_unless(
            isinstance(answer, (tuple, list)), f"{name}: {shown} is not right; give a tuple of {len(expected)} values."
        )
        ok = tuple(answer) == expected
    elif isinstance(expected, (float, np.floating)):
        ok = np.allclose(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float), rtol=1e-6, atol=atol)
        shown = repr(answer)
    else:
        ok = answer == expected
        shown = repr(answer)
    _fail_unless(ok, f"{name}: {shown} is not right; look again (the solution is under 'Show solution').")
    print(f"{name}: correct.")


def describe_model(model) -> dict:
    """What a model-building exercise is checked on: layer kinds in order, parameters, output shape."""
    skip = {"InputLayer"}
    return {
        "layers": [type(layer).__name__ for layer in model.layers if type(layer).__name__ not in skip],
        "parameters": model.count_params(),
        # A Sequential model that was never called has no .output: ask it for its output shape instead.
        "output shape": tuple(model.compute_output_shape(tuple(model.inputs[0].shape))[1:]),
    }


def check_model(model, reference, name: str = "exercise") -> None:
    """Check a model a learner built against the library's: same layer kinds, parameters and output shape.

    Raises:
        AssertionError: naming the first thing that differs.
    """
    if model is Ellipsis:
        _not_answered(name, "Build your model in the cell above and run both cells.")
        return
    mine, theirs = describe_model(model), describe_model(reference)
    for key in ("layers", "output shape", "parameters"):
        _fail_unless(
            mine[key] == theirs[key], f"{name}: your {key} {mine[key]} differ from the expected {theirs[key]}."
        )
    print(f"{name}: correct ({mine['parameters']:,} parameters, output {mine['output shape']}).")


def solution_code(notebook, defines: str) -> str:
    """The Python block of a notebook's hidden solution (a ``<details>`` cell) that defines ``defines``.

    Tests run it to know that every published solution passes its own check.
    """
    import json
    import re
    from pathlib import Path

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    blocks = [
        block
        for cell in cells
        if cell["cell_type"] == "markdown" and "<details>" in "".join(cell["source"])
        for block in re.findall(r"```python\n(.*?)```", "".join(cell["source"]), re.S)
        if re.search(rf"\b(def|class)?\s*{re.escape(defines)}\b\s*[(=]", block)
    ]
    if len(blocks) != 1:
        raise ValueError(f"{notebook}: expected one hidden solution defining {defines!r}, found {len(blocks)}.")
    return blocks[0]


def check_cell(notebook, name: str) -> tuple[str, str]:
    """The answer cell and the check cell of exercise ``name`` (the code cell that calls it, and the one before)."""
    import json
    from pathlib import Path

    cells = [c for c in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) for c in cells]
    found = [i for i, s in enumerate(sources) if f'"{name}"' in s and "check" in s]
    if len(found) != 1:
        raise ValueError(f"{notebook}: expected one check cell for {name!r}, found {len(found)}.")
    return sources[found[0] - 1], sources[found[0]]


def run_solution(notebook, name: str, defines: str, namespace: dict) -> dict:
    """Run exercise ``name`` as a learner would: placeholder, check, then the hidden solution, check.

    Raises:
        AssertionError: when the placeholder is not reported as unanswered or the solution fails.
    """
    import contextlib
    import io

    answer, check_source = check_cell(notebook, name)
    for code, expected in ((answer, "not answered yet"), (solution_code(notebook, defines), "correct")):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(code, namespace)
            exec(check_source, namespace)
        assert f"{name}: {expected}" in out.getvalue(), f"{notebook}: {name} printed {out.getvalue()!r}"
    return namespace

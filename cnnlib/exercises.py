"""Checking learners' answers in the notebooks' exercise cells.

An exercise cell holds ``answer = ...``; its check cell calls :func:`check`, which says
"not answered yet" for ``...`` and otherwise asserts the answer against the value the
library computes, so a wrong answer fails loudly and a right one says so.
"""

from __future__ import annotations

import numpy as np


def check(answer, expected, name: str = "exercise") -> None:
    """Compare a learner's answer with the expected value and say how it went.

    Raises:
        AssertionError: with a hint, when the answer is wrong.
    """
    if answer is Ellipsis:
        print(f"{name}: not answered yet. Replace the ... above with your answer and run both cells.")
        return
    if isinstance(expected, (float, np.floating)) or isinstance(answer, np.ndarray):
        ok = np.allclose(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float), rtol=1e-6)
    else:
        ok = answer == expected
    assert ok, f"{name}: {answer!r} is not right; look again (the solution is under 'Show solution')."
    print(f"{name}: correct.")

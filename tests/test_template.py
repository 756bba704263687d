"""docs/notebook_template.ipynb, where a new notebook starts: it has a notebook's parts, and it runs."""

import json
from pathlib import Path

from tools.sweep import check_notebook

TEMPLATE = Path(__file__).resolve().parents[1] / "docs" / "notebook_template.ipynb"


def _cells(kind: str) -> list[str]:
    cells = json.loads(TEMPLATE.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == kind]


def test_the_template_has_the_parts_of_a_notebook():
    markdown, code = _cells("markdown"), _cells("code")
    assert markdown[0].startswith("# "), "the first cell is the title"
    assert "S = setup()" in code[0], "the first code cell sets the session up"
    assert any(s.startswith("# NBVAL_IGNORE_OUTPUT") and "S.seed" in s for s in code), "a training over seeds"
    assert any(s.startswith("answer_1 = ...") for s in code) and any("check(answer_1" in s for s in code)
    assert any("<details>" in s for s in markdown), "a hidden solution"


def test_the_template_is_committed_without_outputs():
    cells = json.loads(TEMPLATE.read_text(encoding="utf-8"))["cells"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code")


def test_the_template_runs():
    result = check_notebook(TEMPLATE, seed=0, scale="small", backend="tensorflow", timeout=600)
    assert result.passed, f"{result.line()}\ncell {result.failed_cell}: {result.error}\n{result.source}"

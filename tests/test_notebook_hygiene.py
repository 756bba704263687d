"""Committed notebooks are the runner's output: executed, in order, no errors, no SVG."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
TEMPLATE = Path(__file__).parents[1] / "docs" / "notebook_template.ipynb"  # where a new notebook starts


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_in_order_without_errors(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    counts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        source = "".join(cell["source"])
        if "skip-execution" in tags:
            continue
        assert cell["execution_count"] is not None or not source.strip(), f"unexecuted cell:\n{source[:200]}"
        if cell["execution_count"] is not None:
            counts.append(cell["execution_count"])
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                assert "raises-exception" in tags, f"stored error {out['ename']} in:\n{source[:200]}"
            assert "image/svg+xml" not in out.get("data", {}), "SVG output is never stable under nbval"
    assert counts == list(range(1, len(counts) + 1)), f"execution counts out of order: {counts}"


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=lambda p: p.name)
def test_every_ignored_cell_is_followed_by_a_compared_check(path):
    """The very next code cell after an ignored one is a compared cell that asserts the claim."""
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    for cell, nxt in zip(cells, cells[1:] + [None], strict=True):
        source = "".join(cell["source"])
        if "# NBVAL_IGNORE_OUTPUT" not in source or "nbval-skip" in cell.get("metadata", {}).get("tags", []):
            continue
        after = "".join(nxt["source"]) if nxt else ""
        assert "# NBVAL_IGNORE_OUTPUT" not in after and ("assert" in after or "check(" in after), (
            "the code cell right after an ignored one must be a compared check:\n" + source[:200]
        )


@pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=lambda p: p.name)
def test_no_check_hides_in_a_markdown_cell(path):
    """A check typed into a markdown cell never runs (04 had one for a week): no markdown line is an assert."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            lines = "".join(cell["source"]).splitlines()
            code = [line for line in lines if line.lstrip().startswith(("assert ", "# NBVAL", "check("))]
            assert not code, f"code in a markdown cell: {code[0]}"

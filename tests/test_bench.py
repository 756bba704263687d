"""tools.bench: the measurements page and the README's times come from one JSON file."""

import json

import pytest

from tools import bench

ROWS = {"01_convolution": {"seconds": 18.4, "mb": 964, "passed": True, "date": "2026-12-07"},
        "04_alexnet": {"seconds": 131.0, "mb": 1733, "passed": True, "date": "2026-12-07"}}  # fmt: skip


def test_over_budget_names_the_slow_notebook_only():
    assert bench.over_budget(ROWS) == ["04_alexnet: 131 s, 1733 MB"]
    assert bench.over_budget({"x": {**ROWS["01_convolution"], "mb": 2100}}) == ["x: 18 s, 2100 MB"]


def test_the_page_has_a_row_per_notebook_and_marks_the_one_over():
    text = bench.page({"machine": bench.machine(), "notebooks": ROWS})
    assert "| 01_convolution | 18 s | 0.94 GB | 2026-12-07 | yes |" in text
    assert "| 04_alexnet | 131 s | 1.69 GB | 2026-12-07 | **no** |" in text


def test_the_readme_times_are_rewritten_in_place():
    row = "| [01_convolution](notebooks/01_convolution.ipynb)<br>badge | 1.1 | what | 99 s |\n"
    assert bench.readme_with_times("intro\n" + row, ROWS) == "intro\n" + row.replace("99 s", "18 s")


@pytest.mark.skipif(not bench.JSON.exists(), reason="no measurements yet: python3 tasks.py bench")
def test_the_committed_page_and_readme_agree_with_the_measurements():
    data = json.loads(bench.JSON.read_text())
    assert bench.PAGE.read_text() == bench.page(data)
    readme = bench.README.read_text()
    assert bench.readme_with_times(readme, data["notebooks"]) == readme

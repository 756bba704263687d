"""The robustness sweep runs a notebook per seed without writing it and names the failing cell."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from tools import sweep


def test_sweep_reports_the_failing_seed_and_cell(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nb = new_notebook(
        cells=[
            new_code_cell("import os\nseed = int(os.environ['CNNLIB_SEED'])\nscale = os.environ['CNNLIB_SCALE']"),
            new_code_cell("assert seed != 1, 'this check only held for seed 0'"),
        ]
    )
    nbformat.write(nb, path)
    before = path.read_text()
    ok = sweep.check_notebook(path, seed=0, scale="small", backend="tensorflow")
    bad = sweep.check_notebook(path, seed=1, scale="full", backend="tensorflow")
    assert ok.passed and ok.failed_cell is None
    assert not bad.passed and bad.failed_cell == 1
    assert "AssertionError" in bad.error and "held for seed 0" in bad.error
    assert "assert seed != 1" in bad.source
    assert bad.line().startswith("FAIL  tiny.ipynb  seed 1  full")
    assert path.read_text() == before  # never written


def test_the_executed_copies_are_kept_on_request(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print('seed', __import__('os').environ['CNNLIB_SEED'])")]), path)
    result = sweep.check_notebook(path, seed=2, scale="small", backend="tensorflow", save=tmp_path / "kept")
    kept = nbformat.read(tmp_path / "kept" / "tiny-seed2-small-tensorflow.ipynb", as_version=4)
    assert result.passed and kept.cells[0].outputs[0].text == "seed 2\n"


def test_notebook_paths_may_follow_the_seeds():
    assert sweep._notebooks_last(["--seeds", "0", "1", "a.ipynb", "--scale", "full"]) == [
        "--seeds",
        "0",
        "1",
        "--scale",
        "full",
        "--",
        "a.ipynb",
    ]
    assert sweep.main(["--seeds", "0", "missing.ipynb"]) == 2

"""The code and the notebooks pass ruff (configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
    reason="ruff is installed by the [test] extra",
)
def test_ruff_check_passes():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
    reason="ruff is installed by the [test] extra",
)
def test_ruff_format_leaves_the_python_files_as_they_are():
    # The notebooks' cells are laid out for reading beside their prose (long calls on one line), so only
    # the library, the tests, the benchmarks and the scripts are held to `ruff format`.
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    paths = ["cnnlib", "tests", "benchmarks", "tasks.py", "conftest.py"]
    result = subprocess.run([ruff, "format", "--check", "--no-cache", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, "run `ruff format` on:\n" + result.stdout[-3000:]

"""The code and the notebooks pass ruff (configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
needs_ruff = pytest.mark.skipif(not Path(RUFF).exists(), reason="ruff is installed by the [test] extra")


@needs_ruff
def test_ruff_check_passes():
    result = subprocess.run([RUFF, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


@needs_ruff
def test_ruff_format_leaves_the_python_files_as_they_are():
    # The notebooks' cells are laid out for reading beside their prose (long calls on one line), so only
    # the library, the tests, the benchmarks and the scripts are held to `ruff format`.
    paths = ["cnnlib", "tools", "tests", "benchmarks", "tasks.py", "conftest.py"]
    result = subprocess.run([RUFF, "format", "--check", "--no-cache", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, "run `ruff format` on:\n" + result.stdout[-3000:]

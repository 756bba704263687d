#!/usr/bin/env python3
"""Set up and run the cnnlib notebooks with nothing but Python 3.10-3.12.

    python3 tasks.py lab        # set everything up, open the collection in JupyterLab
    python3 tasks.py test [PYTEST ARGS]   # set everything up, run every test and every notebook (nbval);
                                # with arguments: pytest with those arguments instead
    python3 tasks.py notebooks [NOTEBOOK ...]   # re-execute notebooks in place (their outputs)
    python3 tasks.py pics       # regenerate every picture in pics/
    python3 tasks.py check [--seeds 0 1 2] [--scale small full] [--backend tensorflow jax] [NOTEBOOK ...]
                                # the robustness sweep: run notebooks over seeds without writing them
    python3 tasks.py links [--check]   # write the Colab/Binder badges and install cells from pyproject's URL
    python3 tasks.py assignments [--autograde] [NOTEBOOK ...]
                                # nbgrader source and release versions in build/assignments (docs/teaching.md)

Each command creates (or reuses) the virtual environment ``.venv`` beside this file and
installs cnnlib into it with the extras it needs. TensorFlow comes from the ``cpu`` extra
(``tensorflow-cpu``) on Linux and Windows, from ``tf`` on macOS, and ``gpu``
(``tensorflow[and-cuda]``) where ``nvidia-smi`` answers; ``CNNLIB_TF_EXTRA`` overrides.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

from cnnlib.speed import WORK_ENV  # standard library only: importable before the venv exists

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def tf_extra() -> str:
    if os.environ.get("CNNLIB_TF_EXTRA"):
        return os.environ["CNNLIB_TF_EXTRA"]
    if platform.system() == "Darwin":
        return "tf"
    if shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi"], capture_output=True).returncode == 0:
        return "gpu"
    return "cpu"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_env(more: tuple[str, ...] = ()) -> Path:
    """Create ``.venv`` and install cnnlib with its extras, unless already up to date."""
    if not (3, 10) <= sys.version_info[:2] <= (3, 12):
        sys.exit(f"cnnlib needs Python 3.10, 3.11 or 3.12 (TensorFlow 2.21); this is {platform.python_version()}.")
    extras = ",".join([tf_extra(), "lab", "test", *more])
    stamp = VENV / ".cnnlib-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == want and venv_python().exists():
        return venv_python()
    if not venv_python().exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"installing cnnlib[{extras}] into {VENV} (the first time takes a few minutes)", flush=True)
    subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "-e", f".[{extras}]"],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    stamp.write_text(want)
    return venv_python()


def ensure_jax_site(python: Path) -> None:
    """JAX for the cross-backend tests, in .venv/jax-site: off the notebooks' path (cnnlib/jax_site.py)."""
    site = VENV / "jax-site"
    if (site / "jax").is_dir():
        return
    print(f"installing JAX into {site} for the cross-backend tests", flush=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-compile",
         "--target", str(site), "jax>=0.4.34,<0.11", "jaxlib>=0.4.34,<0.11"],
        cwd=ROOT,
        check=True,
    )  # fmt: skip


TEST_BUDGET_SECONDS = 15 * 60  # the whole test command, on the two-core machine the budgets were set on


def summary(times: dict[str, float]) -> str:
    """The whole test command's time and its parts, against the budget."""
    total = sum(times.values())
    parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items())
    verdict = "within" if total <= TEST_BUDGET_SECONDS else "OVER"
    return (
        f"the whole test command: {total / 60:.1f} min ({total:.0f} s: {parts}); "
        f"{verdict} the {TEST_BUDGET_SECONDS / 60:.0f}-minute budget (not scaled by the machine's speed)"
    )


def test_command() -> tuple[str, ...]:
    """pytest on every unit test and notebook. On the CPU in two pytest-xdist workers, one per core, each
    test file or notebook whole in one worker, in conftest.py's order (the longest first: the heavy unit
    tests, then the notebooks, then the rest); a notebook's kernel keeps about one core busy (one thread
    per TensorFlow operation, conftest.py). With a GPU one at a time: each TensorFlow process would take
    all of the GPU's memory."""
    if tf_extra() == "gpu":
        return ("-m", "pytest")
    return ("-m", "pytest", "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder")


def time_the_machine(python: Path) -> None:
    """cnnlib.speed's work, timed once on the idle machine, for the notebooks' time budget (conftest.py)."""
    if not os.environ.get(WORK_ENV):
        done = subprocess.run([str(python), "-m", "cnnlib.speed", "--seconds"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            os.environ[WORK_ENV] = done.stdout.strip()


def run(*args: str, more: tuple[str, ...] = ()) -> int:
    return subprocess.run([str(ensure_env(more)), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "lab":
        extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        return run("-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", *extra, *rest, "notebooks/")
    if command == "test":
        start = time.perf_counter()
        ensure_jax_site(ensure_env())
        if rest:
            return run("-m", "pytest", *rest)
        time_the_machine(venv_python())
        times = {"setup": time.perf_counter() - start}
        code = run(*test_command())
        times["tests and notebooks"] = time.perf_counter() - start - sum(times.values())
        print(summary(times), flush=True)
        return code
    if command == "notebooks":
        return run("-m", "cnnlib.runner", *rest)
    if command == "pics":
        return run("-m", "cnnlib.pics", *rest)
    if command == "assignments":
        return run("-m", "cnnlib.assignments", *rest)
    if command == "links":
        return run("-m", "cnnlib.notebook_links", *rest)
    if command == "check":
        backends = {"jax"}.intersection(rest)  # torch: install it yourself (large)
        return run("-m", "cnnlib.check", *rest, more=tuple(sorted(backends)))
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

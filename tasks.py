#!/usr/bin/env python3
"""Set up and run the cnnlib notebooks with nothing but Python 3.10-3.12.

    python3 tasks.py lab        # set everything up, open the collection in JupyterLab
    python3 tasks.py test       # set everything up, run every unit test and every notebook (nbval)
    python3 tasks.py test --quick   # the unit tests without the slow ones (about a minute)
    python3 tasks.py test PYTEST ARGS   # pytest with those arguments, e.g. tests/test_ops.py or --lf
    python3 tasks.py bench      # each notebook alone: time and memory into docs/measurements.md
    python3 tasks.py notebooks [NOTEBOOK ...]   # re-execute notebooks in place (their outputs)
    python3 tasks.py pics       # regenerate every picture in pics/
    python3 tasks.py check [--seeds 0 1 2] [--scale small full] [--backend tensorflow jax] [NOTEBOOK ...]
                                # the robustness sweep: run notebooks over seeds without writing them
    python3 tasks.py check --mutations [NAME ...]   # does each notebook fail when the piece it teaches is broken?
    python3 tasks.py links [--check]   # write the Colab/Binder badges and install cells from pyproject's URL
    python3 tasks.py teaching [--check]   # the teaching guide's exercise table, from the notebooks
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
import venv
from pathlib import Path

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


def test_command(quick: bool = False) -> tuple[str, ...]:
    """pytest on every unit test and notebook (``quick``: the unit tests without the slow ones). On the CPU in two
    pytest-xdist workers, one per core, each test file or notebook whole in one worker, in conftest.py's order;
    with a GPU one at a time (each TensorFlow process would take all of the GPU's memory)."""
    command = ("-m", "pytest", "tests", "-m", "not slow") if quick else ("-m", "pytest")
    if tf_extra() == "gpu":
        return command
    return (*command, "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder")


TOOLS = {
    "bench": "tools.bench",
    "notebooks": "tools.runner",
    "pics": "tools.pics",
    "assignments": "tools.assignments",
    "links": "tools.notebook_links",
    "teaching": "tools.teaching",
}


def run(*args: str, more: tuple[str, ...] = ()) -> int:
    return subprocess.run([str(ensure_env(more)), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "lab":
        extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        return run("-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", *extra, *rest, "notebooks/")
    if command == "test":
        ensure_jax_site(ensure_env())
        if rest and rest != ["--quick"]:
            return run("-m", "pytest", *rest)
        return run(*test_command(quick=rest == ["--quick"]))
    if command == "check" and "--mutations" in rest:
        return run("-m", "tools.mutations", *[a for a in rest if a != "--mutations"])
    if command == "check":
        backends = {"jax"}.intersection(rest)  # torch: install it yourself (large)
        return run("-m", "tools.sweep", *rest, more=tuple(sorted(backends)))
    if command in TOOLS:
        return run("-m", TOOLS[command], *rest)
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The robustness sweep: run notebooks over seeds (and scales, backends) without writing them.

    python -m tools.sweep --seeds 0 1 2                       # every notebook, small scale
    python -m tools.sweep --seeds 0 --scale full notebooks/03_lenet.ipynb
    python -m tools.sweep --seeds 0 1 2 --backend jax          # Keras on JAX (needs jax installed)
    python -m tools.sweep --seeds 1 2 --save build/sweep nb.ipynb  # keep the executed copies

A compared check in a notebook must hold for any seed, at both scales and on any Keras
backend, not only on the random stream it was written on. This command executes each
notebook in a fresh kernel with ``CNNLIB_SEED``, ``CNNLIB_SCALE`` and ``KERAS_BACKEND`` set,
never writes it back, and reports per notebook and seed: pass or fail, the time, and for a
failure the failing cell's number, source and error. The exit status is 1 if any run failed.
Outputs are not compared (they change with the seed); only errors, failed asserts included.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tools.runner import TEST_ENV, notebook_client, peak_rss_mb


@dataclass
class Result:
    notebook: str
    seed: int
    scale: str
    backend: str
    seconds: float
    mb: float | None
    failed_cell: int | None = None
    source: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        return self.failed_cell is None and not self.error

    def line(self) -> str:
        mem = f"{self.mb:.0f} MB" if self.mb is not None else "? MB"
        status = "pass" if self.passed else "FAIL"
        return f"{status}  {self.notebook}  seed {self.seed}  {self.scale}  {self.backend}  {self.seconds:.0f} s  {mem}"


def check_notebook(
    path: Path, seed: int, scale: str, backend: str, timeout: int = 1800, save: Path | None = None, nb=None
) -> Result:
    """Execute ``path`` in a fresh kernel with the given seed, scale and backend; never write it.

    With ``save``, the executed copy (its outputs: the values a check compared) goes into that folder
    as ``NAME-seedS-SCALE-BACKEND.ipynb``, also when a cell failed. ``nb``: run this (edited) notebook in
    ``path``'s place.
    """
    import nbformat
    from nbclient.exceptions import CellExecutionError

    nb = nb or nbformat.read(path, as_version=4)
    env = {**os.environ, **TEST_ENV, "CNNLIB_SEED": str(seed), "CNNLIB_SCALE": scale, "KERAS_BACKEND": backend}
    result = Result(path.name, seed, scale, backend, 0.0, None)
    client = notebook_client(nb, path, timeout)
    state = {"index": None}

    def cell_start(cell, cell_index, **_):
        state["index"] = cell_index

    def cell_executed(**_):
        mb = peak_rss_mb(client.km.provisioner.pid)
        if mb is not None:
            result.mb = max(mb, result.mb or 0.0)

    client.on_cell_start = cell_start
    client.on_cell_executed = cell_executed
    start = time.perf_counter()
    try:
        # The kernel's own log (TensorFlow's start-up lines) would bury the report: drop it.
        with client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    except CellExecutionError as err:
        result.failed_cell = state["index"]
        result.source = "".join(nb.cells[state["index"]].source)
        result.error = _last_line(str(err))
    except Exception as err:  # a kernel death or a time-out: report it like a failed cell
        result.failed_cell = state["index"]
        result.source = "".join(nb.cells[state["index"]].source) if state["index"] is not None else ""
        result.error = f"{type(err).__name__}: {err}"[-500:]
    result.seconds = time.perf_counter() - start
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save / f"{path.stem}-seed{seed}-{scale}-{backend}.ipynb")
    return result


def _last_line(message: str) -> str:
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)  # IPython colours its tracebacks
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else message


def _notebooks_last(argv: list[str]) -> list[str]:
    """Move notebook paths behind the options, so ``--seeds 0 1 2 nb.ipynb`` reads as meant."""
    paths = [a for a in argv if a.endswith(".ipynb")]
    return [a for a in argv if not a.endswith(".ipynb")] + (["--", *paths] if paths else [])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds to run (default: 0 1 2)")
    parser.add_argument("--scale", nargs="+", choices=["small", "full"], default=["small"])
    parser.add_argument("--backend", nargs="+", choices=["tensorflow", "jax", "torch"], default=["tensorflow"])
    parser.add_argument("--save", type=Path, help="folder for the executed copies, to read the values the checks saw")
    args = parser.parse_args(_notebooks_last(sys.argv[1:] if argv is None else list(argv)))
    paths = args.notebooks or sorted(Path("notebooks").glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.exists()]
    if missing or not paths:
        print(f"no such notebook: {', '.join(missing) or 'notebooks/*.ipynb'}", file=sys.stderr)
        return 2
    results = []
    for path in paths:
        for backend in args.backend:
            for scale in args.scale:
                for seed in args.seeds:
                    result = check_notebook(path, seed, scale, backend, save=args.save)
                    results.append(result)
                    print(result.line(), flush=True)
                    if not result.passed:
                        print(f"      cell {result.failed_cell}: {result.error}", flush=True)
                        print("      " + result.source.replace("\n", "\n      "), flush=True)
    failed = [r for r in results if not r.passed]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

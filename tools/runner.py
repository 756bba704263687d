"""Re-execute notebooks in place, exactly as the nbval test run executes them.

    python -m tools.runner                      # every notebook in notebooks/
    python -m tools.runner notebooks/01_convolution.ipynb

Committed notebooks are always this command's output. It uses the kernel settings of the
test run: the current Python's ipykernel, ``IPKernelApp.capture_fd_output=False`` (under
pytest ipykernel stops forwarding C-level stderr, so TensorFlow's banner must not be stored
either), the inline matplotlib backend, ``CNNLIB_SCALE=small`` unless set, and each
notebook's own folder as working directory. It prints each notebook's wall time and the
kernel's peak resident memory. (The test command runs two notebooks at a time, each kernel with one
TensorFlow thread per operation: the training numbers in ignored cells come out a little different
there; the compared checks hold either way.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

KERNEL_ARGS = ["--IPKernelApp.capture_fd_output=False"]
TEST_ENV = {
    "CNNLIB_SCALE": "small",
    "CNNLIB_SEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYTHONHASHSEED": "0",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def apply_test_env() -> None:
    """Set the environment the notebooks are run and tested with (existing values win)."""
    for key, value in TEST_ENV.items():
        os.environ.setdefault(key, value)


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of a process in MB (Linux ``VmHWM``); None where unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def notebook_client(nb, path: Path, timeout: int):
    """An nbclient client with the test run's kernel settings, working in the notebook's folder."""
    from nbclient import NotebookClient

    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        extra_arguments=KERNEL_ARGS,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )


def run_notebook(path: Path, timeout: int = 900) -> tuple[float, float | None]:
    """Execute one notebook in place; return (seconds, peak MB of its kernel)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    peak: dict[str, float | None] = {"mb": None}
    client = notebook_client(nb, path, timeout)

    def after_cell(**_):  # the kernel is gone by the notebook's end: sample after each cell
        mb = peak_rss_mb(client.km.provisioner.pid)
        if mb is not None:
            peak["mb"] = max(mb, peak["mb"] or 0.0)

    client.on_cell_executed = after_cell
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds, peak["mb"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found: run from the project folder or name them.", file=sys.stderr)
        return 2
    apply_test_env()
    failed = False
    for path in paths:
        try:
            seconds, mb = run_notebook(path)
        except Exception as err:  # report every notebook, then fail
            failed = True
            print(f"FAILED {path}: {type(err).__name__}: {str(err)[-2000:]}", file=sys.stderr)
            continue
        mem = f"{mb:.0f} MB peak" if mb is not None else "peak memory unknown"
        print(f"{path.name}: {seconds:.1f} s, {mem}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

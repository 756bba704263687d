"""Settings shared by the unit tests and the nbval notebook run.

nbval executes the notebooks in kernels that inherit this process' environment, so the environment the
committed outputs were made with (``tools.runner``) is set here. Tests check behaviour only: a notebook's
time and memory are measured by ``python3 tasks.py bench``, never asserted here.
"""

from __future__ import annotations

import os

from tools.runner import apply_test_env

apply_test_env()
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers on two cores: one thread per TensorFlow operation, so the two do not fight over the cores
    # (the notebooks' small models gain nothing from a second thread).
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds environments, servers or a browser (left out by --quick)")


def pytest_collection_modifyitems(items):
    """The slow modules first, then the notebooks, then the short unit tests: taken a file at a time by two
    pytest-xdist workers in this order, the short files come last and even out the two workers' ends."""

    def order(item) -> int:
        if item.get_closest_marker("slow"):
            return 0
        return 1 if type(item).__name__ == "IPyNbCell" else 2

    items.sort(key=order)  # stable: each file's tests and each notebook's cells keep their order

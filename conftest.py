"""Test-run settings shared by the unit tests and the nbval notebook run.

The notebooks are executed by nbval in kernels that inherit this process' environment,
so the environment the reference outputs were made with (``cnnlib.runner``) is set here.
Each notebook's wall time and its kernel's peak memory are measured and held to the
budgets of DESIGN.md (120 s, 2 GB); a notebook over budget fails the run.
"""

from __future__ import annotations

import time

import pytest

from cnnlib.runner import apply_test_env, peak_rss_mb

apply_test_env()

BUDGET_SECONDS = 120
BUDGET_MB = 2048
_notebooks: dict[str, dict] = {}


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _is_nbval_cell(item):
        _notebooks.setdefault(item.parent.name, {"start": time.perf_counter()})


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if not _is_nbval_cell(item):
        return
    record = _notebooks[item.parent.name]
    record["seconds"] = time.perf_counter() - record["start"]
    kernel = getattr(item.parent, "kernel", None)
    if kernel is not None:
        try:
            mb = peak_rss_mb(kernel.km.provisioner.pid)
        except AttributeError:
            mb = None
        if mb is not None:
            record["mb"] = max(mb, record.get("mb", 0.0))


def _over_budget() -> list[str]:
    return [
        f"{name}: {r['seconds']:.0f} s, {r.get('mb', 0):.0f} MB"
        for name, r in _notebooks.items()
        if r.get("seconds", 0) > BUDGET_SECONDS or r.get("mb", 0) > BUDGET_MB
    ]


def pytest_terminal_summary(terminalreporter):
    if not _notebooks:
        return
    terminalreporter.section("notebook budgets (120 s, 2048 MB each)")
    for name, r in _notebooks.items():
        mem = f"{r['mb']:.0f} MB peak" if "mb" in r else "peak memory unknown"
        terminalreporter.write_line(f"{name}: {r.get('seconds', 0):.1f} s, {mem}")
    for line in _over_budget():
        terminalreporter.write_line(f"OVER BUDGET {line}", red=True)


def pytest_sessionfinish(session, exitstatus):
    if _over_budget() and exitstatus == 0:
        session.exitstatus = 1

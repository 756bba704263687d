"""Test-run settings shared by the unit tests and the nbval notebook run.

The notebooks are executed by nbval in kernels that inherit this process' environment,
so the environment the reference outputs were made with (``cnnlib.runner``) is set here.
Each notebook's wall time and its kernel's peak memory are measured and held to the
budgets (120 s, 2 GB); a notebook over budget fails the run. The time budget is for the machine
it was set on: before the first notebook, a fixed piece of training work is timed
(``cnnlib.speed``), and on a slower machine the time budget grows by the same factor (at most
2x; never below 120 s). Where a notebook is over that budget, the work is timed again after the last
notebook and the larger factor counts: the work is short, and a machine can be slower for the whole run
than in the second it was timed (on 2026-12-06 the work measured 1.25x before the notebooks and 1.6-1.7x
in three runs after them, while the notebooks ran 1.2-2.0x slower than the week before). The summary
prints the factor with the times. ``tasks.py test`` runs the unit tests alongside the notebooks at the lowest
CPU priority: they use the core a kernel leaves idle, and the times of the notebooks they overlap include what
they cost (on 2026-12-06, notebooks 01-04b took 10-50% longer alongside them).
"""

from __future__ import annotations

import time

import pytest

from cnnlib.runner import apply_test_env, peak_rss_mb

apply_test_env()

BUDGET_SECONDS = 120
BUDGET_MB = 2048
_notebooks: dict[str, dict] = {}
_speed: dict[str, float | None] = {}  # "work" (and "work after"): seconds of cnnlib.speed's work, "slowdown"


def _budget_seconds() -> float:
    return BUDGET_SECONDS * _speed.get("slowdown", 1.0)


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _is_nbval_cell(item):
        if not _speed:  # once, before the first notebook's kernel starts
            from cnnlib.speed import slowdown, work_seconds

            _speed["work"] = work_seconds()
            _speed["slowdown"] = slowdown(_speed["work"])
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


def _settle_budget() -> None:
    """Over the budget timed before the first notebook: time the work again now; the larger slowdown counts."""
    if "work after" in _speed or "work" not in _speed or not _over_budget():
        return
    from cnnlib.speed import slowdown, work_seconds

    _speed["work after"] = work_seconds()
    _speed["slowdown"] = max(_speed["slowdown"], slowdown(_speed["work after"]))


def _over_budget() -> list[str]:
    return [
        f"{name}: {r['seconds']:.0f} s, {r.get('mb', 0):.0f} MB"
        for name, r in _notebooks.items()
        if r.get("seconds", 0) > _budget_seconds() or r.get("mb", 0) > BUDGET_MB
    ]


def pytest_terminal_summary(terminalreporter):
    if not _notebooks:
        return
    from cnnlib.speed import REFERENCE_SECONDS

    _settle_budget()
    terminalreporter.section(f"notebook budgets ({_budget_seconds():.0f} s, {BUDGET_MB} MB each)")
    work = _speed.get("work")
    if work is None:
        terminalreporter.write_line("machine speed: not measured (the timing work did not run); budget 120 s")
    else:
        terminalreporter.write_line(
            f"machine speed: cnnlib.speed's work took {work:.2f} s, {work / REFERENCE_SECONDS:.2f} times the "
            f"reference machine's {REFERENCE_SECONDS:.2f} s: time budget {BUDGET_SECONDS} s x "
            f"{_speed['slowdown']:.2f} = {_budget_seconds():.0f} s"
        )
        if "work after" in _speed:
            after = _speed["work after"]
            terminalreporter.write_line(
                "a notebook was over the budget timed before the first: the work, timed again after the last, took "
                + ("no time (it did not run)" if after is None else f"{after:.2f} s ({after / REFERENCE_SECONDS:.2f}x)")
                + "; the budget above is the larger"
            )
    for name, r in _notebooks.items():
        mem = f"{r['mb']:.0f} MB peak" if "mb" in r else "peak memory unknown"
        terminalreporter.write_line(f"{name}: {r.get('seconds', 0):.1f} s, {mem}")
    for line in _over_budget():
        terminalreporter.write_line(f"OVER BUDGET {line}", red=True)


def pytest_sessionfinish(session, exitstatus):
    _settle_budget()
    if _over_budget() and exitstatus == 0:
        session.exitstatus = 1

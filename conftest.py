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
prints the factor with the times. ``tasks.py test`` runs everything in two pytest-xdist workers (``-n 2 --dist
loadfile``: each notebook whole in one worker, one thread per TensorFlow operation), the slow unit-test modules first,
then the notebooks, then the rest (``pytest_collection_modifyitems``). A notebook's wall time there includes its
neighbour's load, so its kernel's CPU time is held to the time budget instead (``_judged_seconds``); each worker sends
its notebooks' records to the controller, which sums them up and fails the run. A caller that timed the work already
passes it in ``cnnlib.speed.WORK_ENV``.
"""

from __future__ import annotations

import os
import time

import pytest

from cnnlib.runner import apply_test_env, cpu_seconds, peak_rss_mb

apply_test_env()
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Side by side with another worker on two cores: one thread per TensorFlow operation. The notebooks'
    # small models gain nothing from a second thread (07 and 04b alone: 112 and 116 s with TensorFlow's
    # threads, 115 and 112 s with one, using 10 % less CPU time; the two at once, one thread each: 127 s).
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")

BUDGET_SECONDS = 120
BUDGET_MB = 2048
_notebooks: dict[str, dict] = {}
_speed: dict[str, float | None] = {}  # "work" (and "work after"): seconds of cnnlib.speed's work, "slowdown"
_started = time.perf_counter()
_workers_done: dict[str, float] = {}  # pytest-xdist worker: seconds from the start until it finished


def _budget_seconds() -> float:
    return BUDGET_SECONDS * _speed.get("slowdown", 1.0)


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: a unit-test module that builds environments, servers or other processes (run first)"
    )


def _run_order(item) -> int:
    """Slow unit-test modules first, then the notebooks, then the other unit tests: with two pytest-xdist
    workers taking a file each in this order (``--no-loadscope-reorder``), the many short files come last
    and even out the two workers' ends."""
    if item.get_closest_marker("slow"):
        return 0
    return 1 if _is_nbval_cell(item) else 2


def pytest_collection_modifyitems(items):
    items.sort(key=_run_order)  # stable: each file's tests and each notebook's cells keep their order


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _is_nbval_cell(item):
        if not _speed:  # once, before the first notebook's kernel starts
            from cnnlib.speed import given_work_seconds, slowdown

            _speed["work"] = given_work_seconds()
            _speed["slowdown"] = slowdown(_speed["work"])
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        _notebooks.setdefault(item.parent.name, {"start": time.perf_counter(), "worker": worker})


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if not _is_nbval_cell(item):
        return
    record = _notebooks[item.parent.name]
    record["seconds"] = time.perf_counter() - record["start"]
    kernel = getattr(item.parent, "kernel", None)
    try:
        pid = kernel.km.provisioner.pid
    except AttributeError:
        return
    mb, cpu = peak_rss_mb(pid), cpu_seconds(pid)
    if mb is not None:
        record["mb"] = max(mb, record.get("mb", 0.0))
    if cpu is not None:
        record["cpu"] = cpu


def _settle_budget() -> None:
    """Over the budget timed before the first notebook: time the work again now; the larger slowdown counts."""
    if "work after" in _speed or "work" not in _speed or not _over_budget():
        return
    from cnnlib.speed import slowdown, work_seconds

    _speed["work after"] = work_seconds()
    _speed["slowdown"] = max(_speed["slowdown"], slowdown(_speed["work after"]))


def _judged_seconds(record: dict) -> float:
    """The time held to the budget: the notebook's wall time, or, side by side with another notebook (a
    pytest-xdist worker), its kernel's CPU time. The neighbour stretches the wall time (1.0-1.9x measured) but
    not the CPU time, which tracks the wall time alone: 07 and 04b, alone 115 and 112 s, used 104 and 113 CPU
    seconds side by side (one thread per operation; a kernel alone keeps about one core busy)."""
    if record.get("worker") and record.get("cpu") is not None:
        return record["cpu"]
    return record.get("seconds", 0)


def _over_budget() -> list[str]:
    return [
        f"{name}: {_judged_seconds(r):.0f} s{' CPU' if r.get('worker') else ''}, {r.get('mb', 0):.0f} MB"
        for name, r in _notebooks.items()
        if _judged_seconds(r) > _budget_seconds() or r.get("mb", 0) > BUDGET_MB
    ]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller: a worker's notebook records and the machine speed it was given."""
    _workers_done[getattr(getattr(node, "gateway", None), "id", "?")] = time.perf_counter() - _started
    output = getattr(node, "workeroutput", {})
    _notebooks.update(output.get("cnnlib_notebooks", {}))
    for key, value in output.get("cnnlib_speed", {}).items():
        _speed.setdefault(key, value)


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
    if any(r.get("worker") for r in _notebooks.values()):
        terminalreporter.write_line(
            "notebooks side by side (pytest-xdist workers): each one's CPU time is held to the time budget; its wall "
            "time includes its neighbour's load"
        )
    if len(_workers_done) > 1:  # how evenly the two workers' shares came out
        ends = sorted(_workers_done.items(), key=lambda kv: kv[1])
        terminalreporter.write_line(
            "workers finished "
            + ", ".join(f"{name} at {t:.0f} s" for name, t in ends)
            + f" after the start: {ends[-1][1] - ends[0][1]:.0f} s with one core's worker idle"
        )
    for name, r in sorted(_notebooks.items()):
        mem = f"{r['mb']:.0f} MB peak" if "mb" in r else "peak memory unknown"
        cpu = f" ({r['cpu']:.0f} s CPU)" if "cpu" in r else ""
        terminalreporter.write_line(f"{name}: {r.get('seconds', 0):.1f} s{cpu}, {mem}")
    for line in _over_budget():
        terminalreporter.write_line(f"OVER BUDGET {line}", red=True)


def pytest_sessionfinish(session, exitstatus):
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # a pytest-xdist worker: the controller judges (pytest_testnodedown)
        output["cnnlib_notebooks"], output["cnnlib_speed"] = _notebooks, _speed
        return
    _settle_budget()
    if _over_budget() and exitstatus == 0:
        session.exitstatus = 1

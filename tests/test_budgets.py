"""conftest.py's notebook budgets when pytest-xdist runs the notebooks side by side.

Each worker times its own notebooks and sends the records to the controller, which judges them all:
a notebook run side by side by its kernel's CPU time, one run alone by its wall time.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

import conftest
from cnnlib.runner import cpu_seconds

SPEED = {"work": 0.55, "slowdown": 1.0, "work after": 0.55}  # timed again already: no new timing here


@pytest.fixture
def records(monkeypatch):
    monkeypatch.setattr(conftest, "_notebooks", {})
    monkeypatch.setattr(conftest, "_speed", {})
    return conftest._notebooks


def _node(worker, name, seconds, cpu):
    record = {name: {"seconds": seconds, "cpu": cpu, "mb": 900.0, "worker": worker}}
    return SimpleNamespace(workeroutput={"cnnlib_notebooks": record, "cnnlib_speed": dict(SPEED)})


def test_a_worker_sends_its_records_and_leaves_the_verdict_to_the_controller(records, monkeypatch):
    records["slow.ipynb"] = {"seconds": 500.0, "cpu": 480.0, "worker": "gw1"}
    monkeypatch.setattr(conftest, "_speed", dict(SPEED))
    session = SimpleNamespace(config=SimpleNamespace(workeroutput={}), exitstatus=0)
    conftest.pytest_sessionfinish(session, 0)
    assert session.config.workeroutput["cnnlib_notebooks"] == {"slow.ipynb": records["slow.ipynb"]}
    assert session.exitstatus == 0


def test_side_by_side_the_cpu_time_is_judged_and_the_controller_fails_the_run(records):
    conftest.pytest_testnodedown(_node("gw0", "slowed.ipynb", 190.0, 100.0), None)  # stretched by its neighbour
    conftest.pytest_testnodedown(_node("gw1", "heavy.ipynb", 200.0, 150.0), None)
    assert set(records) == {"slowed.ipynb", "heavy.ipynb"}
    assert conftest._over_budget() == ["heavy.ipynb: 150 s CPU, 900 MB"]
    session = SimpleNamespace(config=SimpleNamespace(), exitstatus=0)
    conftest.pytest_sessionfinish(session, 0)
    assert session.exitstatus == 1


def test_alone_the_wall_time_is_judged(records, monkeypatch):
    monkeypatch.setattr(conftest, "_speed", dict(SPEED))
    records["alone.ipynb"] = {"seconds": 130.0, "cpu": 100.0, "mb": 900.0, "worker": ""}
    assert conftest._over_budget() == ["alone.ipynb: 130 s, 900 MB"]


def test_the_summary_says_the_notebooks_ran_side_by_side(records):
    conftest.pytest_testnodedown(_node("gw0", "a.ipynb", 30.0, 25.0), None)
    conftest.pytest_testnodedown(_node("gw1", "b.ipynb", 40.0, 33.4), None)
    lines = []
    reporter = SimpleNamespace(section=lines.append, write_line=lambda line, **kw: lines.append(line))
    conftest.pytest_terminal_summary(reporter)
    assert any(line.startswith("notebooks side by side (pytest-xdist workers)") for line in lines)
    assert lines[-2:] == ["a.ipynb: 30.0 s (25 s CPU), 900 MB peak", "b.ipynb: 40.0 s (33 s CPU), 900 MB peak"]


def test_cpu_time_counts_the_process_and_its_waited_for_children():
    before = cpu_seconds(os.getpid())
    total = sum(i * i for i in range(2_000_000))  # about 0.1-0.3 s of CPU
    assert total > 0 and cpu_seconds(os.getpid()) - before >= 0.05
    assert cpu_seconds(2**22 + 12345) is None  # no such process


class IPyNbCell(SimpleNamespace):  # the name nbval's notebook cells have
    def get_closest_marker(self, name):
        return None


class Item(SimpleNamespace):
    def get_closest_marker(self, name):
        return name if name in self.marks else None


def test_slow_modules_run_first_then_the_notebooks_then_the_rest_each_in_its_order():
    items = [
        Item(name="arithmetic", marks=()),
        IPyNbCell(name="01 cell 0"),
        IPyNbCell(name="01 cell 1"),
        Item(name="browser", marks=("slow",)),
        Item(name="models", marks=()),
        IPyNbCell(name="02 cell 0"),
        Item(name="backends", marks=("slow",)),
    ]
    conftest.pytest_collection_modifyitems(items)
    assert [item.name for item in items] == [
        "browser", "backends", "01 cell 0", "01 cell 1", "02 cell 0", "arithmetic", "models",
    ]  # fmt: skip


def test_the_summary_says_when_each_worker_finished(records, monkeypatch):
    monkeypatch.setattr(conftest, "_workers_done", {})
    monkeypatch.setattr(conftest, "_started", 0.0)
    for worker in ("gw1", "gw0"):
        node = _node(worker, f"{worker}.ipynb", 30.0, 25.0)
        node.gateway = SimpleNamespace(id=worker)
        monkeypatch.setattr(conftest.time, "perf_counter", lambda w=worker: {"gw0": 700.0, "gw1": 640.0}[w])
        conftest.pytest_testnodedown(node, None)
    lines = []
    reporter = SimpleNamespace(section=lines.append, write_line=lambda line, **kw: lines.append(line))
    conftest.pytest_terminal_summary(reporter)
    assert "workers finished gw1 at 640 s, gw0 at 700 s after the start: 60 s with one core's worker idle" in lines

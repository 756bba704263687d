"""tasks.py's test command: the unit tests started at the lowest priority, and its summary against the budget."""

from __future__ import annotations

import os
import sys

import tasks


def test_summary_gives_the_total_and_its_parts_against_the_budget():
    text = tasks.summary({"setup": 50.0, "unit tests": 210.0, "notebooks": 990.0})
    assert text.startswith("the whole test command: 20.8 min (1250 s: setup 50 s, unit tests 210 s, notebooks 990 s)")
    assert "OVER the 15-minute budget" in text


def test_summary_says_within_at_the_budget():
    assert "within the 15-minute budget" in tasks.summary({"notebooks": 900.0})


def test_the_unit_tests_start_beside_the_notebooks_writing_to_their_log(tmp_path):
    log = tmp_path / "build" / "unit-tests.log"
    process = tasks.start_beside([sys.executable, "-c", "print('started')"], log)
    assert process.wait(timeout=60) == 0
    assert log.read_text() == "started\n"


class _Done:
    def __init__(self, returncode, stdout):
        self.returncode, self.stdout = returncode, stdout


def test_the_machine_is_timed_once_and_passed_on(monkeypatch):
    calls = []
    monkeypatch.setenv(tasks.WORK_ENV, "")  # restored (unset) after the test
    monkeypatch.delenv(tasks.WORK_ENV)
    monkeypatch.setattr(tasks.subprocess, "run", lambda args, **kw: calls.append(args) or _Done(0, "0.8125\n"))
    tasks.time_the_machine(tasks.Path("python"))
    assert calls == [["python", "-m", "cnnlib.speed", "--seconds"]]
    assert os.environ[tasks.WORK_ENV] == "0.8125"
    tasks.time_the_machine(tasks.Path("python"))  # already timed (or set by the user): not again
    assert len(calls) == 1


def test_a_failed_timing_leaves_it_to_the_notebooks_run(monkeypatch):
    monkeypatch.setenv(tasks.WORK_ENV, "")
    monkeypatch.delenv(tasks.WORK_ENV)
    monkeypatch.setattr(tasks.subprocess, "run", lambda args, **kw: _Done(1, ""))
    tasks.time_the_machine(tasks.Path("python"))
    assert tasks.WORK_ENV not in os.environ


def test_the_notebooks_run_two_at_a_time_on_the_cpu_one_at_a_time_with_a_gpu(monkeypatch):
    monkeypatch.setattr(tasks, "tf_extra", lambda: "cpu")
    assert tasks.notebooks_command() == ("-m", "pytest", "notebooks", "-n", "2", "--dist", "loadfile")
    monkeypatch.setattr(tasks, "tf_extra", lambda: "gpu")
    assert tasks.notebooks_command() == ("-m", "pytest", "notebooks")

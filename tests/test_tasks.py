"""tasks.py's test command: the unit tests started at the lowest priority, and its summary against the budget."""

from __future__ import annotations

import os
import sys

import pytest

import tasks


def test_summary_gives_the_total_and_its_parts_against_the_budget():
    text = tasks.summary({"setup": 50.0, "unit tests": 210.0, "notebooks": 990.0})
    assert text.startswith("the whole test command: 20.8 min (1250 s: setup 50 s, unit tests 210 s, notebooks 990 s)")
    assert "OVER the 15-minute budget" in text


def test_summary_says_within_at_the_budget():
    assert "within the 15-minute budget" in tasks.summary({"notebooks": 900.0})


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no os.nice here: the test command runs the unit tests first")
def test_the_unit_tests_start_at_the_lowest_priority_writing_to_their_log(tmp_path):
    log = tmp_path / "build" / "unit-tests.log"
    probe = "import os; print(os.nice(0), getattr(os, 'sched_getscheduler', lambda pid: None)(0))"
    process = tasks.start_lowered([sys.executable, "-c", probe], log)
    assert process.wait(timeout=60) == 0
    niceness, policy = log.read_text().split()
    assert niceness == "19"
    assert policy == (str(os.SCHED_IDLE) if hasattr(os, "sched_getscheduler") else "None")


def test_without_os_nice_nothing_starts(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "nice", raising=False)
    assert tasks.start_lowered([sys.executable, "-c", "raise SystemExit(1)"], tmp_path / "log") is None

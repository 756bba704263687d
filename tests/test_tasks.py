"""tasks.py's test command: pytest in two workers on the CPU, and its summary against the budget."""

from __future__ import annotations

import tasks


def test_summary_gives_the_total_and_its_parts_against_the_budget():
    text = tasks.summary({"setup": 50.0, "unit tests": 210.0, "notebooks": 990.0})
    assert text.startswith("the whole test command: 20.8 min (1250 s: setup 50 s, unit tests 210 s, notebooks 990 s)")
    assert "OVER the 15-minute budget" in text


def test_summary_says_within_at_the_budget():
    assert "within the 15-minute budget" in tasks.summary({"notebooks": 900.0})


def test_on_the_cpu_two_workers_a_file_each_in_conftests_order(monkeypatch):
    monkeypatch.setenv("CNNLIB_TF_EXTRA", "cpu")
    command = tasks.test_command()
    assert command[:2] == ("-m", "pytest")
    assert command[command.index("-n") + 1] == "2"
    assert "--no-loadscope-reorder" in command and command[command.index("--dist") + 1] == "loadfile"


def test_with_a_gpu_one_at_a_time(monkeypatch):
    monkeypatch.setenv("CNNLIB_TF_EXTRA", "gpu")
    assert tasks.test_command() == ("-m", "pytest")

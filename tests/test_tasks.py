"""tasks.py's test command: pytest in two workers on the CPU, and its summary against the budget."""

from __future__ import annotations

import os

import pytest

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


def _fake_python(tmp_path, body):
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the environment's Python")
def test_the_machine_is_timed_once_and_passed_on(tmp_path, monkeypatch):
    monkeypatch.setenv(tasks.WORK_ENV, "")  # unset, and restored afterwards
    tasks.time_the_machine(_fake_python(tmp_path, 'test "$*" = "-m cnnlib.speed --seconds" && echo 0.75'))
    assert os.environ[tasks.WORK_ENV] == "0.75"
    tasks.time_the_machine(_fake_python(tmp_path, "echo 9.99"))  # given already: not timed again
    assert os.environ[tasks.WORK_ENV] == "0.75"


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the environment's Python")
def test_a_failed_timing_passes_nothing_on(tmp_path, monkeypatch):
    monkeypatch.setenv(tasks.WORK_ENV, "")  # unset, and restored afterwards
    tasks.time_the_machine(_fake_python(tmp_path, "exit 1"))
    assert os.environ[tasks.WORK_ENV] == ""

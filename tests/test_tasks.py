"""tasks.py's summary of the whole test command: its time, its parts, and the machine's measured speed."""

from __future__ import annotations

import json

import tasks


def test_summary_gives_the_total_and_its_parts_against_the_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "NOTEBOOK_TIMES", tmp_path / "missing.json")
    text = tasks.summary({"setup": 50.0, "unit tests": 210.0, "notebooks": 990.0})
    assert text == (
        "the whole test command: 20.8 min (1250 s: setup 50 s, unit tests 210 s, notebooks 990 s); budget 15 min"
    )


def test_summary_estimates_the_time_at_the_reference_speed_from_the_notebook_run(tmp_path, monkeypatch):
    report = tmp_path / "notebook-times.json"
    report.write_text(json.dumps({"speed": 1.25, "budget_seconds": 150, "notebooks": {}}))
    monkeypatch.setattr(tasks, "NOTEBOOK_TIMES", report)
    text = tasks.summary({"setup": 50.0, "unit tests": 200.0, "notebooks": 1000.0})
    assert "1.25x" in text.splitlines()[1] and "about 16.7 min there" in text


def test_a_broken_report_is_left_out(tmp_path, monkeypatch):
    report = tmp_path / "notebook-times.json"
    report.write_text("{not json")
    monkeypatch.setattr(tasks, "NOTEBOOK_TIMES", report)
    assert len(tasks.summary({"notebooks": 60.0}).splitlines()) == 1

"""tasks.py's summary of the whole test command: its time and its parts against the 15-minute budget."""

from __future__ import annotations

import tasks


def test_summary_gives_the_total_and_its_parts_against_the_budget():
    text = tasks.summary({"setup": 50.0, "unit tests": 210.0, "notebooks": 990.0})
    assert text.startswith("the whole test command: 20.8 min (1250 s: setup 50 s, unit tests 210 s, notebooks 990 s)")
    assert "OVER the 15-minute budget" in text


def test_summary_says_within_at_the_budget():
    assert "within the 15-minute budget" in tasks.summary({"notebooks": 900.0})

"""cnnlib.speed: the machine's slowdown that scales the notebooks' time budget (conftest.py)."""

from cnnlib import speed


def test_slowdown_is_between_1_and_its_cap():
    assert speed.slowdown(None) == 1.0  # not measured: the plain budget
    assert speed.slowdown(speed.REFERENCE_SECONDS / 2) == 1.0  # a faster machine keeps 120 s
    assert speed.slowdown(speed.REFERENCE_SECONDS * 1.5) == 1.5
    assert speed.slowdown(speed.REFERENCE_SECONDS * 10) == speed.MAX_SLOWDOWN


def test_the_work_runs_in_a_fresh_process():
    seconds = speed.work_seconds()
    assert seconds is not None and 0 < seconds < 60

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


def test_the_time_given_by_the_test_command_is_used(monkeypatch):
    monkeypatch.setattr(speed, "work_seconds", lambda: 99.0)
    monkeypatch.setenv(speed.WORK_ENV, "0.75")
    assert speed.given_work_seconds() == 0.75
    for unusable in ("", "fast", "0", "-1"):
        monkeypatch.setenv(speed.WORK_ENV, unusable)
        assert speed.given_work_seconds() == 99.0  # timed here instead
    monkeypatch.delenv(speed.WORK_ENV)
    assert speed.given_work_seconds() == 99.0


def test_the_work_runs_with_tensorflows_own_threads(monkeypatch):
    # The test run sets one thread per operation; the reference time was measured without that.
    seen = {}

    def fake_run(args, **kwargs):
        seen.update(kwargs["env"])
        return type("Done", (), {"stdout": "0.5\n"})()

    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    monkeypatch.setenv("CNNLIB_SEED", "3")
    monkeypatch.setattr(speed.subprocess, "run", fake_run)
    assert speed.work_seconds() == 0.5
    assert "TF_NUM_INTRAOP_THREADS" not in seen and seen["CNNLIB_SEED"] == "3"


def test_seconds_alone_for_the_test_command(monkeypatch, capsys):
    monkeypatch.setattr(speed, "work_seconds", lambda: 0.625)
    assert speed.main(["--seconds"]) == 0
    assert capsys.readouterr().out == "0.625\n"
    monkeypatch.setattr(speed, "work_seconds", lambda: None)
    assert speed.main(["--seconds"]) == 1

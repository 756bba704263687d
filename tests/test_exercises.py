import pytest

from cnnlib.exercises import check


def test_unanswered_is_not_an_error(capsys):
    check(..., 3, "Exercise 1")
    assert "not answered yet" in capsys.readouterr().out


def test_right_and_wrong_answers(capsys):
    check(16, 16)
    check(0.1 + 0.2, 0.3)
    assert capsys.readouterr().out.count("correct") == 2
    with pytest.raises(AssertionError, match="is not right"):
        check(15, 16, "Exercise 1")

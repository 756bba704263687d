"""The pics command: deterministic pictures, equal to the committed ones."""

from pathlib import Path

import pytest

from tools import pics

PICS = Path(__file__).parents[1] / "pics"


def test_every_committed_picture_has_a_maker_and_back():
    assert sorted(p.name for p in PICS.iterdir()) == sorted(pics.pictures())


@pytest.mark.parametrize(
    "name", ["no_padding_strides.gif", "conv_numbers.gif", "thumb_01_convolution.png", "lenet5_architecture.png"]
)
def test_regenerated_picture_equals_the_committed_one(tmp_path, name):
    assert pics.main(["--out", str(tmp_path), name]) == 0
    assert (tmp_path / name).read_bytes() == (PICS / name).read_bytes()


def test_unknown_picture_is_refused(capsys):
    assert pics.main(["--out", "unused", "nope.gif"]) == 2
    assert "unknown picture" in capsys.readouterr().err

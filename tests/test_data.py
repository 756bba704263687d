"""Data loading: offline copies, the Keras cache layout, missing and damaged files.

No test touches the network: ``download=False`` or an empty search path everywhere.
"""

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from cnnlib import data

SHARED = Path(os.environ.get("CNNLIB_DATA_DIR", Path(__file__).parents[2] / "shared" / "datasets"))
needs_shared = pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="offline data copies not found")


@pytest.fixture
def only(monkeypatch, tmp_path):
    """Search only the given folder; the Keras cache points into an empty temp folder."""

    def set_dir(folder):
        monkeypatch.setenv("CNNLIB_DATA_DIR", str(folder))
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))

    return set_dir


@needs_shared
@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_digit_sets_load_like_keras(only, name):
    only(SHARED)
    (x, y), (xt, yt) = data.load(name, download=False)
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert x.dtype == y.dtype == np.uint8 and y.shape == (60000,) and yt.shape == (10000,)
    assert set(np.unique(y)) == set(range(10))


@needs_shared
def test_first_mnist_labels_are_the_official_ones(only):
    only(SHARED)
    (_, y), (_, yt) = data.load("mnist", download=False)
    assert list(y[:8]) == [5, 0, 4, 1, 9, 2, 1, 3] and list(yt[:5]) == [7, 2, 1, 0, 4]


@needs_shared
def test_cifar_subset_loads(only):
    only(SHARED)
    (x, y), (xt, yt) = data.load("cifar10", download=False)
    assert x.shape == (10000, 32, 32, 3) and xt.shape == (2000, 32, 32, 3) and x.dtype == np.uint8
    assert np.bincount(y).tolist() == [1000] * 10


@needs_shared
def test_keras_cache_layout_is_found(monkeypatch, tmp_path):
    cache = tmp_path / "kh" / "datasets" / "fashion-mnist"
    shutil.copytree(SHARED / "fashion-mnist", cache)
    monkeypatch.delenv("CNNLIB_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    (x, _), _ = data.load("fashion-mnist", download=False)
    assert x.shape == (60000, 28, 28)


def test_missing_data_names_the_folder_and_files(only, tmp_path):
    only(tmp_path / "nothing-here")
    with pytest.raises(data.DataError) as err:
        data.load("mnist", download=False)
    message = str(err.value)
    assert "nothing-here" in message and "mnist/train-images-idx3-ubyte.gz" in message
    assert "CNNLIB_DATA_DIR" in message


def _write_idx_set(folder: Path, n=3):
    folder.mkdir(parents=True)
    header = lambda dims: bytes([0, 0, 8, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)  # noqa: E731
    for split, count in (("train", n), ("t10k", n)):
        with gzip.open(folder / f"{split}-images-idx3-ubyte.gz", "wb") as f:
            f.write(header((count, 28, 28)) + bytes(count * 784))
        with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(header((count,)) + bytes(range(count)))


def test_truncated_file_is_reported_and_kept(only, tmp_path):
    _write_idx_set(tmp_path / "d" / "mnist")
    bad = tmp_path / "d" / "mnist" / "train-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:40])  # cut the gzip stream short
    only(tmp_path / "d")
    with pytest.raises(data.DataError, match="damaged"):
        data.load("mnist", download=False)
    assert bad.exists(), "a user's file must never be deleted"


def test_header_promising_more_data_is_reported(only, tmp_path):
    _write_idx_set(tmp_path / "d" / "mnist")
    path = tmp_path / "d" / "mnist" / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-100]))
    only(tmp_path / "d")
    with pytest.raises(data.DataError, match="truncated"):
        data.load("mnist", download=False)
    assert path.exists()


def test_not_an_idx_file(only, tmp_path):
    _write_idx_set(tmp_path / "d" / "mnist")
    path = tmp_path / "d" / "mnist" / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(b"<html>not found</html>"))
    only(tmp_path / "d")
    with pytest.raises(data.DataError, match="not an IDX file"):
        data.load("mnist", download=False)


def test_damaged_npz_is_reported_and_kept(only, tmp_path):
    path = tmp_path / "d" / "cifar10-subset" / "cifar10_jpeg_subset.npz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 broken zip")
    only(tmp_path / "d")
    with pytest.raises(data.DataError, match="damaged"):
        data.load("cifar10", download=False)
    assert path.exists()


def test_small_valid_set_loads(only, tmp_path):
    _write_idx_set(tmp_path / "d" / "fashion-mnist", n=4)
    only(tmp_path / "d")
    (x, y), (xt, yt) = data.load("fashion_mnist", download=False)
    assert x.shape == (4, 28, 28) and list(y) == [0, 1, 2, 3]


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown data set 'imagenet'"):
        data.load("imagenet")


def test_downsample_averages_blocks():
    images = np.arange(2 * 4 * 4 * 1, dtype=float).reshape(2, 4, 4, 1)
    out = data.downsample(images, 2)
    assert out.shape == (2, 2, 2, 1) and out.dtype == np.float32
    assert out[0, 0, 0, 0] == pytest.approx(np.mean([0, 1, 4, 5]))
    np.testing.assert_array_equal(data.downsample(images, 1), images)  # notebook 09's full scale: 32 // 32
    assert data.downsample(np.zeros((1, 4, 4, 3)), np.int32(2)).shape == (1, 2, 2, 3)
    with pytest.raises(ValueError, match="divides"):
        data.downsample(images, 3)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="whole number"):
            data.downsample(images, bad)
    with pytest.raises(ValueError, match="batch"):
        data.downsample(images[0], 2)


def test_photos_are_real_and_scaled():
    img = data.photo("camera", size=64)
    assert img.shape == (64, 64) and img.dtype == np.float32 and 0 <= img.min() < img.max() <= 1
    assert data.photo("astronaut", grey=False).shape[-1] == 3
    with pytest.raises(ValueError, match="no photo called"):
        data.photo("nope")


@needs_shared
def test_download_path_checks_the_decompressed_content(monkeypatch, tmp_path):
    # No network in tests: the "download" copies the offline files, then the real check runs.
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    fetched = []

    def fake_fetch(url, dest):
        fetched.append(url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHARED / "fashion-mnist" / Path(url).name, dest)

    monkeypatch.setattr(data, "_fetch", fake_fetch)
    (x, _), _ = data.load("fashion_mnist")
    assert x.shape == (60000, 28, 28) and len(fetched) == 4
    assert all(u.startswith("https://storage.googleapis.com/tensorflow/tf-keras-datasets/") for u in fetched)


def test_download_with_wrong_content_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))

    def fake_fetch(url, dest):  # a server answering with the wrong bytes
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(gzip.compress(b"not the official file"))

    monkeypatch.setattr(data, "_fetch", fake_fetch)
    with pytest.raises(data.DataError, match="does not match the official mnist file"):
        data.load("mnist")

"""Data sets for the notebooks: MNIST, Fashion-MNIST, CIFAR-10, and a few real photos.

``load(name)`` returns ``((x_train, y_train), (x_test, y_test))`` as uint8 NumPy arrays
shaped like ``keras.datasets``: ``(N, 28, 28)`` for the digit sets, ``(N, 32, 32, 3)`` for
CIFAR-10, labels ``(N,)``.

Where the files are looked for, in order:

1. the folder named by ``CNNLIB_DATA_DIR`` (layout: ``mnist/*.gz``, ``fashion-mnist/*.gz``,
   ``cifar10-subset/cifar10_jpeg_subset.npz`` or ``cifar-10-batches-py/``);
2. the Keras cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), in the same layout or
   in Keras' own (``mnist.npz``, ``fashion-mnist/``, ``cifar-10-batches-py/``);
3. the official download into the Keras cache, checked before use.

We read the files ourselves instead of calling ``keras.datasets``: Keras' MNIST loader
deletes a local file whose hash it does not recognise, and no user file should ever be
deleted. A damaged file raises :class:`DataError` naming it; it is left where it is.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import tarfile
import urllib.request
from pathlib import Path

import numpy as np

from cnnlib.arithmetic.sizes import is_whole

NAMES = ("mnist", "fashion_mnist", "cifar10")
_IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
# sha256 of the decompressed official files: the gzip wrappers of equal copies differ.
_IDX_SHA256 = {
    "mnist": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
    "fashion_mnist": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}
_FOLDER = {"mnist": "mnist", "fashion_mnist": "fashion-mnist"}
_URL = {
    "mnist": "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "fashion_mnist": "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
}
_CIFAR_MD5 = "c58f30108f718f92721af3b95e74349a"  # the archive's published checksum
_CIFAR_SUBSET = Path("cifar10-subset") / "cifar10_jpeg_subset.npz"

CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
    "cifar10": [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ],
}


class DataError(RuntimeError):
    """A data set is missing or damaged; the message says which file and what to do."""


def data_dirs() -> list[Path]:
    """Folders searched for data, in order."""
    dirs = []
    if os.environ.get("CNNLIB_DATA_DIR"):
        dirs.append(Path(os.environ["CNNLIB_DATA_DIR"]).expanduser())
    dirs.append(keras_cache())
    return dirs


def keras_cache() -> Path:
    """Keras' data set cache: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets"


def load(name: str, download: bool = True):
    """Load a data set as uint8 arrays, ``((x_train, y_train), (x_test, y_test))``.

    Args:
        name: ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"``. For CIFAR-10 the offline
            subset (10,000 training and 2,000 test images, JPEG-recompressed) is used when it
            is the copy found; check ``len(x_train)``.
        download: fetch the official files when no local copy is found.

    Raises:
        DataError: the data set is nowhere to be found offline, or a file is damaged.
    """
    key = str(name).lower().replace("-", "_")
    if key not in NAMES:
        raise ValueError(f"unknown data set {name!r}: choose one of {', '.join(NAMES)}.")
    for folder in data_dirs():
        found = _load_from(folder, key)
        if found is not None:
            return found
    if not download:
        raise DataError(_missing_message(key))
    return _download(key)


def _load_from(folder: Path, key: str):
    if key == "cifar10":
        if (folder / "cifar-10-batches-py").is_dir():
            return _read_cifar_batches(folder / "cifar-10-batches-py")
        if (folder / _CIFAR_SUBSET).is_file():
            return _read_npz(folder / _CIFAR_SUBSET, image_shape=(32, 32, 3))
        return None
    sub = folder / _FOLDER[key]
    if all((sub / f"{f}.gz").is_file() for f in _IDX_FILES):
        return _read_idx_set(sub)
    if key == "mnist" and (folder / "mnist.npz").is_file():
        return _read_npz(folder / "mnist.npz", image_shape=(28, 28))
    return None


def _missing_message(key: str) -> str:
    where = " or ".join(str(d) for d in data_dirs())
    if key == "cifar10":
        files = f"{_CIFAR_SUBSET} or the extracted official cifar-10-batches-py/ folder"
    else:
        files = ", ".join(f"{_FOLDER[key]}/{f}.gz" for f in _IDX_FILES)
    return (
        f"The {key} data set is not on this machine and cannot be downloaded. "
        f"Put {files} in {where} (set CNNLIB_DATA_DIR to choose the folder), then run again."
    )


def _read_idx(path: Path) -> np.ndarray:
    """One gzip-compressed IDX file (the format LeCun published MNIST in)."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise DataError(f"{path} is damaged ({err}); replace it with a fresh copy.") from None
    if len(raw) < 8 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path} is not an IDX file of unsigned bytes; replace it with a fresh copy.")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(raw) - offset != int(np.prod(shape)):
        raise DataError(
            f"{path} is truncated: its header promises {int(np.prod(shape))} bytes of data, "
            f"it holds {len(raw) - offset}. Replace it with a fresh copy."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def _read_idx_set(folder: Path):
    arrays = [_read_idx(folder / f"{f}.gz") for f in _IDX_FILES]
    _check_pairs(folder, arrays)
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def _check_pairs(where: Path, arrays) -> None:
    x_train, y_train, x_test, y_test = arrays
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise DataError(f"images and labels in {where} do not match in number; replace the files.")


def _read_npz(path: Path, image_shape):
    try:
        with np.load(path) as f:
            arrays = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    except Exception as err:  # zipfile, pickle and key errors all mean the same to a learner
        raise DataError(f"{path} is damaged or not a data set file ({err}); replace it.") from None
    if arrays[0].shape[1:] != image_shape or arrays[0].dtype != np.uint8:
        raise DataError(f"{path} holds images of shape {arrays[0].shape[1:]}, expected {image_shape}.")
    _check_pairs(path, arrays)
    arrays[1], arrays[3] = arrays[1].reshape(-1), arrays[3].reshape(-1)
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def _read_cifar_batches(folder: Path):
    def batch(name):
        path = folder / name
        try:
            with open(path, "rb") as f:
                d = pickle.load(f, encoding="bytes")
            x = np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
            return x, np.asarray(d[b"labels"], dtype=np.uint8)
        except Exception as err:
            raise DataError(f"{path} is missing or damaged ({err}); replace the folder.") from None

    parts = [batch(f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = batch("test_batch")
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    return (x_train, y_train), (x_test, y_test)


def _fetch(url: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                f.write(chunk)
    except OSError as err:
        tmp.unlink(missing_ok=True)  # our own partial download, never a user's file
        raise DataError(f"could not download {url} ({err}).") from None
    tmp.replace(dest)


def _download(key: str):
    cache = keras_cache()
    try:
        if key == "cifar10":
            archive = cache / "cifar-10-python.tar.gz"
            if not archive.is_file():
                _fetch(_URL[key], archive)
            if hashlib.md5(archive.read_bytes()).hexdigest() != _CIFAR_MD5:
                raise DataError(f"{archive} does not match the official CIFAR-10 archive; delete it and retry.")
            with tarfile.open(archive) as tar:
                tar.extractall(cache, filter="data")
            return _read_cifar_batches(cache / "cifar-10-batches-py")
        sub = cache / _FOLDER[key]
        for fname, digest in zip(_IDX_FILES, _IDX_SHA256[key], strict=True):
            path = sub / f"{fname}.gz"
            if not path.is_file():
                _fetch(_URL[key] + f"{fname}.gz", path)
            with gzip.open(path, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != digest:
                    raise DataError(f"{path} does not match the official {key} file; delete it and retry.")
        return _read_idx_set(sub)
    except DataError as err:
        raise DataError(f"{err}\n{_missing_message(key)}") from None


def as_float(x, channels_last: bool = True) -> np.ndarray:
    """uint8 images to float32 in [0, 1], with a channel axis for grey images (Keras' layout)."""
    x = np.array(x, dtype=np.float32)  # one new array, divided in place: no second copy
    x /= 255.0
    if channels_last and x.ndim == 3:
        x = x[..., None]
    return x


def downsample(images, factor: int = 2) -> np.ndarray:
    """Average ``factor x factor`` blocks of a batch ``(N, H, W, C)``: 32 x 32 CIFAR images -> 16 x 16.

    A quarter of the pixels is a quarter of the computation in every layer, so a CPU can train
    deep networks on the result; the objects are still recognisable. ``factor=1`` returns the
    images unchanged (as float32).
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be a batch (N, H, W, C), got shape {images.shape}.")
    n, h, w, c = images.shape
    if not is_whole(factor) or factor < 1 or h % factor or w % factor:
        raise ValueError(f"factor must be a whole number >= 1 that divides the image size {h} x {w}, got {factor!r}.")
    factor = int(factor)
    return images.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def photo(name: str = "camera", grey: bool = True, size: int | None = None) -> np.ndarray:
    """A real photograph from scikit-image's bundled images, as float32 in [0, 1].

    Args:
        name: ``"camera"``, ``"astronaut"``, ``"coffee"``, ``"chelsea"`` (a cat), ``"rocket"``
            or any other ``skimage.data`` image name.
        grey: convert to one channel (``(H, W)``); otherwise ``(H, W, 3)``.
        size: resize the shorter side to this many pixels (keeps the aspect ratio).
    """
    from skimage import color, data, transform

    loader = getattr(data, name, None)
    if loader is None or not callable(loader):
        raise ValueError(f"scikit-image has no photo called {name!r}; try 'camera' or 'astronaut'.")
    img = np.asarray(loader())
    img = img.astype(np.float32) / (255.0 if img.dtype == np.uint8 else 1.0)
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    if grey and img.ndim == 3:
        img = color.rgb2gray(img).astype(np.float32)
    elif not grey and img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    if size is not None:
        scale = size / min(img.shape[:2])
        shape = (round(img.shape[0] * scale), round(img.shape[1] * scale)) + img.shape[2:]
        img = transform.resize(img, shape, anti_aliasing=True).astype(np.float32)
    return img

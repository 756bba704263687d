"""Feature maps: what one layer of a network makes of one image.

``sample_image("digit")`` gives a test image (an MNIST digit, a CIFAR-10 image or a photo),
``fit_image(image, (h, w, c))`` resizes it to a model's input and converts it to the model's
channels, ``layer_activations(model, layer, image)`` runs the network up to that layer and
``draw_feature_maps`` shows the first channels, one panel each.
"""

from __future__ import annotations

import functools

import numpy as np

from cnnlib.viz.images import show_images

# What ``sample_image`` offers: the choice, and how the explorer labels it.
SAMPLE_IMAGES = {
    "digit": "a digit (MNIST test image 0)",
    "cifar": "the first CIFAR-10 test image",
    "photo": "a photo (scikit-image's cat, Chelsea)",
}


@functools.cache
def _sample(kind: str) -> np.ndarray:
    from cnnlib import data

    if kind == "digit":
        (_, _), (x_test, _) = data.load("mnist")
        return x_test[0].astype(np.float32) / 255  # (28, 28): a 7
    if kind == "cifar":
        (_, _), (x_test, _) = data.load("cifar10")
        return x_test[0].astype(np.float32) / 255  # (32, 32, 3)
    return data.photo("chelsea", grey=False)


def sample_image(kind: str = "digit") -> np.ndarray:
    """A test image as float32 in [0, 1]: ``"digit"`` (28 x 28), ``"cifar"`` (32 x 32 x 3) or ``"photo"``.

    The data sets are read once (``cnnlib.data.load``); only the one image is kept.
    """
    if kind not in SAMPLE_IMAGES:
        raise ValueError(f"unknown image {kind!r}: choose one of {', '.join(map(repr, SAMPLE_IMAGES))}.")
    return _sample(kind).copy()


def fit_image(image, shape) -> np.ndarray:
    """``image`` (``(H, W)`` grey or ``(H, W, 3)`` colour, values in [0, 1]) as a model input of ``shape``.

    The largest centred square is cut out (a photo is wider than tall), resized to the model's
    height and width, and converted to its channels: grey to colour by repeating the grey
    value, colour to grey by luminance.

    Args:
        shape: the model's ``(height, width, channels)``, channels 1 or 3.

    Returns:
        A float32 array of ``shape``.
    """
    from skimage import color, transform

    height, width, channels = shape
    if channels not in (1, 3):
        raise ValueError(f"a model with {channels} input channels cannot be shown a photo: 1 (grey) or 3 (colour).")
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[-1] != 3):
        raise ValueError(f"an image is (height, width) or (height, width, 3), got shape {img.shape}.")
    side = min(img.shape[:2])
    top, left = (img.shape[0] - side) // 2, (img.shape[1] - side) // 2
    img = img[top : top + side, left : left + side]
    if channels == 1 and img.ndim == 3:
        img = color.rgb2gray(img)
    elif channels == 3 and img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    if img.ndim == 2:
        img = img[..., None]
    if img.shape[:2] != (height, width):
        img = transform.resize(img, (height, width, channels), anti_aliasing=side > min(height, width))
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def layer_activations(model, layer: str, image) -> np.ndarray:
    """The output of ``layer`` when ``model`` sees ``image`` (one image, without the batch axis).

    Args:
        model: a built Keras model with a defined input (built with ``keras.Input``).
        layer: a layer's name.
        image: an array of the model's input shape (see :func:`fit_image`).
    """
    import keras

    try:
        target = model.get_layer(layer)
    except ValueError:
        raise ValueError(f"{model.name} has no layer {layer!r}; see model.summary().") from None
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    probe = keras.Model(inputs, target.output)
    out = probe(np.asarray(image, dtype=np.float32)[None], training=False)
    return keras.ops.convert_to_numpy(out)[0]


def draw_feature_maps(maps, n: int = 16, title: str | None = None, size: float = 1.3, ax=None):
    """The first ``n`` channels of ``(H, W, C)`` feature maps, one panel each, 8 per row.

    Each panel has its own grey scale (black: the channel's smallest value, white: its largest),
    so a channel with small values stays visible.

    Args:
        maps: ``(height, width, channels)``, e.g. from :func:`layer_activations`.
        n: at most this many channels, the first ones.
        title: optional title over the panels.
        size: inches per panel of a new figure.
        ax: where to draw: None for a new figure, a ``Figure`` or ``SubFigure`` (e.g. one of
            ``fig.subfigures()``) to lay the grid out in, or one axes per channel shown (an
            ``Axes`` or a sequence of them, e.g. ``fig.subplots(2, 8)``); see
            :func:`cnnlib.viz.show_images`.

    Returns:
        The Figure.
    """
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"feature maps are (height, width, channels), got shape {maps.shape}.")
    shown = min(n, maps.shape[-1])
    titles = [f"channel {i}" for i in range(shown)]
    return show_images([maps[..., i] for i in range(shown)], titles=titles, size=size, suptitle=title, ax=ax)

"""Argument checks and classifier heads shared by the model families.

Every public builder validates here, before any layer is made, so that a wrong argument
ends in one ``ValueError`` sentence instead of a deep Keras traceback.
"""

from __future__ import annotations

import keras

from cnnlib.arithmetic import conv_output_size, is_whole

# Largest side the minimum-size search tries; far beyond any image a student feeds.
_MAX_SIDE = 4096


def check_common(weights, classes, include_top, pooling, classifier_activation):
    """Validate the keras.applications-style arguments every builder shares; return ``classes``
    as a Python int (Keras layers refuse NumPy integers)."""
    if weights is not None:
        raise ValueError(
            f"cnnlib builds models with random weights only (weights=None), got weights={weights!r}; "
            "to use pretrained ImageNet weights, copy them from keras.applications with "
            "model.set_weights(reference.get_weights())."
        )
    if not isinstance(include_top, bool):
        raise ValueError(f"include_top must be True or False, got {include_top!r}.")
    if not is_whole(classes) or classes < 1:
        raise ValueError(f"classes must be a positive whole number of classes, got {classes!r}.")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {pooling!r}.")
    if classifier_activation is not None:
        try:
            keras.activations.get(classifier_activation)
        except (ValueError, TypeError):
            raise ValueError(
                f"classifier_activation {classifier_activation!r} is not a Keras activation; use "
                "'softmax' for class probabilities or None for logits."
            ) from None
    return int(classes)


def check_dropout(dropout):
    """A dropout rate in [0, 1), or a ValueError a student understands."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}.")
    return float(dropout)


def alexnet_head(x, classes, classifier_activation, dropout):
    """AlexNet's classifier, which ZFNet keeps: flatten, fc6 and fc7 (4096 ReLU units, each followed
    by dropout, section 4.2 of the AlexNet paper), and the ``predictions`` layer."""
    x = keras.layers.Flatten(name="flatten")(x)
    for i in (6, 7):
        x = keras.layers.Dense(4096, activation="relu", name=f"fc{i}")(x)
        x = keras.layers.Dropout(dropout, name=f"drop{i}")(x)
    return keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def input_shape_for(input_shape, default_shape, include_top, label, fixed_size_top=False):
    """The ``(height, width, channels)`` a builder uses, checked.

    Args:
        input_shape: what the caller passed, or None.
        default_shape: the paper's input, used when ``input_shape`` is None and the
            classifier is included; without it the spatial size is left free, as in
            keras.applications.
        include_top: whether the classifier is built.
        label: the architecture's name for messages, e.g. ``"VGG-16"``.
        fixed_size_top: True when the classifier flattens a feature map, so that the
            number of its weights depends on the input size.
    """
    if keras.config.image_data_format() != "channels_last":
        raise ValueError(
            "cnnlib models are built channels-last (height, width, channels); call "
            "keras.config.set_image_data_format('channels_last') first."
        )
    if input_shape is None:
        if include_top:
            return tuple(default_shape)
        return (None, None, default_shape[-1])
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__len__"):
        raise ValueError(
            f"input_shape must be (height, width, channels), e.g. {tuple(default_shape)}, got {input_shape!r}."
        )
    if len(input_shape) != 3:
        hint = " (leave the batch size out)" if len(input_shape) == 4 else ""
        raise ValueError(
            f"input_shape must have 3 entries (height, width, channels){hint}, e.g. "
            f"{tuple(default_shape)}, got {tuple(input_shape)!r}."
        )
    shape = []
    for what, value in zip(("height", "width", "channels"), input_shape, strict=True):
        if value is None and what != "channels":
            shape.append(None)
            continue
        if not is_whole(value) or value < 1:
            raise ValueError(
                f"input_shape {what} must be a positive whole number, got {value!r} in {tuple(input_shape)!r}."
            )
        shape.append(int(value))
    if fixed_size_top and include_top and None in shape[:2]:
        raise ValueError(
            f"{label} with include_top=True needs a fixed height and width, because its "
            f"classifier flattens the last feature map; got input_shape={tuple(input_shape)!r}."
        )
    return tuple(shape)


def check_min_size(input_shape, steps, label, why=""):
    """Check that every window of ``steps`` fits; return the size after each named step.

    Args:
        input_shape: ``(height, width, channels)``; None sides are not checked.
        steps: the layers that change the spatial size, in order, as
            ``(layer_name, kernel, stride, padding)`` with padding ``"valid"``, ``"same"``
            or a number of zeros on each side (cnnlib.arithmetic conventions).
        label: the architecture's name for the message.
        why: optional end of the message explaining which part needs the size.

    Returns:
        ``{layer_name: (height, width)}`` for a fixed size input (tests compare these with
        the built model), else an empty dict.
    """
    height, width = input_shape[0], input_shape[1]
    sizes = {}
    if height is None and width is None:
        return sizes
    if _walk(height, steps) is None or _walk(width, steps) is None:
        need = next(s for s in range(1, _MAX_SIDE + 1) if _walk(s, steps) is not None)
        fail = _walk_until_failure(min(s for s in (height, width) if s is not None), steps)
        reason = f" {why}" if why else ""
        raise ValueError(
            f"{label} needs input images of at least {need} x {need} pixels, got {height} x {width}: {fail}.{reason}"
        )
    if height is not None and width is not None:
        hs, ws = _walk(height, steps), _walk(width, steps)
        sizes = {name: (h, w) for (name, *_), h, w in zip(steps, hs, ws, strict=True)}
    return sizes


def _walk(size, steps):
    if size is None:
        return []
    out = []
    for _, kernel, stride, padding in steps:
        try:
            size = conv_output_size(size, kernel, stride, padding)
        except ValueError:
            return None
        out.append(size)
    return out


def _walk_until_failure(size, steps):
    for name, kernel, stride, padding in steps:
        try:
            size = conv_output_size(size, kernel, stride, padding)
        except ValueError:
            return f"the {kernel} x {kernel} window of layer '{name}' does not fit in its {size} x {size} input"
    return "a window does not fit"  # pragma: no cover - only reached if sides disagree


def image_input(shape, name="input_layer"):
    return keras.Input(shape=shape, name=name)


def pooled_features(x, pooling):
    """Optional global pooling of the feature map when the classifier is left out."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def global_pool_classifier(x, include_top, pooling, classes, classifier_activation):
    """The head of GoogLeNet, ResNet and DenseNet: global average pooling, one linear layer."""
    if not include_top:
        return pooled_features(x, pooling)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)

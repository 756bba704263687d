"""What a trained network looks at: guided backpropagation and occlusion maps.

Two of the ways Zeiler and Fergus looked inside a convnet, in a form that runs on any Keras model:
``guided_backprop`` projects one unit's activation back to the pixels that drive it (the cleaner
successor of the paper's deconvnet), and ``occlusion_sensitivity`` slides a grey square over an
image and records how the probability of the true class falls (the paper's Fig. 7).

Reference: M. D. Zeiler and R. Fergus, "Visualizing and Understanding Convolutional Networks",
ECCV 2014 (arXiv:1311.2901), Sec. 2.1 and 4.2; J. T. Springenberg et al., "Striving for Simplicity:
The All Convolutional Net", ICLR 2015 workshop (arXiv:1412.6806), Sec. 3.4.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from cnnlib.arithmetic.sizes import is_whole

# What passes a ReLU on the way back, given its forward input x and the gradient from above (Springenberg et al.,
# Fig. 1): plain backpropagation checks only x > 0, the paper's deconvnet only the gradient's sign, guided both.
RULES = {
    "plain": lambda x, upstream: ops.greater(x, 0),
    "deconvnet": lambda x, upstream: ops.greater(upstream, 0),
    "guided": lambda x, upstream: ops.logical_and(ops.greater(x, 0), ops.greater(upstream, 0)),
}


def _backward_relu(rule: str):
    """ReLU forward; backward, a gradient passes where ``RULES[rule]`` holds."""
    keep_where = RULES[rule]

    @ops.custom_gradient
    def relu(x):
        def grad(*args, upstream=None):
            upstream = args[0] if upstream is None else upstream
            return ops.where(keep_where(x, upstream), upstream, ops.zeros_like(upstream))

        return ops.relu(x), grad

    return relu


def _is_plain_relu_layer(layer) -> bool:
    # A ReLU with a cap, a slope or a threshold is another function; it is left as it is.
    return isinstance(layer, keras.layers.ReLU) and (
        layer.max_value is None and not layer.negative_slope and not layer.threshold
    )


def _guided_model(model, layer_name: str, rule: str = "guided"):
    """The model up to ``layer_name``, every ReLU replaced by one with the backward ``rule``.

    Layers without a ReLU are shared with ``model`` (no copy); a layer with ``activation="relu"``
    gets a twin with the same weights whose activation is the guided one.
    """
    twins = []
    backward_relu = _backward_relu(rule)

    def replace(layer):
        if _is_plain_relu_layer(layer):
            return keras.layers.Activation(backward_relu, name=layer.name)
        if getattr(layer, "activation", None) is keras.activations.relu:
            twin = layer.__class__.from_config(layer.get_config())
            twin.activation = backward_relu
            twins.append((layer, twin))
            return twin
        return layer

    head = keras.Model(model.inputs, model.get_layer(layer_name).output)
    guided = keras.models.clone_model(head, clone_function=replace, recursive=True)
    for layer, twin in twins:  # built by clone_model, so the weights can be set only now
        twin.set_weights(layer.get_weights())
    return guided


def _chosen_activation(activations, unit, position, n: int):
    """Sum over the batch of each image's chosen activation (its strongest one among those allowed)."""
    if position is not None:
        activations = activations[:, position[0], position[1]]
    if unit is not None:
        activations = activations[..., unit]
    flat = ops.reshape(activations, (n, -1))
    # As in the paper, all other activations of the layer are set to zero before projecting back.
    strongest = ops.stop_gradient(ops.one_hot(ops.argmax(flat, axis=1), flat.shape[1], dtype=flat.dtype))
    return ops.sum(flat * strongest)


def guided_backprop(
    model, layer_name: str, images, unit: int | None = None, position=None, rule: str = "guided"
) -> np.ndarray:
    """Guided backpropagation: the input pattern that drives one unit of a layer.

    The gradient of one activation of ``layer_name`` with respect to the input, computed with the
    guided rule at every ReLU: going back, a gradient passes only where the ReLU's forward input was
    positive *and* the gradient itself is positive. Plain backprop keeps only the first condition and
    the paper's deconvnet only the second; keeping both gives the sharp, image-like pictures.

    Which activation, per image: channel ``unit`` at ``position``; where either is None, the strongest
    one (the largest value) among those left, chosen separately for each image. So with both None it
    is the layer's strongest activation, as in Zeiler and Fergus' projections.

    ReLUs are found as ``activation="relu"`` inside a layer (Conv2D, Dense, Activation) and as plain
    ``keras.layers.ReLU`` layers; a ReLU written as ``ops.relu`` inside a Lambda or custom layer is not
    seen and keeps the plain rule. The model itself is not modified.

    Args:
        model: a functional or Sequential Keras model with one input.
        layer_name: the layer whose unit to explain.
        images: a batch ``(N, ...)`` shaped like the model's input.
        unit: channel (or Dense unit) of that layer; None for the strongest.
        position: ``(row, col)`` in the layer's feature map; None for the strongest. Only for layers
            with spatial output.
        rule: what passes each ReLU on the way back: ``"guided"`` (default); ``"plain"``, the ordinary gradient
            (a saliency map); ``"deconvnet"``, Zeiler and Fergus' projection (the gradient's sign only).

    Returns:
        float32 array shaped like ``images``: one gradient picture per image.

    Reference: J. T. Springenberg et al., "Striving for Simplicity", 2014, Sec. 3.4 and Fig. 1.
    """
    backend = keras.backend.backend()
    if backend not in ("tensorflow", "jax"):
        raise NotImplementedError(
            f"guided_backprop takes gradients with TensorFlow or JAX; the Keras backend here is {backend!r}."
        )
    if len(model.inputs) != 1:
        raise ValueError(f"guided_backprop needs a model with one input; this one has {len(model.inputs)}.")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(map(repr, RULES))}, got {rule!r}.")
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"the model has no layer named {layer_name!r}; its layers are: {', '.join(names)}.")
    images = np.asarray(images, dtype=np.float32)
    input_shape = tuple(model.inputs[0].shape)
    if images.ndim != len(input_shape):
        raise ValueError(
            f"images must be a batch shaped like {('N', *input_shape[1:])}, got shape {images.shape}; "
            "for one image pass image[None]."
        )
    out_shape = tuple(model.get_layer(layer_name).output.shape)
    channels = out_shape[-1]
    if unit is not None and not 0 <= unit < channels:
        raise ValueError(
            f"unit {unit} is out of range: layer {layer_name!r} has {channels} channels (0 to {channels - 1})."
        )
    if position is not None:
        if len(out_shape) != 4:
            raise ValueError(
                f"layer {layer_name!r} has no spatial positions (output {out_shape}); leave position=None."
            )
        rows, cols = out_shape[1:3]
        if not (0 <= position[0] < rows and 0 <= position[1] < cols):
            raise ValueError(f"position {tuple(position)} is outside the {rows}x{cols} output of layer {layer_name!r}.")

    guided = _guided_model(model, layer_name, rule)

    def score(x):
        return _chosen_activation(guided(x, training=False), unit, position, len(images))

    # Keras 3 has no backend-neutral gradient call, so each backend takes its own.
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(images)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = score(x)
        grads = tape.gradient(value, x)
    else:
        import jax

        grads = jax.grad(score)(images)
    return np.asarray(grads, dtype=np.float32)


def occlusion_sensitivity(model, image, label: int, patch: int = 8, stride: int = 4, fill=None, batch_size: int = 256):
    """Probability of the true class while a grey square hides part of the image (Zeiler & Fergus, Fig. 7).

    The square's top-left corner steps over ``(0, stride, 2*stride, ...)`` in both directions for as
    long as it fits, so the map has ``(H - patch) // stride + 1`` rows and ``(W - patch) // stride + 1``
    columns; cell ``[i, j]`` is the model's probability of ``label`` with the square at row
    ``i * stride``, column ``j * stride``. A low cell marks a region the prediction depends on.

    Args:
        model: a Keras classifier whose output is class probabilities (a softmax head).
        image: one image ``(H, W, C)``, prepared the way the model was trained on.
        label: the true class.
        patch: side of the square in pixels.
        stride: step between positions in pixels.
        fill: the square's value, one number or one per channel. None uses the image's own mean per
            channel (the paper's "grey square"); for data standardised to zero mean, 0 is the data
            set's mean and often the better choice.
        batch_size: occluded copies per forward pass (memory against speed).

    Returns:
        float array ``(rows, cols)`` of probabilities.

    Reference: M. D. Zeiler and R. Fergus, "Visualizing and Understanding Convolutional Networks", Sec. 4.2.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError(f"pass one image shaped (height, width, channels), got shape {image.shape}.")
    h, w, c = image.shape
    expected = tuple(model.inputs[0].shape[1:])
    if len(expected) != 3 or any(e not in (None, s) for e, s in zip(expected, image.shape, strict=True)):
        raise ValueError(f"the model expects images shaped {expected}, got {image.shape}.")
    classes = model.outputs[0].shape[-1]
    if not is_whole(label) or not 0 <= label < classes:
        raise ValueError(f"label {label} is not a class of this {classes}-class model.")
    label = int(label)
    if patch < 1 or stride < 1:
        raise ValueError(f"patch and stride must be at least 1 pixel, got patch {patch} and stride {stride}.")
    if patch > min(h, w):
        raise ValueError(f"patch {patch} is larger than the {h}x{w} image.")
    if fill is None:
        fill = image.mean(axis=(0, 1))
    fill = np.asarray(fill, dtype=np.float32)
    if fill.size not in (1, c):
        raise ValueError(f"fill must be one number or one per channel ({c}), got {fill.size} values.")
    fill = np.broadcast_to(fill.reshape(-1), (c,))

    rows, cols = (h - patch) // stride + 1, (w - patch) // stride + 1
    corners = [(i * stride, j * stride) for i in range(rows) for j in range(cols)]
    probabilities = []
    for start in range(0, len(corners), batch_size):
        chunk = corners[start : start + batch_size]
        batch = np.repeat(image[None], len(chunk), axis=0)
        for k, (y, x) in enumerate(chunk):
            batch[k, y : y + patch, x : x + patch] = fill
        out = np.asarray(model.predict_on_batch(batch), dtype=np.float64)
        if start == 0 and not (np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1.0, atol=1e-3)):
            raise ValueError(
                "the model's outputs are not probabilities (they do not sum to 1); give it a softmax head, "
                "e.g. keras.Sequential([model, keras.layers.Softmax()])."
            )
        probabilities.append(out[:, label])
    return np.concatenate(probabilities).reshape(rows, cols)

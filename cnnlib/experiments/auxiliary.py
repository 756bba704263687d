"""Training with auxiliary classifiers, and dropping them for inference (GoogLeNet, section 5).

GoogLeNet's training model has three outputs: the main classifier and two side classifiers on
intermediate blocks. Its loss is the main loss plus 0.3 times each side loss; at inference the
side classifiers are discarded. :func:`train_with_aux` trains such a model the way
:func:`cnnlib.training.train` trains a single-output one (Adam, cosine decay to zero, sparse
categorical cross-entropy, quietly); :func:`drop_auxiliary` copies the shared weights into the
inference model; :func:`accuracy` reads the main output.

``jit_compile`` defaults to False here: on the CPU, XLA compiles a network of many small
branches slowly and then runs it slower than TensorFlow's graph mode (measured on the scaled
GoogLeNet of notebook 07: about 4 times slower per epoch on two cores).
"""

from __future__ import annotations

import numpy as np

from cnnlib.training import reset_optimizer

__all__ = ["accuracy", "drop_auxiliary", "train_seeds", "train_with_aux"]


def train_with_aux(
    model,
    x,
    y,
    epochs: int,
    aux_weight: float = 0.3,
    batch_size: int = 64,
    learning_rate: float = 4e-3,
    jit_compile: bool = False,
):
    """Compile and fit a classifier whose first output is the main one and whose other outputs,
    if any, are auxiliary classifiers weighted by ``aux_weight`` in the loss.

    Args:
        model: a Keras model with one output or several (the main one first).
        x, y: training images and integer labels; every output is trained on the same labels.
        epochs, batch_size, learning_rate: as :func:`cnnlib.training.train`.
        aux_weight: loss weight of each auxiliary output (paper: 0.3); the main one has 1.
        jit_compile: compile with XLA (slow on the CPU for branchy networks, see the module docstring).

    Returns:
        Keras' ``History.history`` dict.
    """
    import keras

    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}.")
    if aux_weight < 0:
        raise ValueError(f"aux_weight must be 0 or more, got {aux_weight!r}.")
    outputs = len(model.outputs)
    steps = epochs * -(-len(x) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=["sparse_categorical_crossentropy"] * outputs,
        loss_weights=[1.0] + [float(aux_weight)] * (outputs - 1),
        jit_compile=jit_compile,
    )
    targets = y if outputs == 1 else [y] * outputs
    return model.fit(x, targets, epochs=epochs, batch_size=batch_size, verbose=0).history


def drop_auxiliary(training_model, inference_model):
    """Copy every weight of ``inference_model`` from the layer of the same name in
    ``training_model`` and return ``inference_model``: the auxiliary classifiers, which the
    inference model does not have, are left behind.

    Raises:
        ValueError: when a layer of the inference model has no counterpart with the same weights.
    """
    for layer in inference_model.layers:
        if not layer.weights:
            continue
        try:
            source = training_model.get_layer(layer.name)
        except ValueError:
            raise ValueError(
                f"the training model has no layer '{layer.name}': build both models with the same "
                "builder and arguments, with and without the auxiliary classifiers."
            ) from None
        shapes = [tuple(w.shape) for w in source.weights]
        if shapes != [tuple(w.shape) for w in layer.weights]:
            raise ValueError(f"layer '{layer.name}' has weights of shapes {shapes} in the training model and "
                             f"{[tuple(w.shape) for w in layer.weights]} in the inference model.")  # fmt: skip
        layer.set_weights(source.get_weights())
    return inference_model


def accuracy(model, x, y, batch_size: int = 500) -> float:
    """Share of ``x`` that the model's main (first) output classifies as ``y``."""
    probs = model.predict(x, batch_size=batch_size, verbose=0)
    if isinstance(probs, (list, tuple)):
        probs = probs[0]
    return float(np.mean(np.argmax(probs, axis=-1) == np.asarray(y).reshape(-1)))


def train_seeds(build, seeds, x, y, x_test, y_test, epochs: int, aux_weight: float = 0.3, **kwargs):
    """Train the network ``build()`` makes once per seed; return the test accuracies and the last model.

    Each run starts as a fresh one: ``keras.utils.set_random_seed(seed)``, a new model from
    ``build()``, a new optimizer state. The graph, though, is traced only once: the first model
    is compiled and trained, and for each later seed the fresh model's initial weights (and its
    dropout layers' random state) are copied into it and the optimizer's state is reset to
    zero. On the CPU that saves 1-3 s of tracing per run for a network of many layers.

    Args:
        build: a function without arguments that returns the model (as ``lambda: net(...)``).
        seeds: one run per seed, e.g. ``[S.seed, S.seed + 1, S.seed + 2]``.
        x, y, x_test, y_test: training and test images and labels.
        epochs, aux_weight, kwargs: as :func:`train_with_aux` (``batch_size``, ``learning_rate``).

    Returns:
        ``(accuracies, model)``: the main output's test accuracy of each run, in the order of
        ``seeds``, and the model of the last run.
    """
    import keras

    accuracies, model = [], None
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        fresh = build()
        if model is None:
            model = fresh
            train_with_aux(model, x, y, epochs, aux_weight, **kwargs)
        else:
            if len(fresh.variables) != len(model.variables):
                raise ValueError("build() made networks of different structure for two seeds.")
            for target, source in zip(model.variables, fresh.variables, strict=True):
                target.assign(source)
            reset_optimizer(model.optimizer)
            del fresh
            targets = y if len(model.outputs) == 1 else [y] * len(model.outputs)
            model.fit(x, targets, epochs=epochs, batch_size=kwargs.get("batch_size", 64), verbose=0)
        accuracies.append(accuracy(model, x_test, y_test))
    return accuracies, model

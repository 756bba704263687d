"""Training with auxiliary classifiers, and dropping them for inference (GoogLeNet, section 5).

GoogLeNet's training model has three outputs: the main classifier and two side classifiers on
intermediate blocks. Its loss is the main loss plus 0.3 times each side loss; at inference the
side classifiers are discarded. :func:`cnnlib.training.train_from_seeds` trains such a model
(``aux_weight``, the weight of each side loss), :func:`cnnlib.training.accuracy` reads the main
output, and :func:`drop_auxiliary` copies the shared weights into the inference model.

XLA stays off here (``jit_compile=False``): on the CPU it compiles a network of many small
branches slowly and then runs it slower than TensorFlow's graph mode (measured on the scaled
GoogLeNet of notebook 07: about 4 times slower per epoch on two cores).
"""

from __future__ import annotations

from cnnlib.training import train_from_seeds

__all__ = ["drop_auxiliary", "train_seeds"]


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


def train_seeds(
    build,
    seeds,
    x,
    y,
    x_test,
    y_test,
    epochs: int,
    aux_weight: float = 0.3,
    batch_size: int = 64,
    learning_rate: float = 4e-3,
    jit_compile: bool = False,
):
    """:func:`cnnlib.training.train_from_seeds` with a test set, returning ``(accuracies, model)``:
    the main output's test accuracy of each run, in the order of ``seeds``, and the model of the last
    run (notebook 07's form of the call).

    Args:
        build: a function without arguments that returns the model (as ``lambda: net(...)``).
        seeds: one run per seed, e.g. ``S.seeds(3)``.
        x, y, x_test, y_test: training and test images and labels.
        epochs, aux_weight, batch_size, learning_rate, jit_compile: as in ``train_from_seeds``.
    """
    runs = train_from_seeds(
        build, x, y, seeds, epochs, batch_size, learning_rate,
        test=(x_test, y_test), aux_weight=aux_weight, jit_compile=jit_compile,
    )  # fmt: skip
    return runs.final("test_accuracy"), runs.model

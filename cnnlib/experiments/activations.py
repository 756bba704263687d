"""ReLU against tanh as the AlexNet paper measured it (Figure 1): epochs to a training-error threshold.

Krizhevsky et al. (2012), section 3.1: a four-layer network (``cnnlib.models.figure1_net``) on CIFAR-10 reached
25 % training error six times faster with ReLUs than with tanh units, each activation at the learning rate that
made it fastest. Notebook 04 runs it live at a small scale; ``benchmarks/relu_tanh.py`` records it at the paper's
threshold.
"""

from __future__ import annotations

from functools import partial

import keras
import numpy as np

from cnnlib.models import figure1_net
from cnnlib.training import train_from_seeds

__all__ = ["StopAtThreshold", "epochs_to", "outcome", "reached", "training_errors"]


def epochs_to(errors, threshold: float) -> float:
    """The first epoch (from 1) whose training error is below ``threshold``; infinity if none."""
    below = np.flatnonzero(np.asarray(errors) < threshold)
    return int(below[0]) + 1 if len(below) else float("inf")


def reached(errors, threshold: float, epochs: int):
    """For a table: the epochs to the threshold; ``inf`` for a run that never got there (at chance, or not within
    ``epochs``); ``"> k"`` for one stopped after k epochs, as many as a faster learning rate had needed."""
    if np.isfinite(epochs_to(errors, threshold)) or len(errors) >= epochs or errors[-1] > 0.85:
        return epochs_to(errors, threshold)
    return f"> {len(errors)}"


class StopAtThreshold(keras.callbacks.Callback):
    """Stop once the training error is below ``threshold`` (all we want to know), or once a run is still at
    chance after 3 epochs (a learning rate too high for this activation: it never gets there)."""

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        error = 1 - logs["accuracy"]
        self.model.stop_training = error < self.threshold or (epoch >= 2 and error > 0.85)


def training_errors(activation: str, learning_rate: float, seeds, images, labels, epochs: int, threshold: float):
    """Per seed, the training error after each epoch (Keras' running mean over the epoch, as the paper plots it),
    with SGD (momentum 0.9, batch 64, no regularization), each run stopped at the threshold."""
    runs = train_from_seeds(partial(figure1_net, activation), images, labels, seeds, epochs, batch_size=64,
                            optimizer=lambda steps: keras.optimizers.SGD(learning_rate, momentum=0.9),
                            callbacks=[StopAtThreshold(threshold)])  # fmt: skip
    return [1 - np.array(run["accuracy"]) for run in runs]


def outcome(errors, threshold: float, stopped: str | None = None) -> str:
    """How a recorded run ended, for a table: the epochs to the threshold, ``"> k"`` for a run cut short after k
    epochs (as many as a faster learning rate had needed), ``"diverged"`` for one that stayed at chance."""
    if np.isfinite(epochs_to(errors, threshold)):
        return str(epochs_to(errors, threshold))
    return "diverged" if stopped == "diverged" else f"> {len(errors)}"

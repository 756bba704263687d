"""The degradation experiment: plain and residual networks of two depths, trained the same way.

He et al. (2016, Figure 1 and Figure 6) trained "plain" CIFAR-10 networks of 20 and 56 layers and
found that the deeper one ends with a *higher training* error — not overfitting, an optimization
failure — while ResNets of the same depths, which differ only by their shortcuts, get better with
depth. This module runs that comparison at any scale: notebook 08 on a CPU (narrow networks, small
images, a few hundred steps), ``benchmarks/degradation.py`` at the paper's.

Reference: K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition",
CVPR 2016, section 4.2.
"""

from __future__ import annotations

import numpy as np

from cnnlib.arithmetic.sizes import is_whole
from cnnlib.training import reset_optimizer


def downsample(images, factor: int = 2) -> np.ndarray:
    """Average ``factor x factor`` blocks of a batch ``(N, H, W, C)``: 32 x 32 CIFAR images -> 16 x 16.

    A quarter of the pixels is a quarter of the computation in every layer, so a CPU can train
    deep networks on the result; the objects are still recognisable.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be a batch (N, H, W, C), got shape {images.shape}.")
    n, h, w, c = images.shape
    if not is_whole(factor) or factor < 1 or h % factor or w % factor:
        raise ValueError(f"factor must be a whole number >= 1 that divides the image size {h} x {w}, got {factor!r}.")
    factor = int(factor)
    return images.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def _step_losses():
    """A callback that records the loss and the wall time of every training step (Keras logs only
    the epoch's running mean)."""
    import time

    import keras

    class StepLosses(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.seconds = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self._previous = 0.0

        def on_train_batch_begin(self, batch, logs=None):
            self._start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)
            # logs["loss"] is the mean over the epoch's first batch + 1 steps: undo the averaging. (The
            # last batch of an epoch may be smaller; it is counted as a full one, a small error.)
            mean = float(logs["loss"])
            self.losses.append((batch + 1) * mean - batch * self._previous)
            self._previous = mean

    return StepLosses()


def train_from_seeds(
    build,
    x,
    y,
    seeds,
    epochs: int,
    batch_size: int = 128,
    learning_rate: float = 4e-3,
    optimizer=None,
    test=None,
) -> list[dict]:
    """Train one architecture from several seeds, the same way each time; return each run's history.

    ``build()`` is called under ``keras.utils.set_random_seed(seed)`` for each seed, so run ``k``
    starts from the weights a fresh model made with that seed would have. The first model is
    compiled once and trained again from each new starting point (its weights and its optimizer
    reset): one traced training step serves every seed, which on a CPU saves seconds per run.

    Args:
        build: a function without arguments that returns a new (uncompiled) Keras classifier.
        x, y: training images and integer labels.
        seeds: the seeds, e.g. ``range(S.seed, S.seed + 3)``.
        epochs, batch_size: as in ``fit``.
        learning_rate: peak learning rate of the default optimizer, Adam with a cosine decay to zero
            over the run (``cnnlib.training.train``'s).
        optimizer: a function ``steps -> optimizer`` instead, e.g. SGD with momentum.
        test: ``(x_test, y_test)`` to measure each trained model's accuracy on, or None.

    Returns:
        One dict per seed: Keras' history, ``{"loss": [...], "accuracy": [...]}`` per epoch,
        ``"step_loss"``, the training loss of every step, ``"step_seconds"``, the wall time of every
        step (the first one of the first seed includes tracing the step), and with ``test``,
        ``"test_accuracy"``.
    """
    import keras

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed, e.g. [0, 1, 2].")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}.")
    steps = epochs * -(-len(x) // batch_size)
    model, histories = None, []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        fresh = build()
        if model is None:
            model = fresh
            if optimizer is None:
                opt = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps))
            else:
                opt = optimizer(steps)
            model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        else:
            model.set_weights(fresh.get_weights())
            reset_optimizer(model.optimizer)
            del fresh
        keras.utils.set_random_seed(seed)  # the order of the batches, too
        steps_seen = _step_losses()
        fit = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[steps_seen])
        history = {key: [float(v) for v in values] for key, values in fit.history.items()}
        history["step_loss"] = steps_seen.losses
        history["step_seconds"] = steps_seen.seconds
        if test is not None:
            history["test_accuracy"] = accuracy_on(model, *test)
        histories.append(history)
    return histories


def accuracy_on(model, x, y, batch_size: int = 500) -> float:
    """Fraction of ``x`` that ``model`` classifies as ``y``, predicted in eager batches (no traced
    prediction function: one more trace would cost seconds per architecture on a CPU)."""
    y = np.asarray(y).ravel()
    if len(x) != len(y) or not len(y):
        raise ValueError(f"need as many test labels as images (at least one), got {len(x)} images and {len(y)} labels.")
    right = 0
    for start in range(0, len(x), batch_size):
        scores = np.asarray(model(x[start : start + batch_size], training=False))
        right += int((scores.argmax(axis=-1) == y[start : start + batch_size]).sum())
    return right / len(y)


def degradation_experiment(
    depths,
    x,
    y,
    seeds,
    epochs: int,
    base_width: int = 16,
    batch_size: int = 128,
    learning_rate: float = 4e-3,
    shortcut: str = "A",
    optimizer=None,
) -> dict[str, list[dict]]:
    """Plain and residual CIFAR networks of each depth, each trained from every seed the same way.

    Args:
        depths: network depths ``6n + 2``, e.g. ``(8, 20)`` or the paper's ``(20, 56)``.
        x, y: training images (any size the networks take, e.g. 16 x 16) and integer labels.
        seeds: seeds of the runs; every network is trained once from each.
        epochs, batch_size, learning_rate, optimizer: as in :func:`train_from_seeds`.
        base_width: filters of the first stage (the paper's 16).
        shortcut: the residual networks' option where the shape changes, ``"A"`` or ``"B"``.

    Returns:
        ``{"plain8": [history per seed], "resnet8": [...], ...}``, plain before residual for each depth.
    """
    from cnnlib.models.resnet import cifar_resnet

    if shortcut not in ("A", "B"):
        raise ValueError(f"shortcut must be 'A' or 'B' for the residual networks, got {shortcut!r}.")
    shape = tuple(np.shape(x)[1:])
    runs = {}
    for depth in depths:
        for kind, option in (("plain", None), ("resnet", shortcut)):
            name = f"{kind}{depth}"

            def build(depth=depth, option=option, name=name):
                return cifar_resnet(depth, option, input_shape=shape, base_width=base_width, name=name)

            runs[name] = train_from_seeds(build, x, y, seeds, epochs, batch_size, learning_rate, optimizer)
    return runs


def final_losses(runs: dict[str, list[dict]], key: str = "loss") -> dict[str, list[float]]:
    """The last epoch's value of ``key`` for every run: ``{"plain20": [seed 0, seed 1, ...], ...}``."""
    return {name: [history[key][-1] for history in histories] for name, histories in runs.items()}

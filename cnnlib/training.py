"""Seeding, device detection and the scale switch (the first cell of every notebook).

``S = setup()`` seeds Python, NumPy and the Keras backend, prints the versions and whether a
GPU is there, and returns a :class:`Session` whose ``S.pick(small=..., full=...)`` chooses
between the CPU-sized run (the default, and what the tests run) and the full run. The full
run is chosen by ``CNNLIB_SCALE=full``, by ``setup(scale="full")``, or automatically when a
GPU is present and ``CNNLIB_SCALE`` is unset — so a notebook scales up without edited cells.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SCALES = ("small", "full")


@dataclass(frozen=True)
class Session:
    """What ``setup`` decided: the seed, whether a GPU is used and the run size."""

    seed: int
    gpu: bool
    scale: str

    @property
    def full(self) -> bool:
        return self.scale == "full"

    def pick(self, small, full):
        """``small`` on the CPU-sized run, ``full`` on the full one."""
        return full if self.full else small


def _resolve_scale(scale: str | None, gpu: bool) -> str:
    scale = scale or os.environ.get("CNNLIB_SCALE") or ("full" if gpu else "small")
    scale = scale.strip().lower()
    if scale not in SCALES:
        raise ValueError(f"scale must be 'small' or 'full', got {scale!r}.")
    return scale


def _resolve_seed(seed: int | None) -> int:
    if seed is not None:
        return int(seed)
    text = os.environ.get("CNNLIB_SEED", "0").strip() or "0"
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"CNNLIB_SEED must be a whole number such as 0, 1 or 2, got {text!r}.") from None


def setup(seed: int | None = None, scale: str | None = None, report: bool = True) -> Session:
    """Seed everything, report the stack and choose the run size.

    Args:
        seed: seed for Python, NumPy and the Keras backend (``keras.utils.set_random_seed``);
            default from ``CNNLIB_SEED``, else 0. Notebooks reseed with ``S.seed`` before each
            training run, so the robustness sweep (``python3 tasks.py check``) changes every run.
        scale: ``"small"`` or ``"full"``; default from ``CNNLIB_SCALE``, else ``"full"`` on a GPU.
        report: print one line per fact.
    """
    # Quiet TensorFlow's C++ start-up logging before the first import; it goes to the
    # terminal, not the notebook, but learners mistake it for errors.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import matplotlib

    if keras.backend.backend() == "jax":
        # JAX computes in float32 unless told otherwise; the notebooks' float64 reference
        # comparisons (NumPy = Keras to 1e-6) need 64-bit arrays to mean what they say.
        import jax

        jax.config.update("jax_enable_x64", True)
    gpu = _has_gpu(keras.backend.backend())
    seed = _resolve_seed(seed)
    session = Session(seed=seed, gpu=gpu, scale=_resolve_scale(scale, gpu))
    keras.utils.set_random_seed(seed)
    matplotlib.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80, "font.size": 10})
    _show_figures_as_png()
    if report:
        backend = keras.backend.backend()
        versions = f"Keras {keras.__version__}, backend {backend}"
        if backend == "tensorflow":
            import tensorflow as tf

            versions = f"TensorFlow {tf.__version__}, " + versions
        print(versions)
        print(f"GPU: {'yes' if gpu else 'none, running on the CPU'}")
        print(f"scale: {session.scale} (set CNNLIB_SCALE=full for the full-size runs), seed {seed}")
    return session


def _show_figures_as_png() -> None:
    """Make a returned Figure display as one PNG (cnnlib's figures are not pyplot's).

    PNG, never SVG: nbval skips PNG but compares SVG, which is never byte-stable.
    """
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png")


def _has_gpu(backend: str) -> bool:
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    if backend == "jax":
        import jax

        return any(d.platform == "gpu" for d in jax.devices())
    return False


def live_plot(title: str | None = None):
    """A Keras callback that redraws loss/accuracy curves in place after every epoch.

    In a notebook it shows one figure and updates it (``display_id``); the stored output is
    the final figure, so a re-run compares one PNG (skipped by nbval) and the same text.
    Outside a notebook it draws nothing. ``callback.history`` holds the numbers.
    """
    import keras

    from cnnlib.viz.learning import draw_history

    class LivePlot(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.history, self._handle, self._fig = {}, None, None

        def on_epoch_end(self, epoch, logs=None):
            for key, value in (logs or {}).items():
                self.history.setdefault(key, []).append(float(value))
            self._fig = draw_history(self.history, axes=None if self._fig is None else self._fig.axes, title=title)
            try:
                from IPython import get_ipython
                from IPython.display import display
            except ImportError:
                return
            if get_ipython() is None:
                return
            if self._handle is None:
                self._handle = display(self._fig, display_id=True)
            else:
                self._handle.update(self._fig)

    return LivePlot()


def train(
    model,
    x,
    y,
    epochs: int,
    batch_size: int = 128,
    learning_rate: float = 4e-3,
    validation_data=None,
    plot: bool = False,
    title: str | None = None,
    distribute: bool = False,
):
    """Compile and fit a classifier the way the notebooks do, quietly.

    Adam with a cosine learning-rate decay to zero over the whole run (a short run then ends
    at its best), sparse categorical cross-entropy, accuracy; ``verbose=0`` (progress bars are
    not repeatable), optionally with the live plot.

    Args:
        distribute: train data-parallel over every local GPU (or CPU device), or over the hosts
            that ``TF_CONFIG`` (TensorFlow) or ``KERAS_DISTRIBUTION_*`` (JAX) describe; the global
            ``batch_size`` is split evenly across them (see :mod:`cnnlib.distribute`). ``model``
            ends with the trained weights either way.

    Returns:
        Keras' ``History.history`` dict.
    """
    import contextlib

    import keras

    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}.")
    steps = epochs * -(-len(x) // batch_size)
    if distribute:
        from cnnlib.distribute import replicated

        context = replicated(model, batch_size)
    else:
        context = contextlib.nullcontext(model)
    with context as trained:
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
        trained.compile(
            optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        callbacks = [live_plot(title)] if plot else []
        history = trained.fit(
            x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data, verbose=0, callbacks=callbacks
        )
    return history.history


def reset_optimizer(optimizer) -> None:
    """Put an optimizer back to its start: the step counter (which drives a learning-rate schedule)
    and its moments to zero, so a model re-initialised in place trains as a fresh one would. A
    constant learning rate is a variable of the optimizer too, and stays. Works on any backend."""
    import numpy as np

    learning_rate = getattr(optimizer, "_learning_rate", None)
    for variable in optimizer.variables:
        if variable is not learning_rate:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))


def forget(*names: str, namespace: dict | None = None) -> None:
    """Drop notebook variables that hold big models and free their memory now.

    ``forget("zfnet")`` deletes ``zfnet`` from the notebook's namespace and runs the garbage
    collector: Keras models hold reference cycles, so ``del`` alone frees their weights only at
    some later collection — too late for a 2 GB session that trains next.

    Args:
        names: the variables to drop; a missing one is ignored.
        namespace: where they live; default the running notebook's (IPython's user namespace).
    """
    import gc

    if namespace is None:
        try:
            from IPython import get_ipython
        except ImportError:
            get_ipython = None
        shell = get_ipython() if get_ipython else None
        namespace = shell.user_ns if shell is not None else {}
    for name in names:
        namespace.pop(name, None)
    gc.collect()

"""Seeding, device detection and the scale switch (the first cell of every notebook), and training.

``S = setup()`` seeds Python, NumPy and the Keras backend, prints the versions and whether a
GPU is there, and returns a :class:`Session` whose ``S.pick(small=..., full=...)`` chooses
between the CPU-sized run (the default, and what the tests run) and the full run. The full
run is chosen by ``CNNLIB_SCALE=full``, by ``setup(scale="full")``, or automatically when a
GPU is present and ``CNNLIB_SCALE`` is unset — so a notebook scales up without edited cells.

Training: :func:`train` fits one model; :func:`train_from_seeds` trains one architecture from
each of ``S.seeds(3)`` the same way (a comparison between networks is a comparison between means
over seeds); :func:`accuracy` measures a trained classifier.
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

    def seeds(self, n: int = 3) -> list[int]:
        """The seeds of a comparison over ``n`` runs: ``[S.seed, S.seed + 1, ...]``.

        Starting from ``S.seed``, the robustness sweep (``python3 tasks.py check --seeds 1 2``)
        moves every run of a comparison to new seeds.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n is the number of seeds, a whole number of at least 1; got {n!r}.")
        return [self.seed + k for k in range(n)]


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

    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}.")
    steps = epochs * -(-len(x) // batch_size)
    if distribute:
        from cnnlib.distribute import replicated

        context = replicated(model, batch_size)
    else:
        context = contextlib.nullcontext(model)
    with context as trained:
        trained.compile(
            optimizer=cosine_adam(learning_rate, steps), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        callbacks = [live_plot(title)] if plot else []
        history = trained.fit(
            x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data, verbose=0, callbacks=callbacks
        )
    return history.history


def cosine_adam(learning_rate: float, steps: int):
    """The notebooks' default optimizer: Adam whose learning rate decays from ``learning_rate`` to
    zero over ``steps`` steps along a cosine (a short run then ends at its best)."""
    import keras

    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps))


class Runs(list):
    """What :func:`train_from_seeds` returns: one history dict per seed, in the order of the seeds.

    Attributes:
        model: the network trained from the last seed.
        models: with ``keep_models=True``, the network trained from each seed (in the order of the
            seeds; the last one is ``model``); otherwise None.
    """

    def __init__(self, histories, model, models=None):
        super().__init__(histories)
        self.model = model
        self.models = models

    def final(self, key: str) -> list[float]:
        """Each seed's value of ``key``: ``runs.final("test_accuracy")``; for a per-epoch entry such as
        ``"loss"``, the last epoch's."""
        if not self:
            return []
        if key not in self[0]:
            raise KeyError(f"the runs recorded no {key!r}; they have {', '.join(sorted(self[0]))}.")
        return [float(run[key][-1] if isinstance(run[key], list) else run[key]) for run in self]


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
    aux_weight: float = 0.3,
    callbacks=(),
    keep_models: bool = False,
    jit_compile="auto",
) -> Runs:
    """Train one architecture from several seeds, the same way each time; return each run's history.

    ``build()`` is called under ``keras.utils.set_random_seed(seed)`` for each seed, so run ``k``
    starts from the weights (and dropout or augmentation state) a fresh model made with that seed
    would have; the seed is set again before ``fit``, for the order of the batches. The first model
    is compiled once and trained again from each new starting point (its variables and its
    optimizer reset): one traced training step serves every seed, which on a CPU saves seconds per
    run. The numbers can differ from fresh runs' in the last digits.

    A model with several outputs (GoogLeNet's auxiliary classifiers) is trained on the same labels
    at every output, the first (main) one with loss weight 1 and each other one with ``aux_weight``.

    Args:
        build: a function without arguments that returns a new (uncompiled) Keras classifier.
        x, y: training images and integer labels.
        seeds: the seeds, e.g. ``S.seeds(3)``.
        epochs, batch_size: as in ``fit``.
        learning_rate: peak learning rate of the default optimizer, :func:`cosine_adam` (:func:`train`'s).
        optimizer: a function ``steps -> optimizer`` instead (``steps``: the run's number of training
            steps), e.g. ``lambda steps: keras.optimizers.SGD(0.01, momentum=0.9)``.
        test: ``(x_test, y_test)`` to measure each trained model's :func:`accuracy` on, or None.
        aux_weight: loss weight of each output after the first (the GoogLeNet paper's 0.3).
        callbacks: Keras callbacks for every run's ``fit`` (e.g. one that stops early).
        keep_models: keep each seed's trained network (in ``Runs.models``; a copy for all but the last).
        jit_compile: as in ``compile``; False avoids XLA, which compiles networks of many small branches
            slowly on a CPU and runs them slower than TensorFlow's graph mode.

    Returns:
        :class:`Runs`, one dict per seed: Keras' history per epoch (``"loss"``, and ``"accuracy"`` for a
        single-output model), ``"step_loss"``, the training loss of every step, ``"step_seconds"``, the
        wall time of every step (the first one of the first seed includes tracing the step), and with
        ``test``, ``"test_accuracy"``; ``.model``, the network of the last seed.
    """
    import keras

    from cnnlib.experiments.measure import step_recorder

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed, e.g. S.seeds(3).")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}.")
    if aux_weight < 0:
        raise ValueError(f"aux_weight must be 0 or more, got {aux_weight!r}.")
    steps = epochs * -(-len(x) // batch_size)
    model, histories, models = None, [], [] if keep_models else None
    for k, seed in enumerate(seeds):
        keras.utils.set_random_seed(seed)
        fresh = build()
        if model is None:
            model = fresh
            outputs = len(model.outputs)
            model.compile(
                optimizer=cosine_adam(learning_rate, steps) if optimizer is None else optimizer(steps),
                loss=["sparse_categorical_crossentropy"] * outputs
                if outputs > 1
                else "sparse_categorical_crossentropy",
                loss_weights=[1.0] + [float(aux_weight)] * (outputs - 1) if outputs > 1 else None,
                metrics=None if outputs > 1 else ["accuracy"],
                jit_compile=jit_compile,
            )
            targets = [y] * outputs if outputs > 1 else y
        else:
            _copy_variables(fresh, model)
            reset_optimizer(model.optimizer)
        keras.utils.set_random_seed(seed)  # the order of the batches, too
        recorder = step_recorder()
        fit = model.fit(x, targets, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[recorder, *callbacks])
        history = {key: [float(v) for v in values] for key, values in fit.history.items()}
        history["step_loss"] = recorder.losses
        history["step_seconds"] = recorder.seconds
        if test is not None:
            history["test_accuracy"] = accuracy(model, *test)
        histories.append(history)
        if keep_models and k < len(seeds) - 1:
            holder = build() if fresh is model else fresh
            _copy_variables(model, holder)
            models.append(holder)
        del fresh
    if keep_models:
        models.append(model)
    return Runs(histories, model, models)


def _copy_variables(source, target) -> None:
    """Every variable of ``target`` from ``source``, a network of the same structure: weights,
    normalization statistics and the random state of dropout and augmentation layers."""
    if len(source.variables) != len(target.variables):
        raise ValueError("build() made networks of different structure for two seeds.")
    for to, value in zip(target.variables, source.variables, strict=True):
        to.assign(value)


def accuracy(model, x, y, batch_size: int = 500) -> float:
    """Share of ``x`` that ``model`` classifies as ``y``; for a model with several outputs, its first (main) one.

    Predicted in eager batches, in inference mode (no dropout, no augmentation): no traced prediction
    function, which would cost seconds per architecture on a CPU.
    """
    import keras
    import numpy as np

    y = np.asarray(y).ravel()
    if len(x) != len(y) or not len(y):
        raise ValueError(f"need as many labels as images (at least one), got {len(x)} images and {len(y)} labels.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    right = 0
    for start in range(0, len(y), batch_size):
        scores = model(x[start : start + batch_size], training=False)
        if isinstance(scores, (list, tuple)):
            scores = scores[0]
        predicted = keras.ops.convert_to_numpy(scores).argmax(axis=-1)
        right += int((predicted == y[start : start + batch_size]).sum())
    return right / len(y)


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

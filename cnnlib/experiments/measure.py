"""Measurements behind the notebooks' "check the claim" cells.

Each claim that comes back in several notebooks — time per training step, how much a
representation changes when the input shifts, how much activation memory a network keeps —
is measured by one function here rather than by code pasted into cells.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np


def shift_images(images, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Shift a batch ``(N, H, W[, C])`` by whole pixels, filling with zeros (no wrap-around)."""
    images = np.asarray(images)
    out = np.zeros_like(images)
    h, w = images.shape[1:3]
    if abs(dx) >= w or abs(dy) >= h:
        raise ValueError(f"a shift of ({dx}, {dy}) moves a {h}x{w} image out of view.")
    src_y, dst_y = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    src_x, dst_x = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[:, dst_y, dst_x] = images[:, src_y, src_x]
    return out


def shift_sensitivity(features, images, shifts=(1, 2, 3, 4)) -> dict[int, float]:
    """How much a representation changes when the input moves by a few pixels.

    For each shift ``s`` the images are moved ``s`` pixels right and, separately, ``s`` down;
    the result is the mean over images and both directions of
    ``||f(shifted) - f(original)|| / ||f(original)||`` — 0 means perfectly invariant.

    Args:
        features: a function (or Keras model) mapping a batch of images to a batch of features.
        images: ``(N, H, W, C)`` float images.
        shifts: pixel shifts to try.
    """
    images = np.asarray(images, dtype=np.float32)

    def f(x, batch=50):
        # In batches and in float32: the feature maps of a few hundred images are large.
        parts = [np.asarray(features(x[i : i + batch]), dtype=np.float32) for i in range(0, len(x), batch)]
        return np.concatenate(parts).reshape(len(x), -1)

    base = f(images)
    norms = np.linalg.norm(base, axis=1)
    keep = norms > 0
    if not keep.any():
        raise ValueError("the features are all zero for these images; nothing to compare.")
    result = {}
    for s in shifts:
        changes = []
        for dx, dy in ((s, 0), (0, s)):
            moved = f(shift_images(images, dx, dy))
            changes.append(np.linalg.norm(moved - base, axis=1)[keep] / norms[keep])
        result[int(s)] = float(np.mean(changes))
    return result


def step_recorder():
    """A Keras callback that records the loss and the wall time of every training step of a ``fit``
    (Keras logs only the epoch's running mean): ``.losses`` and ``.seconds``, one entry per step.
    :func:`cnnlib.training.train_from_seeds` records every run with it."""
    import keras

    class StepRecorder(keras.callbacks.Callback):
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

    return StepRecorder()


def step_times(models, x, y, batch_size: int = 64, steps: int = 10, warmup: int = 2) -> dict[str, float]:
    """Median seconds of one training step (``train_on_batch``) for each of several compiled Keras
    models, taken in turns (for one model: ``step_times({"net": net}, x, y)["net"]``).

    The models step in alternation (a, b, a, b, ...), so a change of load on a shared machine
    during the measurement slows all of them alike and their ratio stays meaningful. (The time of
    every step of a real training run: :func:`step_recorder`.)

    Args:
        models: a dict of name to compiled model, all taking ``x`` and ``y``.
        x, y: training data; the first ``batch_size`` examples are used.
    """
    if len(x) < batch_size:
        raise ValueError(f"need at least one batch of {batch_size} examples, got {len(x)}.")
    xb, yb = x[:batch_size], y[:batch_size]
    for model in models.values():
        for _ in range(warmup):  # the first calls trace and compile the step
            model.train_on_batch(xb, yb)
    times = {name: [] for name in models}
    for _ in range(steps):
        for name, model in models.items():
            start = time.perf_counter()
            model.train_on_batch(xb, yb)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def activation_elements(model) -> int:
    """Numbers the layers of a model output for one example (what training keeps for backprop).

    Counted from the layers' output shapes (every layer but the input); times 4 bytes for float32.
    ``cnnlib.arithmetic.activation_memory`` gives the same per layer.
    """
    from cnnlib.arithmetic import activation_memory, layer_table

    return sum(r.values for r in activation_memory(layer_table(model), skip=("InputLayer",)))


def output_std(model, x, types=("Conv2D", "Dense")) -> dict[str, float]:
    """Standard deviation of each weight layer's output over a batch ``x``, by layer name.

    At initialization this is the forward signal a network passes on: a good initialization keeps
    it about constant from layer to layer, a too small one shrinks it by a constant factor per
    layer (He et al., 2015, section 2.2).
    """
    import keras

    layers = [layer for layer in model.layers if type(layer).__name__ in types]
    if not layers:
        raise ValueError(f"{model.name} has no layer of type {', '.join(types)}.")
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    probe = keras.Model(inputs, [layer.output for layer in layers])
    outputs = probe(np.asarray(x))
    return {layer.name: float(np.std(keras.ops.convert_to_numpy(y))) for layer, y in zip(layers, outputs, strict=True)}


def gradient_norms(model, x, y, types=("Conv2D", "Dense"), from_logits: bool = False) -> dict[str, float]:
    """Norm of the loss gradient for each weight layer's kernel, by layer name, on one batch.

    The backward signal, as :func:`output_std` is the forward one: at initialization it tells
    whether the first layers get a gradient to learn from. The loss is the sparse categorical
    cross-entropy of ``model(x)`` against the integer labels ``y``, computed as in a training step
    (batch normalization with the batch's statistics) but without changing the model: its moving
    averages are left as they were.

    Args:
        model: a Keras classifier.
        x, y: a batch of inputs and integer labels.
        types: the layer types whose kernels are measured.
        from_logits: the model outputs logits, not probabilities.
    """
    import keras

    backend = keras.backend.backend()
    layers = [la for la in model.layers if type(la).__name__ in types and getattr(la, "kernel", None) is not None]
    if not layers:
        raise ValueError(f"{model.name} has no layer of type {', '.join(types)} with a kernel.")
    x, y = np.asarray(x, dtype="float32"), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have as many examples; got {len(x)} and {len(y)}.")
    paths = [v.path for v in model.trainable_variables]
    index = {layer.name: paths.index(layer.kernel.path) for layer in layers}
    non_trainable = [v.value for v in model.non_trainable_variables]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)

    def loss(trainable):
        out, _ = model.stateless_call(trainable, non_trainable, x, training=True)
        return loss_fn(y, out)

    # Keras 3 has no backend-neutral gradient call, so each backend takes its own.
    if backend == "tensorflow":
        import tensorflow as tf

        trainable = [tf.convert_to_tensor(v.value) for v in model.trainable_variables]
        with tf.GradientTape() as tape:
            tape.watch(trainable)
            value = loss(trainable)
        grads = tape.gradient(value, trainable)
    elif backend == "jax":
        import jax

        grads = jax.grad(loss)([v.value for v in model.trainable_variables])
    elif backend == "torch":
        trainable = [v.value.detach().clone().requires_grad_(True) for v in model.trainable_variables]
        loss(trainable).backward()
        grads = [t.grad for t in trainable]
    else:
        raise NotImplementedError(f"gradient_norms takes gradients with TensorFlow, JAX or torch, not {backend!r}.")
    return {name: float(np.linalg.norm(keras.ops.convert_to_numpy(grads[i]))) for name, i in index.items()}


def surviving_peak(pool: int, mode: str) -> float:
    """A single strong activation in a pool×pool window: what each downsampling keeps.

    Returns the mean, over every position of the peak in the window, of what is passed on by
    ``"max"`` pooling, ``"avg"`` pooling and a ``"strided"`` 1×1 sampling, for a peak of 1.0
    on zeros — the constructed case of notes §1.2.3.
    """
    from cnnlib import ops

    kept = []
    for i in range(pool):
        for j in range(pool):
            fmap = np.zeros((pool, pool))
            fmap[i, j] = 1.0
            if mode == "max":
                kept.append(ops.max_pool2d(fmap, pool)[0, 0, 0, 0])
            elif mode == "avg":
                kept.append(ops.avg_pool2d(fmap, pool)[0, 0, 0, 0])
            elif mode == "strided":
                kept.append(ops.conv2d(fmap, np.ones((1, 1)), strides=pool)[0, 0, 0, 0])
            else:
                raise ValueError(f"mode must be 'max', 'avg' or 'strided', got {mode!r}.")
    return float(np.mean(kept))


@contextlib.contextmanager
def zero_initializers():
    """Every Keras initializer returns NumPy zeros while models are built.

    For a model whose weights are loaded right after (``tools.crosscheck``) or whose values do
    not matter (timing a forward pass): on JAX, drawing them would compile a random-number
    program for every new weight shape (GoogLeNet, DenseNets: 20-30 s of a 25-35 s build on two
    cores), and on TensorFlow VGG-16's random fc1 (411 MB) is drawn next to its variable, which
    doubles the build's peak memory.
    """
    import keras

    classes = [
        c
        for c in vars(keras.initializers).values()
        if isinstance(c, type) and issubclass(c, keras.initializers.Initializer)
    ]
    saved = {c: c.__dict__.get("__call__") for c in classes}

    def zeros(self, shape, dtype=None):
        return np.zeros(shape, dtype=keras.backend.standardize_dtype(dtype or keras.config.floatx()))

    for c in classes:
        c.__call__ = zeros
    try:
        yield
    finally:
        for c, call in saved.items():
            if call is None:
                del c.__call__
            else:
                c.__call__ = call

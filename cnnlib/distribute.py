"""Data-parallel training over every local accelerator, or over several hosts.

``cnnlib.training.train(..., distribute=True)`` uses the engines that already exist:

- TensorFlow: ``tf.distribute.MirroredStrategy`` over all local GPUs (or, without one, all logical
  CPUs), or ``tf.distribute.MultiWorkerMirroredStrategy`` when ``TF_CONFIG`` describes a cluster.
- JAX: ``keras.distribution.DataParallel`` over all local devices; on several hosts, set
  ``KERAS_DISTRIBUTION_JOB_ADDRESSES``, ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and
  ``KERAS_DISTRIBUTION_PROCESS_ID`` (``keras.distribution.initialize`` reads them).

Each replica gets an equal share of the global ``batch_size``; the gradients are averaged
across replicas, so one step does what one device would do on the whole batch (up to the order
of floating-point sums; batch normalization's statistics are per replica). Variables must be
created inside the strategy, so the model is cloned there, trained, and its weights copied back
into the model passed in.
"""

from __future__ import annotations

import contextlib
import os


def data_parallel_scope():
    """``(scope, replicas)``: the context that places variables on every replica, and how many there are."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if os.environ.get("TF_CONFIG"):
            strategy = tf.distribute.MultiWorkerMirroredStrategy()
        else:
            devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
            strategy = tf.distribute.MirroredStrategy([d.name for d in devices])
        return strategy.scope(), strategy.num_replicas_in_sync
    if backend == "jax":
        if os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES"):
            keras.distribution.initialize()
        devices = keras.distribution.list_devices()
        return keras.distribution.DataParallel(devices=devices).scope(), len(devices)
    raise RuntimeError(
        f"distribute=True trains data-parallel on TensorFlow or JAX; this is Keras on {backend}. "
        "Set KERAS_BACKEND=tensorflow or jax (or train on one device: distribute=False)."
    )


@contextlib.contextmanager
def replicated(model, batch_size: int):
    """Yield a copy of ``model`` whose variables live on every replica; on exit copy its weights back.

    Raises a sentence when ``batch_size`` cannot be split evenly over the replicas.
    """
    import keras

    scope, replicas = data_parallel_scope()
    if batch_size % replicas:
        raise ValueError(
            f"batch_size {batch_size} cannot be split evenly over {replicas} devices; "
            f"use a multiple of {replicas}, e.g. {replicas * max(1, batch_size // replicas)}."
        )
    with scope:
        copy = keras.models.clone_model(model)
        copy.set_weights(model.get_weights())
        yield copy
    model.set_weights(copy.get_weights())

"""JAX for the cross-backend tests, kept off the notebooks' path.

TensorFlow imports JAX when it finds it (``tensorflow/lite/python/util.py``: ``from jax import jit``),
which costs every TensorFlow kernel about 120 MB and a slower start. So ``python3 tasks.py test``
installs JAX not into the environment but into the folder ``.venv/jax-site`` beside it, and only
the test processes that run Keras on JAX put that folder on their path (:func:`jax_env`).
Where JAX is installed in the environment itself (``pip install -e '.[jax]'``) that works as well.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

SITE = Path(sys.prefix) / "jax-site"


def jax_available() -> bool:
    """Whether a child process can run Keras on JAX: JAX installed here, or in ``.venv/jax-site``."""
    return importlib.util.find_spec("jax") is not None or (SITE / "jax").is_dir()


def jax_cache_dir() -> Path:
    """Where JAX keeps the programs it compiled for cnnlib's tests, across runs and checkouts: a user cache,
    like pip's wheels (a few MB): compiling is most of a JAX test's time."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cnnlib" / "jax"


def jax_env(**more) -> dict:
    """This process's environment for a child that runs Keras on JAX (``KERAS_BACKEND=jax`` is set), with JAX's
    persistent compilation cache in :func:`jax_cache_dir` unless ``JAX_COMPILATION_CACHE_DIR`` says otherwise."""
    env = {**os.environ, "KERAS_BACKEND": "jax", **more}
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(jax_cache_dir()))
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")  # every program, not only slow ones
    if (SITE / "jax").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SITE), env.get("PYTHONPATH", "")) if p)
    return env


SKIP_REASON = "JAX is not installed: python3 tasks.py test puts it in .venv/jax-site (or pip install -e '.[jax]')"

"""The measured memory of one training step, in a fresh process per model and batch size.

A process's peak memory cannot be reset from inside a notebook, and TensorFlow keeps on the
CPU what a step freed, so the memory of one training step can only be read in a process that has
done nothing else. :func:`training_step_memory` starts one per batch size: it builds the model
from an importable builder, compiles it with plain SGD and runs two training steps on random
data. It records the process's peak after the first step (which traces and compiles) and the
rise above the resident memory during the second. The difference between two batch sizes, per
image, is the memory that grows with the batch — the activations training keeps for the backward
pass and their gradients — with the import, the compiled step and the weights subtracted out.

Which of the two figures shows it depends on the backend's allocator. TensorFlow keeps what the
first step freed and reuses it, so the activations stay in the resident memory: the peak grows
with the batch, steadily (a DenseNet/ResNet ratio of 3.1-3.7 over our runs). JAX (XLA) plans and
keeps its own buffers and its compiler's peak varies by tens of MB from one process to the next;
the rise during a warm second step is the better of its figures, but it was erratic in our runs
(the same ratio came out 12 once and under 2 in another). So the processes run TensorFlow
wherever it is installed, whatever this process's backend; ``StepMemory.per_image`` uses the peak
on TensorFlow and the rise elsewhere, and both are kept.

Run as ``python -m cnnlib.experiments.step_memory MODULE:FUNCTION KWARGS_JSON BATCH`` (what the parent does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StepMemory:
    """The memory of a training step at each batch size, in bytes."""

    name: str
    backend: str
    batch_sizes: tuple[int, ...]
    baseline: tuple[int, ...]  # peak before the first step: Python, the backend, the model
    peak: tuple[int, ...]  # peak after the first step (traced, compiled, run)
    rise: tuple[int, ...]  # during the second step, the peak above the resident memory before it

    @property
    def per_batch(self) -> tuple[int, ...]:
        """The figure that grows with the batch on this backend (see the module's docstring)."""
        return self.peak if self.backend == "tensorflow" else self.rise

    @property
    def per_image(self) -> float:
        """Bytes per extra image in the batch: the slope between the smallest and largest batch."""
        grows = self.per_batch
        return (grows[-1] - grows[0]) / (self.batch_sizes[-1] - self.batch_sizes[0])


def _status(key: str) -> int | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return None


def _peak_bytes() -> int:
    """This process's peak resident memory since it started its program (or since :func:`_reset_peak`)."""
    # Linux: VmHWM belongs to this program alone. getrusage's ru_maxrss would not do: it survives
    # exec, so a child started from a large Jupyter kernel would report the kernel's size.
    peak = _status("VmHWM:")
    if peak is not None:
        return peak
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS


def _reset_peak() -> int | None:
    """Set the peak to the resident memory now and return it (Linux); None where that cannot be done."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status("VmRSS:")


def _builder_path(builder) -> str:
    module, name = getattr(builder, "__module__", None), getattr(builder, "__qualname__", "")
    if not module or module == "__main__" or "<" in name or "." in name:
        raise ValueError(
            "training_step_memory builds the model again in a fresh process, so it needs a builder that "
            "can be imported there: a function defined in a module (such as cnnlib.models.densenet), "
            f"not {name or builder!r} defined in a notebook or as a lambda."
        )
    return f"{module}:{name}"


def training_step_memory(builder, kwargs=None, batch_sizes=(8, 64), name=None, backend=None, timeout=300) -> StepMemory:
    """Measure the peak memory of a training step of ``builder(**kwargs)`` at each batch size.

    Args:
        builder: a model builder importable by name, e.g. ``cnnlib.models.cifar_resnet``.
        kwargs: its keyword arguments; JSON values only (tuples arrive as lists).
        batch_sizes: at least two, increasing.
        name: a label for the result (default: the builder's name).
        backend: the Keras backend of the processes; default TensorFlow where it is installed (its
            figure is the steadier one, see the module's docstring), else this process's backend.
        timeout: seconds allowed per process.

    Each batch size runs in its own process, one after the other, on the CPU (also where a GPU
    is present). Needs the ``resource`` module (Linux, macOS; not Windows).
    """
    try:
        import resource  # noqa: F401
    except ImportError:
        raise RuntimeError("measuring a process's peak memory needs Linux or macOS (the resource module).") from None
    sizes = tuple(int(b) for b in batch_sizes)
    if len(sizes) < 2 or any(b < 1 for b in sizes) or list(sizes) != sorted(set(sizes)):
        raise ValueError(f"batch_sizes must be two or more increasing whole numbers, got {batch_sizes!r}.")
    target = _builder_path(builder)
    spec = json.dumps(kwargs or {})
    # On the CPU even where there is a GPU: a GPU's memory is not the process's resident memory.
    if backend is None:
        import importlib.util

        import keras

        backend = "tensorflow" if importlib.util.find_spec("tensorflow") else keras.backend.backend()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu"}
    env["KERAS_BACKEND"] = backend
    baseline, peak, rise = [], [], []
    for batch in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "cnnlib.experiments.step_memory", target, spec, str(batch)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise RuntimeError(f"the training step of {target} at batch {batch} failed in its process: {last}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        baseline.append(result["baseline"])
        peak.append(result["peak"])
        rise.append(result["rise"])
    backend = result["backend"]
    if backend != "tensorflow" and None in rise:
        raise RuntimeError(f"on {backend}, measuring a step's memory needs Linux (/proc/self/clear_refs).")
    return StepMemory(name or target.split(":")[1], backend, sizes, tuple(baseline), tuple(peak), tuple(rise))


def _measure(target: str, spec: str, batch: int) -> dict:
    """In the fresh process: build, compile, a first step, a second step; the peaks."""
    import importlib

    import keras
    import numpy as np

    module, name = target.split(":")
    model = getattr(importlib.import_module(module), name)(**json.loads(spec))
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, *model.input_shape[1:])).astype("float32")
    y = rng.integers(0, model.output_shape[-1], size=batch)
    baseline = _peak_bytes()
    model.train_on_batch(x, y)  # traces and compiles, then runs
    peak = _peak_bytes()
    resident = _reset_peak()
    model.train_on_batch(x, y)
    rise = None if resident is None else _peak_bytes() - resident
    return {"backend": keras.backend.backend(), "baseline": baseline, "peak": peak, "rise": rise}


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1], sys.argv[2], int(sys.argv[3]))))

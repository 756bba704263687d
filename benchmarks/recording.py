"""What every recorded run shares: its file in ``results/``, per-epoch checkpoints, and resuming.

A recorded run trains several networks from several seeds for many epochs, too long for one sitting on a CPU.
After every epoch the script appends that epoch's figures to its JSON file and saves the network's weights and
its optimizer's state; ``--resume`` then carries on from the last finished epoch of every run, with the same
configuration (a different one is refused). The JSON file says how it was made: the command, the configuration,
the versions, the hardware, the dates and the training time.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = Path(os.environ.get("CNNLIB_CHECKPOINTS", Path.home() / ".cache" / "cnnlib" / "checkpoints"))


def hardware() -> str:
    import keras

    devices = []
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            devices.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
    elif keras.backend.backend() == "jax":
        import jax

        devices = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
    cpu = f"CPU {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    return f"{', '.join(devices) or 'no GPU'}; {cpu}"


def versions() -> dict:
    import keras

    found = {"python": platform.python_version(), "keras": keras.__version__, "backend": keras.backend.backend()}
    for name in ("tensorflow", "jax", "numpy"):
        module = sys.modules.get(name)
        if module is not None:
            found[name] = getattr(module, "__version__", "?")
    return found


SITTING = ("out", "resume", "stop_after")  # arguments of one sitting, not of the recorded run


def sitting_arguments(parser, name: str) -> None:
    """The arguments every script takes: where the file goes, --resume, --stop-after."""
    parser.add_argument("--out", default=str(ROOT / "results" / f"{name}.json"))
    parser.add_argument("--resume", action="store_true", help="carry on from the last finished epoch")
    parser.add_argument("--stop-after", type=int, default=None, help="stop after this many epochs in this sitting")


def open_record(args, notes: str):
    """The script's Record (its configuration: every argument but the sitting's) and this sitting's epoch limit."""
    config = {k: v for k, v in vars(args).items() if k not in SITTING}
    record = Record(args.out, config, "smoke test: random images" if args.smoke else notes, args.resume)
    return record, (args.stop_after if args.stop_after is not None else float("inf"))


class Record:
    """The JSON file of one recorded run, written after every epoch.

    ``runs`` maps a run's name (``"plain56/seed0"``) to ``{"epochs": [{...per-epoch figures}], "seconds": ...}``.
    """

    def __init__(self, path, config: dict, notes: str, resume: bool):
        self.path = Path(path)
        self.config = config
        if resume and self.path.exists():
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
            if self.data["config"] != config:
                old = self.data["config"]
                changed = sorted(k for k in set(config) | set(old) if config.get(k) != old.get(k))
                sys.exit(f"{self.path} was made with another configuration ({', '.join(changed)}): "
                         "run without --resume to start again, or with the same arguments.")  # fmt: skip
            self.data["sittings"].append(self._sitting())
        else:
            self.data = {"command": "", "config": config, "notes": notes, "versions": versions(),
                         "hardware": hardware(), "sittings": [self._sitting()], "runs": {}}  # fmt: skip
        self.data["command"] = "python " + " ".join(
            [str(Path(sys.argv[0]).resolve().relative_to(ROOT)) if sys.argv[0] else "?", *sys.argv[1:]]
        ).replace(" --resume", "")

    def _sitting(self) -> dict:
        return {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "hardware": hardware()}

    def epochs_done(self, run: str) -> int:
        return len(self.data["runs"].get(run, {}).get("epochs", []))

    def add_epoch(self, run: str, figures: dict, seconds: float) -> None:
        entry = self.data["runs"].setdefault(run, {"epochs": [], "seconds": 0.0})
        entry["epochs"].append({k: round(float(v), 5) if isinstance(v, float) else v for k, v in figures.items()})
        entry["seconds"] = round(entry["seconds"] + seconds, 1)
        self.data["sittings"][-1]["ended"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(self.data, indent=1) + "\n", encoding="utf-8")
        scratch.replace(self.path)


def checkpoint_dir(record: Record, run: str) -> Path:
    return CHECKPOINTS / record.path.stem / run.replace("/", "_")


def save_checkpoint(model, folder: Path, epoch: int) -> None:
    """The weights, the optimizer's variables (its step count and momenta) and the random layers' states after
    ``epoch`` epochs."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_weights(folder / "model.weights.h5")
    np.savez(folder / "optimizer.npz", *[np.asarray(v) for v in model.optimizer.variables])
    np.savez(folder / "seeds.npz", *[np.asarray(v) for v in _seed_states(model)])
    (folder / "epoch.txt").write_text(str(epoch))


def _seed_states(model) -> list:
    """The states of the model's random layers (dropout...): not among its weights, but a resumed run must draw
    the masks the uninterrupted one would have drawn."""
    return [v for v in model.non_trainable_variables if "seed_generator_state" in v.path]


def load_checkpoint(model, folder: Path, epoch: int) -> bool:
    """Restore a compiled model to the end of ``epoch``; False where no checkpoint of that epoch exists."""
    if not (folder / "epoch.txt").exists() or int((folder / "epoch.txt").read_text()) != epoch:
        return False
    model.load_weights(folder / "model.weights.h5")
    model.optimizer.build(model.trainable_variables)
    stored = np.load(folder / "optimizer.npz")
    for i, variable in enumerate(model.optimizer.variables):
        variable.assign(stored[f"arr_{i}"])
    if (folder / "seeds.npz").exists():
        seeds = np.load(folder / "seeds.npz")
        for i, variable in enumerate(_seed_states(model)):
            variable.assign(seeds[f"arr_{i}"])
    return True


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def train_run(record: Record, run: str, build, epoch, epochs: int, limit, stop=None) -> int:
    """Train ``run`` for at most ``limit`` more epochs in this sitting, up to ``epochs``; return how many it trained.

    ``build()`` returns the compiled model (seeded by the caller); ``epoch(model, k)`` trains epoch ``k`` (from 0)
    and returns that epoch's figures; ``stop(errors_so_far)`` may end the run early with a reason, kept in the
    run's ``stopped`` entry. After every epoch the figures go into the file and the model into a checkpoint.
    """
    entry = record.data["runs"].get(run, {})
    done = record.epochs_done(run)
    if entry.get("stopped") or limit < 1:
        return 0
    if done >= epochs:  # as many epochs as asked for (or more, where a later sitting asks for fewer)
        entry["stopped"] = "epochs"
        record.save()
        return 0
    model = build()
    folder = checkpoint_dir(record, run)
    if done and not load_checkpoint(model, folder, done):
        print(f"{run}: no checkpoint of epoch {done} in {folder}; starting it again", flush=True)
        record.data["runs"].pop(run)
        done = 0
    entry = record.data["runs"].setdefault(run, {"epochs": [], "seconds": 0.0, "parameters": model.count_params()})
    trained = 0
    while done + trained < epochs and trained < limit and not entry.get("stopped"):
        k = done + trained
        with Timer() as timer:
            figures = epoch(model, k)
        record.add_epoch(run, figures, timer.seconds)
        save_checkpoint(model, folder, k + 1)
        trained += 1
        reason = stop(entry["epochs"]) if stop else None
        if reason or k + 1 >= epochs:
            entry["stopped"] = reason or "epochs"
            record.save()
        print(f"{run} epoch {k + 1}/{epochs}: " + ", ".join(f"{n} {v:.3f}" for n, v in figures.items())
              + f" ({timer.seconds:.0f} s)" + (f" - stopped: {entry['stopped']}" if entry.get("stopped") else ""),
              flush=True)  # fmt: skip
    return trained


def augmented(x, y, batch_size: int, seed: int, epoch: int):
    """One epoch of batches: 4-pixel zero padding (2 at 16 x 16), a random crop, a random horizontal flip.
    The same for a given seed and epoch, so a resumed run sees the batches it would have seen."""
    rng = np.random.default_rng([seed, epoch])
    pad = max(1, 4 * x.shape[1] // 32)
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    h, w = x.shape[1:3]
    order = rng.permutation(len(x))
    for start in range(0, len(order) - batch_size + 1, batch_size):
        idx = order[start : start + batch_size]
        dy, dx = rng.integers(0, 2 * pad + 1, 2)
        out = padded[idx, dy : dy + h, dx : dx + w].copy()
        flip = rng.random(len(idx)) < 0.5
        out[flip] = out[flip, :, ::-1]
        yield out, y[idx]


def cifar10(args, standardize: bool):
    """Training and test images and labels: CIFAR-10 (the first ``args.train_images``), or 80 random images for
    ``--smoke``. The training images' mean is taken off both sets; ``standardize`` also divides by their spread."""
    if args.smoke:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(80, 32, 32, 3)).astype("float32")
        y = rng.integers(0, 10, 80)
        return x[:64], y[:64], x[64:], y[64:]
    from cnnlib import data

    (x, y), (tx, ty) = data.load("cifar10")
    x = data.as_float(x[: args.train_images])
    mean = x.mean(axis=(0, 1, 2))
    spread = x.std(axis=(0, 1, 2)) if standardize else 1.0
    return (x - mean) / spread, y[: args.train_images].ravel(), (data.as_float(tx) - mean) / spread, ty.ravel()

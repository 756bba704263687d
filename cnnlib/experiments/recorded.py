"""Recorded runs: experiments trained longer than a notebook can, read back from ``results/NAME.json``.

A script in ``benchmarks/`` writes each file (per network and seed, the figures of every epoch, with the command,
configuration, versions, hardware and dates); a notebook shows it beside its live run. In a checkout the files are
in ``results/``; elsewhere (Colab) they are fetched once from the repository named in cnnlib's package metadata.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHECKOUT_RESULTS = Path(__file__).resolve().parents[2] / "results"


@dataclass
class Recording:
    """One recorded run: ``runs["plain56"]`` is a list (one per seed) of ``{figure: [per epoch]}``."""

    name: str
    command: str
    config: dict
    notes: str
    hardware: str
    versions: dict
    sittings: list
    runs: dict
    images: dict
    seconds: float = 0.0
    extra: dict | None = None  # what else the script recorded (e.g. the learning rate it chose)

    @property
    def seeds(self) -> list[int]:
        return list(self.config.get("seeds", []))

    @property
    def hours(self) -> float:
        """Training time of all runs together, in hours."""
        return self.seconds / 3600

    def epochs(self, network: str) -> list[int]:
        """How many epochs each seed of ``network`` has finished."""
        return [len(run["train_error"]) for run in self.runs.get(network, [])]

    def complete(self, network: str) -> bool:
        done = self.epochs(network)
        return len(done) == len(self.seeds) and all(e == self.config["epochs"] for e in done)

    def final(self, network: str, figure: str = "train_error") -> list[float]:
        """The last epoch's ``figure`` of every finished seed of ``network``."""
        return [run[figure][-1] for run in self.runs.get(network, []) if len(run[figure]) == self.config["epochs"]]

    def label(self) -> str:
        """Where, when and how long: for a figure's caption."""
        first = self.sittings[0]["started"][:10]
        last = self.sittings[-1].get("ended", self.sittings[-1]["started"])[:10]
        when = first if first == last else f"{first} to {last}"
        return f"recorded {when} on {self.hardware}, {self.hours:.1f} h of training ({self.command})"


def _fetch(name: str, folder: Path) -> Path:
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("cnnlib").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    repo = next((u.split(",", 1)[1].strip() for u in urls if u.lower().startswith("repository")), None)
    match = repo and re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", repo)
    if not match:
        raise FileNotFoundError(
            f"results/{name}.json is not here and cnnlib's metadata names no repository to get it from."
        )
    url = f"https://raw.githubusercontent.com/{match.group(1)}/{match.group(2)}/main/results/{name}.json"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.json"
    try:
        urllib.request.urlretrieve(url, target)
    except OSError as err:
        raise FileNotFoundError(
            f"results/{name}.json is not here and could not be downloaded from {url} ({err}): "
            "clone the repository, or put the file in the folder CNNLIB_RESULTS_DIR names."
        ) from None
    return target


def find(name: str) -> Path:
    """The file of recorded run ``name``: ``CNNLIB_RESULTS_DIR``, the checkout's ``results/``, or downloaded."""
    folders = [Path(os.environ["CNNLIB_RESULTS_DIR"])] if os.environ.get("CNNLIB_RESULTS_DIR") else []
    folders += [CHECKOUT_RESULTS, Path.cwd().parent / "results", Path.home() / ".keras" / "cnnlib-results"]
    for folder in folders:
        if (folder / f"{name}.json").is_file():
            return folder / f"{name}.json"
    return _fetch(name, folders[-1])


def load(name: str) -> Recording:
    """Read recorded run ``name`` (e.g. ``"degradation"``) with each run's epochs as lists per figure."""
    if not re.fullmatch(r"[a-z0-9_]+", str(name)):
        raise ValueError(f"a recorded run's name is lower-case letters, digits and '_', got {name!r}.")
    data = json.loads(find(name).read_text(encoding="utf-8"))
    runs: dict[str, list[dict]] = {}
    seconds = 0.0
    for key, run in data["runs"].items():
        network, _, seed = key.partition("/seed")
        figures = {k: [epoch[k] for epoch in run["epochs"]] for k in (run["epochs"][0] if run["epochs"] else {})}
        other = {k: v for k, v in run.items() if k not in ("epochs", "seconds")}  # parameters, stopped, maps...
        runs.setdefault(network, []).append({"seed": int(seed), "parameters": None, **other, **figures})
        seconds += run.get("seconds", 0.0)
    known = {"command", "config", "notes", "hardware", "versions", "sittings", "runs", "images"}
    return Recording(name, data["command"], data["config"], data["notes"], data["hardware"], data["versions"],
                     data["sittings"], runs, data.get("images", {}), seconds,
                     {k: v for k, v in data.items() if k not in known})  # fmt: skip


def spread(values) -> str:
    """``mean ± half-range`` of a few runs, in percent, for a table."""
    values = 100 * np.asarray(values, dtype=float)
    if not len(values):
        return "not recorded yet"
    return f"{values.mean():.1f} % ± {(values.max() - values.min()) / 2:.1f} (n={len(values)})"

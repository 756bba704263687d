"""The recorded runs (benchmarks/*.py -> results/*.json): each script runs at a smoke size, resumes where it
stopped to the same figures, and every committed file matches the configuration its script would use."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if "= open_record(args" in p.read_text())
RESULTS = sorted((ROOT / "results").glob("*.json"))

pytestmark = pytest.mark.slow  # trains small networks


def load(path: Path):
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"recorded_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_a_smoke_run_resumed_gives_the_uninterrupted_figures(script, tmp_path, monkeypatch):
    module = load(script)
    monkeypatch.setattr(sys.modules["recording"], "CHECKPOINTS", tmp_path / "checkpoints")
    whole = module.main(["--smoke", "--out", str(tmp_path / "whole.json")]).data
    module.main(["--smoke", "--out", str(tmp_path / "parts.json"), "--stop-after", "1"])
    parts = module.main(["--smoke", "--out", str(tmp_path / "parts.json"), "--resume"]).data
    assert whole["runs"] and len(parts["sittings"]) == 2
    for name, run in whole["runs"].items():
        assert len(run["epochs"]) == whole["config"]["epochs"]
        for a, b in zip(run["epochs"], parts["runs"][name]["epochs"], strict=True):
            assert a == pytest.approx(b, abs=1e-4), name
    with pytest.raises(SystemExit, match="another configuration"):
        module.main(["--smoke", "--out", str(tmp_path / "parts.json"), "--resume", "--train-images", "7"])


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.stem)
def test_a_committed_file_matches_its_script(path):
    data = json.loads(path.read_text())
    words = shlex.split(data["command"])
    script = ROOT / words[1]
    assert script.exists(), f"{path.name} names {words[1]}, which does not exist"
    args = load(script).parse_args(words[2:])
    assert data["config"] == {k: v for k, v in vars(args).items() if k not in ("out", "resume", "stop_after")}
    assert Path(args.out).resolve() == path.resolve(), "the command writes another file"
    assert data["notes"] and data["versions"]["keras"] and data["sittings"]
    for name, run in data["runs"].items():
        assert len(run["epochs"]) <= args.epochs, name
        assert all(np.isfinite(list(e.values())).all() for e in run["epochs"]), name


def test_outside_a_checkout_a_recording_is_downloaded_once_from_the_repository(tmp_path, monkeypatch):
    # Colab: cnnlib is installed from the repository, without results/. The file comes from the repository that
    # cnnlib's own package metadata names (pyproject's [project.urls]), into ~/.keras/cnnlib-results, once.
    import urllib.request

    from cnnlib.experiments import recorded

    monkeypatch.setattr(recorded, "CHECKOUT_RESULTS", tmp_path / "installed" / "results")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "home")
    monkeypatch.delenv("CNNLIB_RESULTS_DIR", raising=False)
    fetched = []

    def offline_download(url, target):  # the committed file stands in for GitHub's copy
        fetched.append(url)
        Path(target).write_bytes((ROOT / "results" / "relu_tanh.json").read_bytes())

    monkeypatch.setattr(urllib.request, "urlretrieve", offline_download)
    first, again = recorded.load("relu_tanh"), recorded.load("relu_tanh")
    assert fetched == ["https://raw.githubusercontent.com/cnnlib/cnnlib-notebooks/main/results/relu_tanh.json"]
    assert (tmp_path / "home" / ".keras" / "cnnlib-results" / "relu_tanh.json").is_file()
    assert first.runs.keys() == again.runs.keys() and first.seeds == [0, 1, 2]

    def no_network(url, target):
        raise OSError("no internet")

    monkeypatch.setattr(urllib.request, "urlretrieve", no_network)
    with pytest.raises(FileNotFoundError, match="CNNLIB_RESULTS_DIR"):
        recorded.load("degradation")

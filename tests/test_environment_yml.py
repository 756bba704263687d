"""environment.yml (conda, Binder's entry point) asks for what pyproject.toml allows.

conda-forge channels cannot be reached from CI, so the conda solve itself is not run here;
what is checked is that every package the file names has the same version range as in
pyproject.toml (dependencies or an extra), that its Python is one pyproject allows, and that it
installs cnnlib itself from the checkout.
"""

import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _pyproject_ranges() -> dict[str, SpecifierSet]:
    ranges = {}
    for line in PYPROJECT["dependencies"] + sum(PYPROJECT["optional-dependencies"].values(), []):
        req = Requirement(line)
        if canonicalize_name(req.name) != "cnnlib":
            ranges.setdefault(canonicalize_name(req.name), []).append(req.specifier)
    return ranges


def _environment_requirements():
    """(name, specifier) of every conda and pip line but python, pip and the checkout itself."""
    for item in ENVIRONMENT["dependencies"]:
        if isinstance(item, dict):
            for line in item["pip"]:
                if line.strip() not in ("-e .", "."):
                    req = Requirement(line)
                    yield canonicalize_name(req.name), req.specifier
        else:
            name, spec = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", item.strip()).groups()
            if name not in ("python", "pip"):
                yield canonicalize_name(name), SpecifierSet(spec.replace(" ", ""))


def test_every_package_has_pyprojects_range():
    ranges = _pyproject_ranges()
    names = []
    for name, spec in _environment_requirements():
        names.append(name)
        assert name in ranges, f"environment.yml asks for {name}, which pyproject.toml does not list"
        allowed = ", ".join(str(r) for r in ranges[name])
        assert spec in ranges[name], f"{name}: environment.yml asks for {spec or 'any'}, pyproject for {allowed}"
    # TensorFlow and Keras are the ones that matter most: they must be named, with the same range
    assert {"tensorflow", "keras", "jupyterlab"} <= set(names)


def test_python_and_the_checkout():
    conda = [i for i in ENVIRONMENT["dependencies"] if isinstance(i, str)]
    python = next(i for i in conda if i.startswith("python"))
    version = python.split("=", 1)[1].strip()
    assert version in SpecifierSet(PYPROJECT["requires-python"]), f"{python} is outside {PYPROJECT['requires-python']}"
    pip_lines = next(i for i in ENVIRONMENT["dependencies"] if isinstance(i, dict))["pip"]
    assert "-e ." in pip_lines, "environment.yml must install cnnlib from the checkout (-e .)"

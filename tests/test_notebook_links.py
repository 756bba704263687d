"""Badges and the Colab install cell: every notebook agrees with pyproject's URL, and the Colab path works.

The Colab path is simulated offline: a fresh virtual environment that already has TensorFlow and
Keras (those of this environment, made visible to it as Colab's image has its own), the notebooks'
install cell run there as on Colab (with ``google.colab`` imported and the repository's address
replaced by this checkout), then a notebook executed with that environment's Python. The notebook is
a small one made for this test (tests/data/colab_path.ipynb), given its badges and install cell as
``python3 tasks.py links`` gives them to a new notebook: it imports cnnlib, loads a data set and trains
LeNet-5 for one short epoch. A course notebook (01, until now) ran here a second time after nbval's run,
and took twice as long.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import nbformat
import pytest

from tools.notebook_links import BRANCH, INSTALL_MARK, ROOT, _update_notebook, install_source, repository, sync

NOTEBOOK = ROOT / "tests" / "data" / "colab_path.ipynb"  # made for this test (tests/conftest.py: not nbval's)

pytestmark = pytest.mark.slow  # conftest.py runs these modules first


def test_every_notebook_and_the_readme_agree_with_the_repository_url():
    out_of_date = sync(write=False)
    assert not out_of_date, "run `python3 tasks.py links`: " + "; ".join(out_of_date)


def test_the_install_cell_is_the_first_code_cell_and_does_nothing_here(monkeypatch):
    source = install_source(repository())
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].source == source and not code[0].outputs, path.name
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail(f"the install cell ran {a} off Colab"))
    exec(compile(source, "install cell", "exec"), {})


def test_a_bad_repository_address_gets_a_sentence(tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project.urls]\nRepository = "https://gitlab.com/x/y"\n')
    with pytest.raises(ValueError, match="github.com/OWNER/NAME"):
        repository(bad)
    bad.write_text("[project]\nname = 'x'\n")
    with pytest.raises(ValueError, match=r"\[project.urls\]"):
        repository(bad)


def _site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


@pytest.mark.skipif(sys.platform == "win32", reason="the simulated Colab environment is built for Linux and macOS")
def test_the_colab_path_offline(tmp_path):
    # 1. A fresh environment that already has this one's TensorFlow and Keras (and the rest of
    #    Colab's image, pip included: ensurepip took 6-8 s), but not cnnlib: a path entry, not a
    #    .pth-processed site dir, so the editable cnnlib of this environment stays invisible.
    env_dir = tmp_path / "colab"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    target_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(target_site, "colab_image.pth").write_text(_site_packages() + "\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))}
    clean.update(PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    # Which distributions provide TensorFlow and Keras, their versions and where they are imported from, read
    # without importing them (8 s each time on two shared cores): the notebook below imports them.
    versions = (
        "import importlib.metadata as m, importlib.util as u, json\n"
        "dists = m.packages_distributions()\n"
        "print(json.dumps({p: [sorted((d, m.version(d)) for d in set(dists[p])), u.find_spec(p).origin]\n"
        "                  for p in ('tensorflow', 'keras')}))"
    )

    def run(*args, **kwargs):
        done = subprocess.run([python, *args], capture_output=True, text=True, env=clean, cwd=tmp_path, **kwargs)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    before = json.loads(run("-c", versions).splitlines()[-1])
    assert "cnnlib" not in run("-c", "import importlib.util; print(importlib.util.find_spec('cnnlib'))")

    # 2. The notebook, with the badges and the install cell that `tasks.py links` writes into a new notebook.
    #    Its install cell as on Colab: google.colab imported, the repository replaced by this checkout.
    #    What pip gets from the repository: the package and the files its build reads (a copy, so that
    #    the build's folders stay out of this checkout).
    owner, name = repository()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert _update_notebook(notebook, NOTEBOOK.name, (owner, name)) == [
        "badges added",
        "install cell added",
    ]
    install = next(c for c in notebook.cells if c.cell_type == "code")
    assert install.source == install_source((owner, name))
    source = tmp_path / "repository"
    shutil.copytree(ROOT / "cnnlib", source / "cnnlib", ignore=shutil.ignore_patterns("__pycache__"))
    for file in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / file, source / file)
    cell = install.source.replace(f"git+https://github.com/{owner}/{name}@{BRANCH}", source.as_uri())
    assert cell.startswith(INSTALL_MARK) and source.as_uri() in cell
    fake_colab = "import sys, types; sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    run("-c", fake_colab + cell, timeout=600)
    where = run("-c", "import cnnlib; print(cnnlib.__file__)").strip()
    assert where.startswith(str(env_dir)), f"cnnlib imported from {where}, not from the installed wheel"
    assert json.loads(run("-c", versions).splitlines()[-1]) == before  # Colab's TensorFlow and Keras kept

    # 3. The notebook, install cell and all, executed with that environment's Python: a cell that raises (an import
    #    that fails, a check cell's assert) fails the test; the outputs are not compared.
    copy = tmp_path / NOTEBOOK.name
    nbformat.write(notebook, copy)
    execute = (
        "import nbformat, sys; from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "client = NotebookClient(nb, timeout=300, kernel_name='python3',\n"
        "                        resources={'metadata': {'path': sys.argv[2]}})\n"
        "client.execute()\n"
        "print('executed', sum(c.cell_type == 'code' for c in nb.cells), 'code cells')"
    )
    code_cells = sum(c.cell_type == "code" for c in notebook.cells)
    assert f"executed {code_cells} code cells" in run("-c", execute, str(copy), str(tmp_path), timeout=600)

"""Colab and Binder badges and the Colab install cell of every notebook, from one address.

The repository's address is written once, as ``Repository`` in ``[project.urls]`` of
``pyproject.toml``. From it this module writes, into every notebook, a line of badges at the
top of the first cell ("Open in Colab", "launch binder") and a first code cell that installs
cnnlib on Colab and does nothing anywhere else; and into the README's table, a Colab badge per
notebook. ``tests/test_notebook_links.py`` checks that every notebook and the README agree with
the address, so changing it is one edit and one command:

    python3 tasks.py links            # write badges and install cells from pyproject.toml
    python3 tasks.py links --check    # list what is out of date, exit 1 if anything is

The install cell keeps Colab's TensorFlow and Keras: it installs cnnlib without its
dependencies (``--no-deps``); everything else cnnlib needs (NumPy, matplotlib, scikit-image,
ipywidgets, ...) is part of Colab's image.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
INSTALL_MARK = "# Colab only:"
_GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def repository(pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, str]:
    """``(owner, name)`` of the GitHub repository in ``[project.urls] Repository``."""
    text = Path(pyproject).read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    line = section and re.search(r'^\s*Repository\s*=\s*"([^"]+)"', section.group(1), re.M)
    if not line:
        raise ValueError(f'{pyproject} has no Repository = "https://github.com/OWNER/NAME" under [project.urls].')
    match = _GITHUB.match(line.group(1))
    if not match:
        raise ValueError(f"the Repository address must be https://github.com/OWNER/NAME, got {line.group(1)!r}.")
    return match.group(1), match.group(2)


def colab_url(repo: tuple[str, str], notebook: str) -> str:
    return f"https://colab.research.google.com/github/{repo[0]}/{repo[1]}/blob/{BRANCH}/notebooks/{notebook}"


def binder_url(repo: tuple[str, str], notebook: str) -> str:
    return f"https://mybinder.org/v2/gh/{repo[0]}/{repo[1]}/{BRANCH}?labpath={quote('notebooks/' + notebook, safe='')}"


def badge_line(repo: tuple[str, str], notebook: str) -> str:
    return (
        f"[![Open In Colab]({COLAB_BADGE})]({colab_url(repo, notebook)}) "
        f"[![Binder]({BINDER_BADGE})]({binder_url(repo, notebook)})"
    )


def install_source(repo: tuple[str, str]) -> str:
    """The first code cell: on Colab, install cnnlib from the repository; elsewhere, nothing."""
    return (
        f"{INSTALL_MARK} install cnnlib from its repository, keeping Colab's own TensorFlow and Keras.\n"
        "# Anywhere else (JupyterLab, Binder, CI) this cell does nothing.\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules and importlib.util.find_spec("cnnlib") is None:\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",\n'
        f'                    "cnnlib @ git+https://github.com/{repo[0]}/{repo[1]}@{BRANCH}"], check=True)'
    )


def _update_notebook(nb, notebook: str, repo: tuple[str, str]) -> list[str]:
    """Bring one notebook's badges and install cell up to date; return what changed."""
    import nbformat

    changes = []
    first = nb.cells[0]
    if first.cell_type != "markdown":
        raise ValueError(f"{notebook}: the first cell must be the markdown title cell.")
    lines = first.source.split("\n")
    badges = badge_line(repo, notebook)
    if lines[0].startswith("[![Open In Colab]"):
        if lines[0] != badges:
            lines[0] = badges
            changes.append("badges")
    else:
        lines[:0] = [badges, ""]
        changes.append("badges added")
    first.source = "\n".join(lines)

    source = install_source(repo)
    cell = nb.cells[1] if len(nb.cells) > 1 else None
    if cell is not None and cell.cell_type == "code" and cell.source.startswith(INSTALL_MARK):
        if cell.source != source:
            cell.source = source
            changes.append("install cell")
    else:
        # A new first code cell, numbered as a run would number it (it prints nothing off Colab).
        for later in nb.cells:
            if later.cell_type == "code" and later.get("execution_count") is not None:
                later.execution_count += 1
        new = nbformat.v4.new_code_cell(source, execution_count=1)
        nb.cells.insert(1, new)
        changes.append("install cell added")
    return changes


def _readme_row(repo: tuple[str, str], notebook: str) -> tuple[re.Pattern, str]:
    stem = notebook.removesuffix(".ipynb")
    link = f"[{stem}](notebooks/{notebook})"
    pattern = re.compile(re.escape(link) + r"(?:<br>\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\))?")
    return pattern, f"{link}<br>[![Open In Colab]({COLAB_BADGE})]({colab_url(repo, notebook)})"


def sync(root: Path = ROOT, write: bool = True) -> list[str]:
    """Update (or with ``write=False`` only compare) every notebook and the README; what differs."""
    import nbformat

    repo = repository(root / "pyproject.toml")
    report = []
    readme_path = root / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changes = _update_notebook(nb, path.name, repo)
        if changes:
            report.append(f"{path.name}: {', '.join(changes)}")
            if write:
                nbformat.write(nb, path)
        pattern, row = _readme_row(repo, path.name)
        found = pattern.findall(readme)
        if len(found) != 1:
            report.append(f"README.md: {len(found)} table links to {path.name}, expected 1")
        elif found[0] != row:
            report.append(f"README.md: the Colab badge of {path.name}")
            readme = pattern.sub(row, readme)
    if write:
        readme_path.write_text(readme, encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    report = sync(write=not check)
    for line in report:
        print(("out of date: " if check else "updated: ") + line)
    if not report:
        print(f"every notebook and the README agree with {'/'.join(repository())}.")
    return 1 if check and report else 0


if __name__ == "__main__":
    sys.exit(main())

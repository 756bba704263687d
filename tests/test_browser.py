"""JupyterLab in a real browser: two notebooks run there, and their explorers answer the sliders and menus.

The notebooks are two small ones made for this test (``tests/data/browser_pool.ipynb`` and ``browser_conv.ipynb``),
not the course notebooks: nbval runs those already, and what is tested here is the browser's side (with copies of
01 and 02 this test took 55 s alone on two shared cores, with these 39-45 s on the same cores under more load). Each
keeps what this test needs of 02_pooling and 01_convolution: a picture of the text (``../pics/...``), a figure, and
02's pooling explorer, 01's convolution explorer and the model explorer, built by the same ``cnnlib.widgets`` calls.

The test starts one JupyterLab server (a free localhost port, a temporary token, its own settings, workspaces and
Jupyter folders) on a temporary copy of the repository's layout: ``notebooks/`` with the two notebooks, outputs
cleared, and ``pics/`` with the pictures their text shows. One headless Chromium, driven by Playwright, opens the
pooling notebook in JupyterLab and runs it with Run > Run All Cells, then opens the convolution notebook from the file
browser and runs it too: the two kernels run at once. Then, for each notebook:

- every code cell has an execution count, 1 to N in order (a fresh kernel ran each cell once), on the page too;
- no output is an error, no stderr output shows a traceback, every picture of the text loaded (those from the
  server: a picture from the web, such as a course notebook's Colab and Binder badges, is not checked; the test does
  not reach the web), and a figure (a PNG output outside the explorers) is shown;
- the explorer's sliders are dragged with the mouse (convolution: stride, input size, then the window to its last
  position; pooling: window, then stride), and after each drag the drawing (the PNG in the widget's output) changes,
  and so does the status line, which must state the output size ``cnnlib.arithmetic`` computes from the settings
  shown;
- the model explorer's menus are chosen (an input too small for LeNet-5: the reason in red and no drawing; ResNet-20:
  new feature maps and a new diagram; a later layer: new feature maps), and its status line follows each choice.

A failure names the notebook and the cell (its position in the copy, counted from 0), says what was expected and
what the page showed, and leaves a screenshot beside the server's log in pytest's temporary folder. The phases' times
are printed (shown with a failure, or with ``-s``).

Skipped only where Playwright is not importable or no Chromium is found (``CNNLIB_CHROMIUM``, else Debian's
``/usr/bin/chromium``, which ``.ci/run`` installs). Playwright's own browser download is not used.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from cnnlib.arithmetic import conv_output_size, pool_output_size
from tools.runner import TEST_ENV

pytestmark = pytest.mark.slow  # conftest.py runs these modules first

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"  # the notebooks made for this test (tests/conftest.py: not nbval's)
# The first starts first: its kernel starts while the page loads; the second is opened from the file browser.
FIRST, SECOND = "browser_pool.ipynb", "browser_conv.ipynb"
RUN_TIMEOUT_S = 480  # per notebook; each runs in a few seconds on two idle cores
# Server start, page load, kernel start, one redraw: a few seconds on idle cores. The limit only catches a hang:
# the test command runs this test beside a notebook or another test (tasks.py), and 60 s ran out there.
STEP_TIMEOUT_S = 180
POLL_MS = 500
CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium refuses to start as root with its sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--mute-audio",
]
# JupyterLab settings: no news or update toast, every cell attached to the page (no windowing), no autosave.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}


def _chromium() -> str:
    wanted = os.environ.get("CNNLIB_CHROMIUM")
    if wanted:
        if not Path(wanted).is_file():
            pytest.fail(f"CNNLIB_CHROMIUM={wanted} is not a file", pytrace=False)
        return wanted
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.skip(
        "no Chromium found (/usr/bin/chromium, `chromium` on PATH or CNNLIB_CHROMIUM): "
        "install Debian's `chromium` (.ci/run does) to run the JupyterLab browser test"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_without_outputs(src: Path, dst: Path) -> None:
    """Copy a notebook without its outputs (were it ever saved with them), and the pictures its text shows."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb["metadata"].pop("widgets", None)  # saved widget state would be drawn before the kernel runs
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    dst.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    for picture in sorted(set(re.findall(r"\.\./pics/([\w.-]+)", src.read_text(encoding="utf-8")))):
        shutil.copy(ROOT / "pics" / picture, dst.parent.parent / "pics" / picture)


def _lab_command(root: Path, tmp: Path, port: int, token: str) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: read the notebook models and kernel status
        f"--LabApp.user_settings_dir={tmp / 'settings'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def _stop(server: subprocess.Popen, base: str, token: str) -> None:
    """Shut the server down through its API (it stops its kernels), then kill whatever it left behind."""
    import psutil

    try:
        children = psutil.Process(server.pid).children(recursive=True)
    except psutil.Error:
        children = []
    if server.poll() is None:
        try:
            req = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(req, timeout=10).close()
        except OSError:
            server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    for proc in children:
        try:
            proc.kill()
        except psutil.Error:
            pass


# --- the notebooks, as a learner meets them in JupyterLab -----------------------------------------------------------

# JupyterLab's models (window.jupyterapp) and the page, read in the page. ``panel`` is the notebook's panel.
_PANEL = """const app = window.jupyterapp;
  const panel = app && [...app.shell.widgets('main')].find(w => w.context && w.context.path === 'notebooks/' + name);
  const kernel = panel && panel.sessionContext.session ? panel.sessionContext.session.kernel : null;"""

# Run All Cells is over: the kernel idle, no cell queued ([*]), and every code cell counted or an error shown.
_FINISHED_JS = (
    """(name) => {
  """
    + _PANEL
    + """
  if (!panel || !panel.content.model || !kernel || kernel.status !== 'idle') return false;
  if ([...panel.node.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.trim() === '[*]:')) return false;
  let counted = true, error = false;
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    counted = counted && c.executionCount !== null;
    for (let j = 0; j < c.outputs.length; j++) error = error || c.outputs.get(j).type === 'error';
  }
  return counted || error;
}"""
)

_KERNEL_JS = "(name) => {\n  " + _PANEL + "\n  return kernel ? kernel.status : 'none';\n}"

# What the checks read: each code cell's count, errors and first line; prompts, stderr outputs and pictures shown.
_STATE_JS = (
    """(name) => {
  """
    + _PANEL
    + """
  if (!panel || !panel.content.model) return null;
  const cells = [], model = panel.content.model.cells;
  for (let i = 0; i < model.length; i++) {
    const c = model.get(i);
    if (c.type !== 'code') continue;
    const errors = [];
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j);
      if (o.type === 'error') { const e = o.toJSON(); errors.push(e.ename + ': ' + e.evalue); }
    }
    const line = c.sharedModel.getSource().split('\\n').find(l => l.trim() && !l.startsWith('#')) || '';
    cells.push({index: i, count: c.executionCount, errors, line});
  }
  const all = [...panel.node.querySelectorAll('.jp-Cell')];
  const prompts = [...panel.node.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
  const stderr = [...panel.node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(
      o => ({index: all.indexOf(o.closest('.jp-Cell')), text: o.textContent}));
  const pictures = [...panel.node.querySelectorAll('.jp-MarkdownOutput img')].map(
      img => ({index: all.indexOf(img.closest('.jp-Cell')), src: img.getAttribute('src'),
               local: new URL(img.src, location.href).origin === location.origin,
               loaded: img.complete && img.naturalWidth > 0}));
  const figures = [...panel.node.querySelectorAll('.jp-OutputArea-output.jp-RenderedImage img')].filter(
      img => !img.closest('.widget-output')).map(
      img => ({index: all.indexOf(img.closest('.jp-Cell')), png: (img.getAttribute('src') || '').startsWith(
               'data:image/png'), loaded: img.complete && img.naturalWidth > 0}));
  return {id: panel.id, kernel: kernel ? kernel.status : 'none', cells, prompts, stderr, pictures, figures};
}"""
)


class Notebook:
    """One notebook open in the JupyterLab page."""

    def __init__(self, page, name: str, artifacts: Path):
        self.page, self.name, self.artifacts = page, name, artifacts
        self.root = None  # the notebook panel, once open

    def fail(self, what: str, cell: int | None = None):
        """Fail with ``what``, a screenshot (showing ``cell``, if given) and any open dialog's text."""
        shot = self.artifacts / f"{Path(self.name).stem}-failure.png"
        try:
            if cell is not None and self.root is not None:
                self.root.locator(".jp-Cell").nth(cell).scroll_into_view_if_needed(timeout=5000)
            self.page.screenshot(path=str(shot))
            what += f"\n(screenshot: {shot})"
        except Exception:
            pass
        try:
            dialogs = self.page.locator(".jp-Dialog").all_inner_texts()
        except Exception:
            dialogs = []
        if dialogs:
            what += f"\nopen dialog: {dialogs}"
        pytest.fail(f"{self.name}: {what}", pytrace=False)

    def state(self):
        return self.page.evaluate(_STATE_JS, self.name)

    def kernel_idle(self) -> bool:
        return self.page.evaluate(_KERNEL_JS, self.name) == "idle"

    def wait(self, condition, timeout_s: float, what):
        """Poll ``condition()`` until it returns a true value; fail with ``what()`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f"{what()} (after {timeout_s:.0f} s)")
            self.page.wait_for_timeout(POLL_MS)

    def run_all(self):
        """Wait for the notebook and its kernel, then Run > Run All Cells from the menu bar."""
        self.wait(
            self.kernel_idle,
            STEP_TIMEOUT_S,
            lambda: (
                f"the notebook did not open with an idle kernel (kernel: {self.page.evaluate(_KERNEL_JS, self.name)})"
            ),
        )
        self.root = self.page.locator(f'[id="{self.state()["id"]}"]')
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).click()
        self.wait(  # queued cells show [*]; a count shows that a cell has run
            lambda: "[*]:" in (s := self.state())["prompts"] or any(c["count"] for c in s["cells"]),
            STEP_TIMEOUT_S,
            lambda: "Run > Run All Cells started nothing",
        )

    def show(self):
        """Bring the notebook's tab to the front, as a learner would."""
        self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=self.name).click()
        self.root.wait_for(state="visible")

    def wait_run(self, timeout_s: float):
        """Wait, polling in the page, until Run All Cells is over (or an error stopped it)."""
        from playwright.sync_api import TimeoutError

        try:
            self.page.wait_for_function(_FINISHED_JS, arg=self.name, polling=1000, timeout=timeout_s * 1000)
        except TimeoutError:
            s = self.state() or {"cells": [], "kernel": "?"}
            left = [c for c in s["cells"] if c["count"] is None]
            head = ", ".join(f"cell {c['index']} `{c['line'][:60]}`" for c in left[:3])
            self.fail(
                f"Run All Cells did not finish in {timeout_s} s: kernel {s['kernel']}, "
                f"{len(left)} code cells without an execution count ({head})"
            )

    def check_run(self):
        """Every code cell ran once, in order; no error, no traceback; every picture of the text loaded; a figure."""
        s = self.state()
        errors = [f"cell {c['index']} `{c['line'][:80]}`: {e[:300]}" for c in s["cells"] for e in c["errors"]]
        shown = [o for o in s["stderr"] if "Traceback" in o["text"]]
        tracebacks = [f"cell {o['index']}: {o['text'][-600:]}" for o in shown]
        if errors or tracebacks:
            first = min([c["index"] for c in s["cells"] if c["errors"]] + [o["index"] for o in shown])
            self.fail("error output in the browser:\n" + "\n".join(errors + tracebacks), cell=first)
        counts = [c["count"] for c in s["cells"]]
        if counts != list(range(1, len(counts) + 1)):
            self.fail(f"execution counts are not 1..{len(counts)} in order: {counts}")
        numbered = [p for p in s["prompts"] if re.fullmatch(r"\[\d+\]:", p)]
        if len(numbered) != len(counts):
            self.fail(f"the page shows {len(numbered)} numbered prompts for {len(counts)} code cells: {s['prompts']}")
        local = [p for p in s["pictures"] if p["local"]]
        if not local:
            self.fail("the text shows no picture from the server: the test would check none")
        broken = [f"cell {p['index']}: {p['src']}" for p in local if not p["loaded"]]
        if broken:
            self.fail("pictures in the text did not load:\n" + "\n".join(broken))
        if not any(f["png"] and f["loaded"] for f in s["figures"]):
            self.fail(f"no figure shown (a PNG output outside the explorers): {s['figures']}")

    # --- the explorer ---------------------------------------------------------------------------------------------

    def _labelled(self, scope, kind: str, label: str):
        return scope.locator(kind, has=self.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$")))

    def explorer(self, first_slider: str):
        """The explorer's output (the one whose sliders include ``first_slider``) and its cell's index."""
        box = self.root.locator(".jp-OutputArea-output", has=self._labelled(self.page, ".widget-slider", first_slider))
        if box.count() != 1:
            self.fail(f"expected one explorer with a slider '{first_slider}', found {box.count()}")
        box.scroll_into_view_if_needed()
        cell = box.evaluate(
            "o => [...o.closest('.jp-Notebook').querySelectorAll('.jp-Cell')].indexOf(o.closest('.jp-Cell'))"
        )
        return box, cell

    @staticmethod
    def shown(box):
        """(status line, the drawing's PNG source or None) of an explorer."""
        status = box.locator(".widget-html-content").first.inner_text().strip()
        img = box.locator(".widget-output img")
        return status, (img.first.get_attribute("src") if img.count() else None)

    def value(self, box, label: str) -> str:
        control = self._labelled(box, ".widget-inline-hbox", label)
        if control.locator("select").count():
            return control.locator("select").input_value()
        return control.locator(".widget-readout").inner_text().strip()

    def drag(self, box, cell: int, label: str, to: int | str) -> None:
        """Drag slider ``label`` with the mouse to the value ``to`` (an int, or "end")."""
        slider = self._labelled(box, ".widget-slider", label)
        handle, track = slider.locator(".noUi-handle"), slider.locator(".noUi-target")
        handle.scroll_into_view_if_needed()
        lo, hi = (round(float(handle.get_attribute(f"aria-value{m}"))) for m in ("min", "max"))
        target = hi if to == "end" else int(to)
        h, t = handle.bounding_box(), track.bounding_box()
        y = h["y"] + h["height"] / 2
        self.page.mouse.move(h["x"] + h["width"] / 2, y)
        self.page.mouse.down()
        self.page.mouse.move(t["x"] + t["width"] * (target - lo) / (hi - lo), y, steps=4)
        self.page.mouse.up()
        if self.value(box, label) != str(target):
            self.fail(f"cell {cell}: dragging slider '{label}' to {target} left it at {self.value(box, label)}")

    def expect_redraw(self, box, cell: int, before, expected: str, action: str, status_changes: bool = True):
        """After ``action``: a new drawing, and a status line (a new one if ``status_changes``) with ``expected``.

        The kernel must be idle too, so that the drawing is the one of the last value a drag sent, not of one it
        passed on the way.
        """

        def done():
            status, src = self.shown(box)
            if src is None or src == before[1] or expected not in status or (status != before[0]) != status_changes:
                return None
            return self.kernel_idle() and self.shown(box) == (status, src) and (status, src)

        def what():
            status, src = self.shown(box)
            drawing = "no drawing" if src is None else "the same drawing" if src == before[1] else "a new drawing"
            line = "a new status line" if status_changes else "the same status line"
            return (
                f"cell {cell}: after {action}, expected {line} with '{expected}' and a new drawing; "
                f"got '{status}' (before: '{before[0]}') and {drawing}"
            )

        return self.wait(done, STEP_TIMEOUT_S, what)


def _conv_status(nb: Notebook, box) -> str:
    size, kernel, stride, dilation = (int(nb.value(box, x)) for x in ("input size", "kernel", "stride", "dilation"))
    padding = nb.value(box, "padding")
    n = conv_output_size(size, kernel, stride, int(padding) if padding.isdigit() else padding, dilation)
    return f"output {n}×{n}"


def check_conv_explorer(nb: Notebook):
    box, cell = nb.explorer("input size")
    shown = nb.shown(box)
    if not shown[0].startswith(_conv_status(nb, box)) or shown[1] is None:
        nb.fail(f"cell {cell}: the explorer opened with '{shown[0]}' and drawing: {shown[1] is not None}")
    for label, to in (("stride", 1), ("input size", 10)):
        nb.drag(box, cell, label, to)
        shown = nb.expect_redraw(box, cell, shown, _conv_status(nb, box), f"dragging '{label}' to {to}")
    n = int(re.search(r"output (\d+)×", shown[0]).group(1))
    nb.drag(box, cell, "window #", "end")  # the window slider's end follows the output size: the last window
    if nb.value(box, "window #") != str(n * n - 1):
        nb.fail(f"cell {cell}: the last window is {nb.value(box, 'window #')}, expected {n * n - 1} for {n}×{n}")
    nb.expect_redraw(box, cell, shown, f"output {n}×{n}", "dragging 'window #' to the end", status_changes=False)


def check_pool_explorer(nb: Notebook):
    box, cell = nb.explorer("window")
    shown = nb.shown(box)
    found = re.search(r"(\d+)×\d+ → ", shown[0])
    if not found or shown[1] is None:
        nb.fail(f"cell {cell}: the explorer opened with '{shown[0]}' and drawing: {shown[1] is not None}")
    size = int(found.group(1))

    def status():
        n = pool_output_size(size, int(nb.value(box, "window")), int(nb.value(box, "stride")), nb.value(box, "padding"))
        return f"{size}×{size} → {n}×{n}"

    if status() not in shown[0]:
        nb.fail(f"cell {cell}: the status line '{shown[0]}' disagrees with {status()}")
    for label, to in (("window", 5), ("stride", 4)):
        nb.drag(box, cell, label, to)
        shown = nb.expect_redraw(box, cell, shown, status(), f"dragging '{label}' to {to}")


def _model_explorer_shown(box):
    """(status line, the PNG sources of its drawings: feature maps, then the diagram) of the model explorer."""
    status = box.locator(".widget-html-content").first.inner_text().strip()
    return status, tuple(img.get_attribute("src") for img in box.locator(".widget-output img").all())


def check_model_explorer(nb: Notebook):
    """Choose in the model explorer's menus; after each choice, the status line and the drawings follow."""
    box = nb.root.locator(".jp-OutputArea-output", has=nb._labelled(nb.page, ".widget-dropdown", "model"))
    if box.count() != 1:
        nb.fail(f"expected one model explorer (a menu 'model'), found {box.count()}")
    box.scroll_into_view_if_needed()
    shown = _model_explorer_shown(box)
    if not shown[0].startswith("LeNet-5 at 32×32×1") or len(shown[1]) != 2:
        nb.fail(f"the model explorer opened with '{shown[0]}' and {len(shown[1])} drawings (expected 2)")

    drawn = shown[1]  # the last drawings shown

    def choose(label: str, value: str, expected: str, drawings: int, new: tuple[int, ...]):
        """Choose ``value`` in menu ``label``; wait for a status line with ``expected``, ``drawings`` PNGs, and at
        each position in ``new`` (0: feature maps, 1: diagram) a PNG other than the last one drawn there."""
        nonlocal shown, drawn
        before = shown
        nb._labelled(box, ".widget-dropdown", label).locator("select").select_option(value)

        def done():
            status, pngs = _model_explorer_shown(box)
            ok = expected in status and status != before[0] and len(pngs) == drawings
            if not ok or any(pngs[i] == drawn[i] for i in new):
                return None
            return nb.kernel_idle() and _model_explorer_shown(box) == (status, pngs) and (status, pngs)

        def what():
            status, pngs = _model_explorer_shown(box)
            return (
                f"after choosing {value!r} in '{label}', expected a status line with '{expected}' and {drawings} "
                f"drawings (new: {new}); got '{status}' (before: '{before[0]}') and {len(pngs)} drawings"
            )

        shown = nb.wait(done, STEP_TIMEOUT_S, what)
        drawn = shown[1] or drawn

    choose("input size", "16", "Not possible: LeNet-5 needs input images of at least 32 x 32", 0, ())
    choose("model", "ResNet-20 (resnet20)", "ResNet-20 at 32×32×3", 2, (0, 1))
    choose("layer", "conv4_block3_out", "conv4_block3_out: 64 maps of 8×8; each unit sees 81×81 pixels", 2, (0,))
    if "Traceback" in box.inner_text():
        nb.fail("the model explorer shows a traceback")


def mark(t0: float, event: str) -> None:
    """Print a phase's time from the server's start (pytest shows it with a failure, or with -s)."""
    print(f"{time.monotonic() - t0:6.1f} s  {event}", flush=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on the copies and a Chromium page logged into it; both stopped afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the [test] extra)")
    executable = _chromium()
    t0 = time.monotonic()
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    (root / "notebooks").mkdir(parents=True)
    (root / "pics").mkdir()
    for name in (FIRST, SECOND):
        _copy_without_outputs(DATA / name, root / "notebooks" / name)
    for plugin, values in LAB_SETTINGS.items():
        path = tmp / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**os.environ, **{k: os.environ.get(k, v) for k, v in TEST_ENV.items()}}
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(tmp / var.lower())  # nothing of the user's Jupyter setup is read, nothing written to it
    env.pop("JUPYTER_TOKEN", None)
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log_path = tmp / "jupyterlab.log"
    with open(log_path, "w") as log, sync_api.sync_playwright() as p:
        server = subprocess.Popen(_lab_command(root, tmp, port, token), cwd=root, env=env, stdout=log, stderr=log)
        browser = None
        try:
            # launch() gives Chromium a fresh temporary profile (user data dir) and deletes it on close.
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=STEP_TIMEOUT_S * 1000)
            deadline = time.monotonic() + STEP_TIMEOUT_S
            while True:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on {base} in {STEP_TIMEOUT_S} s:\n{log_path.read_text()}")
                time.sleep(0.2)
            mark(t0, "JupyterLab answers")
            # The first notebook's kernel starts while JupyterLab loads; opening the notebook joins its session.
            body = {"path": f"notebooks/{FIRST}", "type": "notebook", "kernel": {"name": "python3"}}
            req = urllib.request.Request(
                f"{base}/api/sessions?token={token}",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            urllib.request.urlopen(req, timeout=STEP_TIMEOUT_S).close()
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(STEP_TIMEOUT_S * 1000)
            page_errors: list[str] = []
            page.on("pageerror", lambda err: page_errors.append(str(err)))
            page.goto(f"{base}/lab/tree/notebooks/{FIRST}?token={token}")
            mark(t0, "JupyterLab's page loaded")
            yield SimpleNamespace(page=page, artifacts=tmp, log=log_path, page_errors=page_errors, t0=t0)
        finally:
            if browser is not None:
                browser.close()
            _stop(server, base, token)


@contextmanager
def step(nb: Notebook, what: str):
    """Turn a Playwright error (a locator that never appeared, a click that timed out) into a clear failure."""
    from playwright.sync_api import Error

    try:
        yield
    except Error as err:
        nb.fail(f"{what}: " + "\n".join(str(err).splitlines()[:3]))


def test_notebooks_run_and_explorers_answer_in_jupyterlab(lab):
    page = lab.page

    pool, conv = Notebook(page, FIRST, lab.artifacts), Notebook(page, SECOND, lab.artifacts)
    with step(pool, "opening it and running all cells"):
        pool.run_all()
    mark(lab.t0, f"{FIRST}: Run All Cells")
    with step(conv, "opening it from the file browser and running all cells"):
        page.locator(".jp-DirListing-item", has_text=SECOND).dblclick()
        conv.run_all()
    mark(lab.t0, f"{SECOND}: Run All Cells")
    for nb, check in ((conv, check_conv_explorer), (pool, check_pool_explorer)):
        nb.wait_run(RUN_TIMEOUT_S)  # FIRST ran in its background tab: the page does not redraw it meanwhile
        with step(nb, "bringing its tab to the front"):
            nb.show()
        nb.check_run()
        mark(lab.t0, f"{nb.name}: every cell ran, no error")
        with step(nb, "moving the explorer's sliders"):
            check(nb)
        mark(lab.t0, f"{nb.name}: the explorer answered its sliders")
        if nb is conv:
            with step(nb, "choosing in the model explorer's menus"):
                check_model_explorer(nb)
            mark(lab.t0, f"{nb.name}: the model explorer answered its menus")
    if lab.page_errors:
        print("uncaught errors in the page:", *lab.page_errors, sep="\n  ")

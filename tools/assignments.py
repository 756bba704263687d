"""The notebooks as nbgrader assignments: cell metadata, source and release versions, autograding.

    python -m tools.assignments [NOTEBOOK ...]              # build source and release into build/assignments
    python -m tools.assignments --autograde [NOTEBOOK ...]  # ... and autograde each release twice (slow)
    python -m tools.assignments --hidden-tests [NOTEBOOK ...]   # ... with the number answers' checks hidden
    python -m tools.assignments --apply-metadata [NOTEBOOK ...]  # (maintainers) write the cells' nbgrader metadata

One committed notebook serves the learner alone and the course (``docs/teaching.md`` is the guide):

- **Committed notebook** (what a self-learner opens): an exercise is a question, an answer cell holding the
  placeholder (``answer_1 = ...`` or a function that returns ``...``), a check cell (``check(...)``) and the
  solution in a hidden ``<details>`` block. The answer cell carries nbgrader's metadata of a solution cell
  ("autograded answer"); the check cell that of an autograded test cell with points (1 for a number, a shape
  or a choice, 3 for code). A **written** exercise has no check: its answer cell is a markdown cell starting
  with :data:`WRITTEN` (nbgrader's "manually graded answer", 2 points), followed by a ``<details>`` block with
  the model answer. The metadata changes nothing a learner sees, and nothing nbval compares.
- **Source version** (the teacher's, ``build/assignments/source/NN/NN.ipynb``, built by :func:`make_source`):
  the solution is appended to the answer cell between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the
  code of the hidden block, the number in :data:`ANSWERS`, or a written exercise's model answer), and each
  ``<details>`` block becomes a cell of its own tagged ``solution-prose``. With ``hidden_tests`` (the option
  ``--hidden-tests``) each number answer's check goes between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
  TESTS``: the release shows no computation of the expected value, and nbgrader puts the check back to grade.
- **Release version** (the students', ``build/assignments/release/NN/NN.ipynb``): made by nbgrader's own
  ``generate_assignment`` with :func:`nbgrader_config`: ``ClearSolutions`` replaces each solution region by an
  empty stub (the placeholder above it stays, as the learner's notebook has it), ``ClearHiddenTests`` removes
  the hidden tests, nbconvert's
  ``TagRemovePreprocessor`` drops the ``solution-prose`` cells, outputs are cleared, test cells locked and
  checksummed.
- **Grading**: nbgrader sets ``NBGRADER_EXECUTION`` in the kernels it grades and validates with, and
  :func:`cnnlib.exercises.check` then *raises* for an unanswered ``...`` (a learner's kernel only prints "not
  answered yet"): an unanswered exercise scores 0, a right one full points, a wrong one 0. A written answer
  left as released scores 0 too (nbgrader compares its checksum); any other waits for a grader.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build" / "assignments"

POINTS = {"number": 1, "code": 3, "written": 2}
SOLUTION_TAG = "solution-prose"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_NOTE = "# The check of this answer is hidden: it runs when your notebook is graded."
# The first line of a written exercise's answer cell (a markdown cell), with the exercise's number.
WRITTEN = "*Exercise {number}, your answer (double-click this cell to write it):*"
_WRITTEN = re.compile(r"\*Exercise (\d+), your answer\b")
CELL_TIMEOUT = 600  # seconds per cell when nbgrader executes a notebook (training cells take up to ~60 s)

# The answers of the exercises that ask for a number, a shape or a choice (the coding exercises' solutions are the
# code of their hidden <details> block, the written ones' their model answer). A test checks that each appears in
# its hidden solution's text; the autograde of the solutions-filled release checks it against the library.
ANSWERS: dict[str, dict[int, str]] = {
    "01_convolution": {1: "14", 2: "18_496", 3: "2", 5: "(8, 8, 4)"},
    "02_pooling": {1: "27", 2: "12", 3: "2.0", 5: "(0, 2)"},
    "03_lenet": {1: "1_883_200", 2: "10_080", 3: "9", 5: "(62_006, 91_946)"},
    "04_alexnet": {1: "37_752_832", 2: "54", 3: "307_456"},
    "04b_alexnet_improvements": {2: "1", 3: "(2.0, 1.0)"},
    "05_zfnet": {1: "110", 2: "10_618_880", 3: "43"},
    "06_vgg": {1: "133_638_952", 3: "(73_728, 102_400)", 4: "196"},
    "06b_vgg_training": {1: "0.34", 3: "69"},
    "07_googlenet": {1: "21_504", 3: "20", 4: "11"},
    "08_resnet": {1: "16_777_216", 3: "924_928", 4: "0.0"},
    "09_densenet": {1: "992", 3: "12_544", 4: "4"},
    "10_comparison": {1: "4", 3: "(4, 1)"},
}


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: its cells (indices into ``nb.cells``) and what it is worth."""

    number: int
    answer: int  # the cell with the placeholder: nbgrader's solution cell (markdown for a written answer)
    check: int | None  # the code cell that checks it: nbgrader's autograded test cell (None: a written answer)
    details: int | None  # the markdown cell with the hidden solution (or model answer)
    defines: str | None  # the name the answer cell defines (answer_1, my_conv2d, ...; None: a written answer)

    @property
    def kind(self) -> str:
        if self.check is None:
            return "written"
        return "number" if self.defines == f"answer_{self.number}" else "code"

    @property
    def points(self) -> int:
        return POINTS[self.kind]

    def cells(self) -> list[tuple[str, int]]:
        """The cells that carry nbgrader metadata, as (role, index): the answer, and the check if there is one."""
        return [("answer", self.answer)] + ([("check", self.check)] if self.check is not None else [])

    def metadata(self, cell: str) -> dict:
        """nbgrader's (schema 3) metadata for the ``"answer"`` or the ``"check"`` cell."""
        if cell == "answer":
            written = self.kind == "written"  # nbgrader's "manually graded answer": a solution cell with points
            return {
                "grade": written,
                "grade_id": f"exercise_{self.number}_answer",
                "locked": False,
                **({"points": self.points} if written else {}),
                "schema_version": 3,
                "solution": True,
            }
        return {
            "grade": True,
            "grade_id": f"exercise_{self.number}_check",
            "locked": True,
            "points": self.points,
            "schema_version": 3,
            "solution": False,
        }


def _source(cell) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def exercises(nb) -> list[Exercise]:
    """The exercises of a notebook: each check cell (a code cell calling ``check``/``check_model`` with
    ``"Exercise N"``) with the code cell before it (the answer), and each written answer (a markdown cell
    starting with :data:`WRITTEN`); for each, the first ``<details>`` cell after it, before the next exercise's
    answer (the solution; code cells in between, an experiment the learner runs after answering, are allowed).

    Raises:
        ValueError: where an answer cell does not start with its placeholder or an exercise appears twice.
    """
    cells = nb["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    found: dict[int, tuple[int, int | None, str | None]] = {}  # number -> answer, check, defines

    def add(number: int, entry: tuple, where: int) -> None:
        if number in found:
            raise ValueError(f"cell {where}: Exercise {number} appears twice")
        found[number] = entry

    for k, i in enumerate(code):
        source = _source(cells[i])
        numbers = set(re.findall(r"\bcheck(?:_model)?\(.*?\"Exercise (\d+)\"", source, re.S))
        if not numbers:
            continue
        if len(numbers) > 1 or k == 0:
            raise ValueError(f"cell {i}: a check cell checks one exercise, after its answer cell")
        number = int(numbers.pop())
        answer = code[k - 1]
        first = _source(cells[answer]).lstrip()
        match = re.match(r"def (\w+)\(|(\w+) = \.\.\.", first)
        if not match:
            raise ValueError(f"cell {answer}: Exercise {number}'s answer cell must start with its placeholder")
        add(number, (answer, i, match.group(1) or match.group(2)), i)
    for i, cell in enumerate(cells):
        match = _WRITTEN.match(_source(cell).lstrip()) if cell["cell_type"] == "markdown" else None
        if match:
            add(int(match.group(1)), (i, None, None), i)
    starts = sorted(answer for answer, _, _ in found.values())
    result = []
    for number, (answer, check, defines) in sorted(found.items()):
        last = answer if check is None else check
        end = next((s for s in starts if s > last), len(cells))
        hidden = [
            j for j in range(last + 1, end) if cells[j]["cell_type"] == "markdown" and "<details>" in _source(cells[j])
        ]
        result.append(Exercise(number, answer, check, hidden[0] if hidden else None, defines))
    return result


def apply_metadata(nb) -> list[int]:
    """Set the nbgrader metadata of every exercise's answer and check cells; return the cells changed."""
    changed = []
    for ex in exercises(nb):
        for role, index in ex.cells():
            metadata = nb["cells"][index].setdefault("metadata", {})
            if metadata.get("nbgrader") != ex.metadata(role):
                metadata["nbgrader"] = ex.metadata(role)
                changed.append(index)
    return changed


def metadata_problems(nb) -> list[str]:
    """What is missing or wrong in a notebook's nbgrader metadata (empty when all is right)."""
    problems, expected = [], {}
    for ex in exercises(nb):
        expected.update({index: ex.metadata(role) for role, index in ex.cells()})
        if ex.details is None:
            problems.append(
                f"Exercise {ex.number} has no hidden solution (<details>) after its {ex.cells()[-1][0]} cell"
            )
    for i, cell in enumerate(nb["cells"]):
        have = cell.get("metadata", {}).get("nbgrader")
        if have != expected.get(i):
            problems.append(f"cell {i}: nbgrader metadata {have} where {expected.get(i)} is expected")
    return problems


def solution(nb, ex: Exercise, stem: str) -> str:
    """What answers exercise ``ex``: ``answer_N = <ANSWERS>``, the hidden block's Python code, or (written) the
    text of its model answer."""
    if ex.kind == "number":
        try:
            return f"{ex.defines} = {ANSWERS[stem][ex.number]}"
        except KeyError:
            raise ValueError(f"{stem}: Exercise {ex.number} has no answer in tools.assignments.ANSWERS") from None
    prose = _source(nb["cells"][ex.details]) if ex.details is not None else ""
    if ex.kind == "written":
        match = re.search(r"<details>\s*<summary>.*?</summary>(.*?)</details>", prose, re.S)
        if not match or not match.group(1).strip():
            raise ValueError(f"{stem}: Exercise {ex.number} needs its model answer in a <details> block")
        return match.group(1).strip()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", prose, re.S) if re.search(rf"\b{ex.defines}\b", b)]
    if len(blocks) != 1:
        raise ValueError(f"{stem}: Exercise {ex.number} needs one ```python block defining {ex.defines}")
    return blocks[0].strip()


def hide_check(source: str) -> str:
    """A check cell's source with the check in nbgrader's hidden-tests region; its imports stay visible (later
    cells may use them), with a comment that says where the check went."""
    lines = source.strip().splitlines()
    imports = [line for line in lines if re.match(r"(from \S+ )?import \S", line)]
    check = "\n".join(line for line in lines if line not in imports).strip()
    return "\n".join([*imports, HIDDEN_NOTE, BEGIN_HIDDEN, check, END_HIDDEN])


def make_source(path: Path, hidden_tests: bool = False):
    """nbgrader's source version of a notebook: solutions in BEGIN/END SOLUTION regions, prose cells tagged;
    with ``hidden_tests``, each number answer's check in a BEGIN/END HIDDEN TESTS region."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    apply_metadata(nb)  # the build works from a notebook whose metadata is not yet committed, too
    for ex in reversed(exercises(nb)):  # from the end, so that inserted cells leave earlier indices alone
        answer = nb.cells[ex.answer]
        answer.source = f"{answer.source.rstrip()}\n{BEGIN}\n{solution(nb, ex, path.stem)}\n{END}"
        if hidden_tests and ex.kind == "number":
            nb.cells[ex.check].source = hide_check(nb.cells[ex.check].source)
        if ex.details is None:
            continue
        cell = nb.cells[ex.details]
        before, hidden, after = re.split(r"(<details>.*?</details>)", cell.source, maxsplit=1, flags=re.S)
        cell.source = hidden
        cell.metadata.setdefault("tags", []).append(SOLUTION_TAG)
        parts = [(text.strip(), f"{cell.id}-{side}") for text, side in ((before, "b"), (after, "a"))]
        if parts[1][0]:
            nb.cells.insert(ex.details + 1, nbformat.v4.new_markdown_cell(parts[1][0], id=parts[1][1]))
        if parts[0][0]:
            nb.cells.insert(ex.details, nbformat.v4.new_markdown_cell(parts[0][0], id=parts[0][1]))
    return nb


def fill_solutions(nb, stem: str, committed: Path):
    """A copy of a released notebook with every answer cell replaced by its solution, as a student hands it in."""
    import copy

    import nbformat

    original = nbformat.read(committed, as_version=4)
    answers = {f"exercise_{ex.number}_answer": solution(original, ex, stem) for ex in exercises(original)}
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers.pop(grade_id)
    if answers:
        raise ValueError(f"{stem}: the release has no answer cells {sorted(answers)}")
    return nb


def nbgrader_config():
    """The nbgrader configuration of these assignments (also written as the course's ``nbgrader_config.py``)."""
    from nbconvert.preprocessors import TagRemovePreprocessor
    from nbgrader.converters import GenerateAssignment
    from traitlets.config import Config

    c = Config()
    c.ClearSolutions.code_stub = {"python": ""}  # the placeholder above the solution stays; nothing replaces it
    c.ClearSolutions.text_stub = ""  # the same for a written answer's placeholder line
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {SOLUTION_TAG}
    c.GenerateAssignment.preprocessors = [
        TagRemovePreprocessor,
        *GenerateAssignment.class_traits()["preprocessors"].default(),
    ]
    c.Execute.timeout = CELL_TIMEOUT
    return c


CONFIG_FILE = """\
# nbgrader configuration of the cnnlib assignments (written by `python3 tasks.py assignments`).
# Use this folder as the course directory, or copy source/ and this file into yours.
from tools.assignments import nbgrader_config
from tools.runner import apply_test_env

apply_test_env()  # grade as the tests run the notebooks: small scale, seed 0 (values already set win)
c = get_config()  # noqa: F821 (defined by nbgrader when it reads this file)
c.merge(nbgrader_config())
"""


def _api(course: Path):
    # nbgrader runs the `alembic` command to set up its gradebook: this environment's, also when not activated
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config()
    config.CourseDirectory.root = str(course)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def _ok(result: dict, what: str) -> None:
    if not result.get("success"):
        raise RuntimeError(f"{what} failed:\n{result.get('error') or ''}\n{result.get('log', '')[-3000:]}")


def build(paths: list[Path], course: Path = BUILD, hidden_tests: bool = False) -> dict[str, dict]:
    """Write each notebook's source version and let nbgrader generate its release; return points per notebook
    (``manual``: the written exercises' points, graded by hand)."""
    import nbformat

    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG_FILE)
    api, summary = _api(course), {}
    for path in paths:
        start, stem = time.perf_counter(), path.stem
        target = course / "source" / stem / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = make_source(path, hidden_tests)
        nbformat.write(nb, target)
        _ok(api.generate_assignment(stem), f"nbgrader generate_assignment {stem}")
        found = exercises(nbformat.read(path, as_version=4))
        summary[stem] = {
            "exercises": len(found),
            "points": sum(ex.points for ex in found),
            "manual": sum(ex.points for ex in found if ex.kind == "written"),
            "seconds": time.perf_counter() - start,
        }
    return summary


class _PeakMemory:
    """The largest peak resident memory (Linux VmHWM) of this process' children, sampled twice a second."""

    def __init__(self):
        self.mb, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        from tools.runner import peak_rss_mb

        me = psutil.Process()
        while not self._stop.wait(0.5):
            for child in me.children():
                self.mb = max(self.mb, peak_rss_mb(child.pid) or 0.0)

    def __enter__(self):
        if Path("/proc/self/stat").exists():
            self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()


@contextlib.contextmanager
def _quiet_gradebook():
    """nbgrader 0.9 with SQLAlchemy 2 warns about its own session handling (the grades are stored all right)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Object of type <Submitted")
        yield


def autograde(stem: str, course: Path = BUILD, committed: Path | None = None) -> dict[str, dict]:
    """Autograde a built release twice: as handed out (student ``released``) and with the solutions filled in
    (student ``solutions``). Return per student: score, max_score, the seconds, the kernel's peak MB,
    ``errors``, the cells that raised that are not test cells (a notebook that crashed), and ``manual``, whether
    answers wait for a grader (the written ones, when answered: their points are not in the score yet)."""
    import nbformat
    from nbgrader.api import Gradebook

    committed = committed or NOTEBOOKS / f"{stem}.ipynb"
    release = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    api, results = _api(course), {}
    for student, nb in (("released", release), ("solutions", fill_solutions(release, stem, committed))):
        submitted = course / "submitted" / student / stem / f"{stem}.ipynb"
        submitted.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, submitted)
        start = time.perf_counter()
        before = os.environ.get("NBGRADER_EXECUTION")
        try:
            with _PeakMemory() as memory, _quiet_gradebook():
                result = api.autograde(stem, student)
        finally:  # nbgrader 0.9 leaves NBGRADER_EXECUTION set when grading fails: no later kernel may inherit it
            if before is None:
                os.environ.pop("NBGRADER_EXECUTION", None)
            else:
                os.environ["NBGRADER_EXECUTION"] = before
        _ok(result, f"nbgrader autograde {stem} {student}")
        graded = nbformat.read(course / "autograded" / student / stem / f"{stem}.ipynb", as_version=4)
        errors = [
            i
            for i, cell in enumerate(graded.cells)
            if any(out.get("output_type") == "error" for out in cell.get("outputs", []))
            and not cell.metadata.get("nbgrader", {}).get("grade")
        ]
        with _quiet_gradebook(), Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
            notebook = gb.find_submission_notebook(stem, stem, student)
            score, max_score, manual = notebook.score, notebook.max_score, notebook.needs_manual_grade
        results[student] = {
            "score": score,
            "max_score": max_score,
            "seconds": time.perf_counter() - start,
            "mb": memory.mb or None,
            "errors": errors,
            "manual": manual,
        }
    return results


def _notebooks(names: list[str]) -> list[Path]:
    paths = [Path(n) for n in names] or sorted(NOTEBOOKS.glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {', '.join(missing)}")
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks (default: all in notebooks/)")
    parser.add_argument("--out", type=Path, default=BUILD, help="the nbgrader course folder (default: %(default)s)")
    parser.add_argument("--autograde", action="store_true", help="also autograde each release, unanswered and solved")
    parser.add_argument("--apply-metadata", action="store_true", help="write the exercises' nbgrader cell metadata")
    parser.add_argument(
        "--hidden-tests",
        action="store_true",
        help="hide the number answers' checks from the release (marks that count)",
    )
    args = parser.parse_args(argv)
    paths = _notebooks(args.notebooks)
    if args.apply_metadata:
        import nbformat

        for path in paths:
            nb = nbformat.read(path, as_version=4)  # read right before writing: others may edit notebooks too
            changed = apply_metadata(nb)
            if changed:
                nbformat.write(nb, path)
            print(f"{path}: metadata set on cells {changed or 'none (already right)'}")
        return 0
    from tools.runner import apply_test_env

    apply_test_env()
    start = time.perf_counter()
    summary = build(paths, args.out.resolve(), args.hidden_tests)
    for stem, s in summary.items():
        manual = f", {s['manual']} of them graded by hand" if s["manual"] else ""
        print(f"{stem}: {s['exercises']} exercises, {s['points']} points{manual} ({s['seconds']:.1f} s)")
    total = sum(s["points"] for s in summary.values())
    print(f"built {len(summary)} assignments, {total} points, in {time.perf_counter() - start:.1f} s: {args.out}")
    if not args.autograde:
        return 0
    failed = False
    for path in paths:
        try:
            results = autograde(path.stem, args.out.resolve(), path)
        except Exception as err:  # report every notebook, then fail
            failed = True
            print(f"FAILED {path.stem}: {type(err).__name__}: {str(err)[-2000:]}", file=sys.stderr)
            continue
        line, manual = [], summary[path.stem]["manual"]
        for student, r in results.items():
            # solved: every autograded point; the written answers wait for a grader
            ok = not r["errors"] and r["score"] == (0 if student == "released" else r["max_score"] - manual)
            failed |= not ok
            mem = f", {r['mb']:.0f} MB" if r["mb"] else ""
            extra = f", errors in cells {r['errors']}" if r["errors"] else ""
            extra += f", {manual} points to grade by hand" if r["manual"] else ""
            line.append(f"{student} {r['score']:g}/{r['max_score']:g} ({r['seconds']:.0f} s{mem}{extra})")
        print(f"{path.stem}: {'; '.join(line)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The notebooks as nbgrader assignments (tools.assignments): metadata, solutions, release, autograde.

Every notebook's release is generated here (about 8 s: nothing runs). Autograding executes a notebook, so the
test run autogrades none of the course's: it autogrades, twice (as released and solved), a small notebook made for
it, tests/data/assignment.ipynb, whose three exercises (a number, a function and a written answer) are written as
the course's are and go through the same build and grading code, with and without hidden tests, in a few seconds
without TensorFlow (01, autograded here until now,
took 53 s, and nbval runs it already). Every course notebook is autograded by
`python3 tasks.py assignments --autograde` (53 minutes on two shared cores).
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnlib.exercises import check, check_model
from tools import assignments
from tools.assignments import ANSWERS, WRITTEN, Exercise, apply_metadata, exercises, metadata_problems, solution

pytestmark = pytest.mark.slow  # conftest.py runs these modules first

NOTEBOOKS = sorted(assignments.NOTEBOOKS.glob("*.ipynb"))
# Made for the autograde test (tests/conftest.py keeps nbval off it); its number answer, as ANSWERS holds the course's.
AUTOGRADED = Path(__file__).resolve().parent / "data" / "assignment.ipynb"
AUTOGRADED_ANSWERS = {1: "14"}


@pytest.fixture(scope="module", autouse=True)
def _autograded_answers():
    """The test notebook's answers in ``ANSWERS``, for this module only (the course tooling never sees them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ANSWERS, AUTOGRADED.stem, AUTOGRADED_ANSWERS)
        yield


def _read(path: Path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", [*NOTEBOOKS, AUTOGRADED], ids=lambda p: p.stem)
def test_every_exercise_cell_has_its_nbgrader_metadata(path):
    nb = _read(path)
    assert exercises(nb), "a notebook ends with exercises"
    problems = metadata_problems(nb)
    assert not problems, (
        f"{path.name}: " + "; ".join(problems) + f" — run `.venv/bin/python -m tools.assignments --apply-metadata "
        f"{path.relative_to(assignments.ROOT)}` (it changes only the cells' metadata), then the hygiene test."
    )


@pytest.mark.parametrize("path", [*NOTEBOOKS, AUTOGRADED], ids=lambda p: p.stem)
def test_every_exercise_has_a_solution_that_its_hidden_text_gives(path):
    nb = _read(path)
    for ex in exercises(nb):
        code = solution(nb, ex, path.stem)
        if ex.kind != "written":  # a written exercise's solution is its model answer, prose
            compile(code, f"{path.stem} Exercise {ex.number}", "exec")
        if ex.kind == "number":  # the table's answer is the one the hidden solution's text arrives at
            prose = nb.cells[ex.details].source
            for value in re.findall(r"[\d_]+(?:\.\d+)?", ANSWERS[path.stem][ex.number]):
                shown = f"{int(value):,}" if "." not in value else value
                assert re.search(rf"(?<![\d,.]){re.escape(shown)}(?![\d,]|\.\d)", prose), (path.name, ex.number)
    assert set(ANSWERS.get(path.stem, {})) == {ex.number for ex in exercises(nb) if ex.kind == "number"}


def test_a_new_exercise_without_metadata_is_reported_and_set():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("**Exercise 1.** Write `f`."),
        nbformat.v4.new_code_cell("def f(x):\n    return ...  # your code"),
        nbformat.v4.new_code_cell('check(f(2), 4, "Exercise 1")'),
        nbformat.v4.new_markdown_cell("<details><summary>Show solution</summary>\n\n```python\ndef f(x):\n"),
    ]
    problems = metadata_problems(nb)
    assert len(problems) == 2 and "cell 1" in problems[0] and "cell 2" in problems[1]
    assert apply_metadata(nb) == [1, 2] and metadata_problems(nb) == [] and apply_metadata(nb) == []
    assert nb.cells[2].metadata.nbgrader["points"] == 3 and nb.cells[1].metadata.nbgrader["solution"]
    assert exercises(nb) == [Exercise(1, 1, 2, 3, "f")]


def test_a_written_exercise_is_a_manually_graded_answer_with_its_model_answer():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("**Exercise 1.** Predict the size."),
        nbformat.v4.new_code_cell("answer_1 = ..."),
        nbformat.v4.new_code_cell('check(answer_1, 4, "Exercise 1")'),
        nbformat.v4.new_code_cell("print(2 + 2)  # the experiment, run after answering"),
        nbformat.v4.new_markdown_cell(
            "<details><summary>Show solution</summary>\n\n**4**\n</details>\n\n**Exercise 2.**"
        ),
        nbformat.v4.new_code_cell("print('an experiment')"),
        nbformat.v4.new_markdown_cell(WRITTEN.format(number=2)),
        nbformat.v4.new_markdown_cell("<details><summary>Model answer</summary>\n\nBecause.\n</details>"),
    ]
    assert exercises(nb) == [Exercise(1, 1, 2, 4, "answer_1"), Exercise(2, 6, None, 7, None)]
    written = exercises(nb)[1]
    assert (written.kind, written.points) == ("written", 2)
    assert apply_metadata(nb) == [1, 2, 6] and metadata_problems(nb) == []
    assert nb.cells[6].metadata.nbgrader == {  # nbgrader's "manually graded answer"
        "grade": True,
        "grade_id": "exercise_2_answer",
        "locked": False,
        "points": 2,
        "schema_version": 3,
        "solution": True,
    }
    assert solution(nb, written, "test") == "Because."
    nb.cells[7].source = "no model answer"
    assert "no hidden solution" in metadata_problems(nb)[0]


def test_an_unanswered_exercise_fails_only_under_nbgrader(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    check(..., 3, "Exercise 1")
    check_model(..., None, "Exercise 2")
    assert capsys.readouterr().out.count("not answered yet") == 2
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="Exercise 1: not answered yet"):
        check(..., 3, "Exercise 1")
    with pytest.raises(AssertionError, match="Exercise 2: not answered yet"):
        check_model(..., None, "Exercise 2")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    assignments.build([*NOTEBOOKS, AUTOGRADED], course)
    return course


@pytest.mark.parametrize("path", [*NOTEBOOKS, AUTOGRADED], ids=lambda p: p.stem)
def test_release_keeps_the_placeholders_and_checks_and_drops_every_solution(course, path):
    committed, stem = _read(path), path.stem
    release = _read(course / "release" / stem / f"{stem}.ipynb")
    source = _read(course / "source" / stem / f"{stem}.ipynb")
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in release.cells}
    text = "\n".join(c.source for c in release.cells)
    assert "<details>" not in text and "SOLUTION" not in text
    assert not any(c.get("outputs") for c in release.cells)
    for ex in exercises(committed):
        answer = by_id[f"exercise_{ex.number}_answer"]
        assert answer.source.rstrip() == committed.cells[ex.answer].source.rstrip()
        if ex.kind == "written":  # the graded cell is the answer itself, worth its points
            assert answer.cell_type == "markdown" and answer.metadata.nbgrader["points"] == ex.points
        else:
            checked = by_id[f"exercise_{ex.number}_check"]
            assert checked.source == committed.cells[ex.check].source
            assert checked.metadata.nbgrader["points"] == ex.points and checked.metadata.editable is False
        code = solution(committed, ex, stem)
        assert code not in text
        assert f"### BEGIN SOLUTION\n{code}\n### END SOLUTION" in "\n".join(c.source for c in source.cells)
    # apart from the hidden solutions, the release is the committed notebook
    for cell in committed.cells:
        for part in re.split(r"<details>.*?</details>", cell.source, flags=re.S):
            assert part.strip() in text


def _assert_graded_right(results):
    found = exercises(_read(AUTOGRADED))
    assert {ex.kind for ex in found} == {"number", "code", "written"}, "one exercise of each kind is graded"
    total = sum(ex.points for ex in found)
    by_hand = sum(ex.points for ex in found if ex.kind == "written")
    released, solved = results["released"], results["solutions"]
    assert released["errors"] == [] and solved["errors"] == [], "a cell other than a test cell raised"
    # as released: nothing answered, 0 points, nothing for a grader (an untouched written answer scores 0)
    assert (released["score"], released["max_score"], released["manual"]) == (0, total, False)
    # solved: every autograded point; the written answer waits for a grader
    assert (solved["score"], solved["max_score"], solved["manual"]) == (total - by_hand, total, True)


def test_autograde_gives_0_as_released_and_full_points_solved(course):
    _assert_graded_right(assignments.autograde(AUTOGRADED.stem, course, AUTOGRADED))


def test_hidden_tests_leave_the_release_without_checks_and_grade_the_same(tmp_path):
    assignments.build([AUTOGRADED], tmp_path, hidden_tests=True)
    stem, committed = AUTOGRADED.stem, _read(AUTOGRADED)
    release = _read(tmp_path / "release" / stem / f"{stem}.ipynb")
    source = "\n".join(c.source for c in _read(tmp_path / "source" / stem / f"{stem}.ipynb").cells)
    text = "\n".join(c.source for c in release.cells)
    assert "HIDDEN TESTS" not in text and assignments.HIDDEN_NOTE in text
    for ex in exercises(committed):
        check_line = committed.cells[ex.check].source.splitlines()[-1] if ex.check is not None else None
        if ex.kind == "number":  # hidden: the release does not show how the expected value is computed
            assert check_line not in text and f"{assignments.BEGIN_HIDDEN}\n{check_line}" in source
        elif ex.kind == "code":  # a code exercise's check stays: it is the learner's feedback
            assert check_line in text
    _assert_graded_right(assignments.autograde(stem, tmp_path, AUTOGRADED))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory from /proc (Linux)")
def test_grading_samples_the_peak_memory_of_the_kernels_it_starts():
    child = "import time; block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(2)"
    with assignments._PeakMemory() as memory:
        subprocess.run([sys.executable, "-c", child], check=True)
    assert memory.mb >= 250

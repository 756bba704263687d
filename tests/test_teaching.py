"""The teaching guide's exercise table (tools.teaching): generated from the notebooks, committed up to date."""

import nbformat
import pytest

from tools import teaching
from tools.assignments import WRITTEN, apply_metadata, exercises


def test_the_guides_table_is_the_generated_one():
    text = teaching.GUIDE.read_text(encoding="utf-8")
    assert teaching.rewrite(text, teaching.table()) == text, (
        "docs/teaching.md's exercise table differs from the notebooks: run `python3 tasks.py teaching`"
    )


def test_every_exercise_is_a_row_with_its_graded_points():
    rows = teaching.rows()
    for path in sorted(teaching.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        expected = [(ex.number, ex.points) for ex in exercises(nb)]
        assert [(r.exercise, r.points) for r in rows if r.notebook == path.stem] == expected, path.name
    assert all(r.assesses for r in rows)


def test_described_exercises_exist():
    # a description left behind by a removed or renumbered exercise would never show
    listed = {(r.notebook, r.exercise) for r in teaching.rows()}
    described = {(stem, n) for stem, numbers in teaching.ASSESSES.items() for n in numbers}
    assert described <= listed


def test_a_new_exercise_is_described_by_its_prompt(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("**Exercise 1 (code).** Write `f(x)`, twice `x`. The check tries 2."),
        nbformat.v4.new_code_cell("def f(x):\n    return ...  # your code"),
        nbformat.v4.new_code_cell('check(f(2), 4, "Exercise 1")'),
        nbformat.v4.new_markdown_cell("<details><summary>Show solution</summary>\n\n```python\ndef f(x):\n"),
    ]
    path = tmp_path / "99_new.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="apply-metadata"):
        teaching.rows([path])
    apply_metadata(nb)
    nbformat.write(nb, path)
    assert teaching.rows([path]) == [teaching.Row("99_new", 1, 3, "Write `f(x)`, twice `x`.")]
    assert "| 99 | 1 | 3 | Write `f(x)`, twice `x`. |" in teaching.table(teaching.rows([path]))


def test_a_written_exercise_is_a_row_marked_manual(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("**Exercise 1 (written).** Explain the curve. Say why."),
        nbformat.v4.new_markdown_cell(WRITTEN.format(number=1)),
        nbformat.v4.new_markdown_cell("<details><summary>Model answer</summary>\n\nBecause.\n</details>"),
    ]
    apply_metadata(nb)
    path = tmp_path / "99_new.ipynb"
    nbformat.write(nb, path)
    assert teaching.rows([path]) == [teaching.Row("99_new", 1, 2, "Explain the curve.", manual=True)]
    text = teaching.table(teaching.rows([path]))
    assert "| 99 | 1 | 2 manual | Explain the curve. |" in text and "2 of them graded by hand" in text


def test_only_the_marked_block_is_rewritten():
    text = f"before\n{teaching.BEGIN}\nold table\n{teaching.END}\nafter\n"
    new = teaching.rewrite(text, "| new |")
    assert new == f"before\n{teaching.BEGIN}\n| new |\n{teaching.END}\nafter\n"
    assert teaching.rewrite(new, "| new |") == new
    with pytest.raises(ValueError, match="between"):
        teaching.rewrite("no markers here", "| new |")

"""Every exercise of every notebook, and the answer checks of ``cnnlib.exercises`` themselves.

For each exercise with a check, as a learner meets it: the placeholder as shipped reads as "not answered yet" (no
error), the hidden solution passes the notebook's own check cell, and a wrong answer fails it — without showing the
expected value, for a number, a shape or a choice. The exercises are read from the notebooks
(``tools.assignments.exercises``: each check cell, the answer cell before it, the hidden ``<details>`` solution
after it; a number exercise's answer is in ``tools.assignments.ANSWERS``), so a new notebook's exercises are tested
without editing this file. (Written exercises, graded by hand, have no check: ``tests/test_assignments.py`` checks
their cells and model answers.)

No notebook is run whole. An exercise needs only what its check cell reads: the statements of earlier cells that
define those names, found by reading the code (a backward slice), run once per notebook, in order. Training is
left out: a network that a notebook trains stands in as built, untrained — enough for a check that compares a
learner's function with the library's on the same network. A check that needs a training *result* names it in
its failure, and gets a stand-in in ``STAND_INS``.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

from cnnlib.exercises import check, solution_code
from tools.assignments import Exercise, exercises, solution

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
BUILTINS = set(dir(builtins))

# Calls that train: a statement making one is left out; the model it trains stands in as built.
TRAINING = {"fit", "train", "train_seeds", "train_from_seeds", "degradation_experiment", "tournament"}
# Methods that change a container in place (a statement calling one helps define the container).
MUTATING = {"append", "extend", "insert", "update", "setdefault", "add", "pop", "remove", "clear", "sort"}
# Per notebook, code that defines cheaply what a check reads and only training defines (none needed so far).
STAND_INS: dict[str, str] = {}
# Mistakes a learner makes, which a check must catch (besides the generic wrong answer every exercise gets).
MISTAKES = {
    # the kernel flipped: mathematics' convolution, not the libraries' cross-correlation
    ("01_convolution", 4): "def my_conv2d(x, kernels):\n    return ops.conv2d(x, kernels[::-1, ::-1])[0]\n",
    # Caffe's and PyTorch's LRN: alpha divided by n
    ("04b_alexnet_improvements", 1): (
        "from cnnlib import ops\n\n"
        "def my_lrn_divisor(a, k=2.0, n=5, alpha=1e-4, beta=0.75):\n"
        "    return ops.lrn_divisor(a, k, n, alpha / n, beta)\n"
    ),
}


# --- what a cell's code reads and defines ------------------------------------------------------------------------


class _Names(ast.NodeVisitor):
    """The names one top-level statement reads (free), binds and changes in place; whether it trains."""

    def __init__(self):
        self.reads, self.binds, self.mutates, self.imports = set(), set(), set(), set()
        self.trains = False

    @staticmethod
    def _base(node):
        while isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    def _inner(self, body, bound=()):
        """Names read by a nested scope (function, lambda, comprehension) that it does not bind itself."""
        inner = _Names()
        for node in body:
            inner.visit(node)
        self.reads |= inner.reads - inner.binds - set(bound)
        self.mutates |= inner.mutates - inner.binds - set(bound)
        self.trains |= inner.trains

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.reads.add(node.id)
        elif isinstance(node.ctx, ast.Store):
            self.binds.add(node.id)
        # `del x` only frees memory: neither read nor bound

    def visit_Delete(self, node):
        pass

    def _store(self, target):
        if isinstance(target, (ast.Subscript, ast.Attribute)) and self._base(target):
            self.mutates.add(self._base(target))

    def visit_Assign(self, node):
        for target in node.targets:
            for part in ast.walk(target):
                self._store(part)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._store(node.target)
        if isinstance(node.target, ast.Name):
            self.reads.add(node.target.id)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        self.trains |= name in TRAINING
        if isinstance(node.func, ast.Attribute) and name in MUTATING and self._base(node.func.value):
            self.mutates.add(self._base(node.func.value))
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            name = (alias.asname or alias.name).split(".")[0]
            self.binds.add(name)
            self.imports.add(name)

    visit_ImportFrom = visit_Import

    def _arguments(self, args):
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)
        return [a.arg for a in ast.walk(args) if isinstance(a, ast.arg)]

    def visit_FunctionDef(self, node):
        self.binds.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        if node.returns is not None:
            self.visit(node.returns)
        self._inner(node.body, self._arguments(node.args))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.binds.add(node.name)
        for base in [*node.bases, *node.decorator_list]:
            self.visit(base)
        self._inner(node.body)

    def visit_Lambda(self, node):
        self._inner([node.body], self._arguments(node.args))

    def _comprehension(self, node):
        parts = [*node.generators, *(getattr(node, f) for f in ("elt", "key", "value") if hasattr(node, f))]
        self._inner(parts)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def _parse(source: str, filename: str) -> ast.Module:
    # IPython's %magic and !shell lines are not Python
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    return ast.parse("\n".join(lines), filename)


def _names(source: str) -> _Names:
    names = _Names()
    names.visit(_parse(source, "<cell>"))
    return names


def _free(source: str) -> set[str]:
    names = _names(source)
    return names.reads - names.binds - BUILTINS


def _bound(source: str) -> set[str]:
    return _names(source).binds


@dataclass
class _Statement:
    cell: int
    node: ast.stmt
    names: _Names
    left_out: bool = False  # it trains, or reads what only training defines


@dataclass
class Notebook:
    """A notebook's exercises and the top-level statements of the code cells before them."""

    path: Path
    nb: nbformat.NotebookNode
    exercises: list[Exercise]
    statements: list[_Statement] = field(default_factory=list)
    untrained: dict[int, set[str]] = field(default_factory=dict)  # per cell: what only training has defined so far

    @classmethod
    def read(cls, path: Path) -> Notebook:
        """Read a notebook and mark the statements that training leaves out.

        A statement that trains is left out, and so is one that reads what only a left-out statement defined (a
        list of trained networks, their accuracies). A name that a left-out statement rebinds keeps its earlier
        value: the network as built stands in for the network trained.
        """
        nb = nbformat.read(path, as_version=4)
        self = cls(path, nb, [ex for ex in exercises(nb) if ex.kind != "written"])
        defined: set[str] = set()
        untrained: set[str] = set()
        for i, cell in enumerate(nb.cells[: max((ex.answer + 1 for ex in self.exercises), default=0)]):
            self.untrained[i] = set(untrained)
            if cell.cell_type != "code":
                continue
            for node in _parse(cell.source, f"{path.name} cell {i}").body:
                names = _Names()
                names.visit(node)
                statement = _Statement(i, node, names, names.trains or bool(names.reads & untrained))
                if statement.left_out:
                    untrained |= (names.binds - defined) | names.mutates
                else:
                    defined |= names.binds
                    untrained -= names.binds
                self.statements.append(statement)
        return self

    @property
    def stem(self) -> str:
        return self.path.stem

    def source(self, index: int) -> str:
        return self.nb.cells[index].source

    def needs(self, ex: Exercise, *answers: str) -> list[_Statement]:
        """The statements before ``ex`` that define what its cells read, in notebook order: its answer cell, its
        check cell and ``answers`` (code a learner might write in the answer cell).

        Raises:
            LookupError: naming what only training defines.
        """
        stand_in = STAND_INS.get(self.stem, "")
        given = _bound(stand_in)
        cells = [self.source(ex.answer), self.source(ex.check), *answers]
        defined = set().union(*(_bound(cell) for cell in cells[:1] + cells[2:])) | given
        needed = set().union(*(_free(cell) for cell in cells)) - defined | _free(stand_in)
        missing = needed & self.untrained[ex.answer]
        if missing:
            raise LookupError(
                f"{self.path.name}: Exercise {ex.number}'s check reads {sorted(missing)}, which only training "
                f"defines: give {'it' if len(missing) == 1 else 'them'} a stand-in in STAND_INS"
            )
        chosen = []
        for statement in reversed([s for s in self.statements if s.cell < ex.answer and not s.left_out]):
            names = statement.names
            if names.binds & needed or (names.mutates - names.imports) & needed:
                chosen.append(statement)
                needed = (needed - names.binds) | (names.reads | names.mutates) - names.binds - given - BUILTINS
        return chosen[::-1]


# --- running an exercise -----------------------------------------------------------------------------------------

_NOTEBOOKS = {path.stem: Notebook.read(path) for path in sorted(NOTEBOOKS.glob("*.ipynb"))}
CASES = [(stem, ex.number) for stem, notebook in _NOTEBOOKS.items() for ex in notebook.exercises]
NUMBER_CASES = [(stem, ex.number) for stem, nb in _NOTEBOOKS.items() for ex in nb.exercises if ex.kind == "number"]
_prepared: dict[str, dict] = {}  # one notebook's namespace at a time


def _answers(notebook: Notebook, ex: Exercise) -> list[str]:
    """The code this test puts in an exercise's answer cell: the solution, and a learner's mistake if listed."""
    mistake = MISTAKES.get((notebook.stem, ex.number))
    return [solution(notebook.nb, ex, notebook.stem), *([mistake] if mistake else [])]


def _prepare(notebook: Notebook) -> dict:
    """A namespace holding what all of a notebook's exercises need, made once (the statements run in order, in
    the notebook's folder, as the notebook runs)."""
    if notebook.stem not in _prepared:
        _prepared.clear()
        wanted = {id(s) for ex in notebook.exercises for s in notebook.needs(ex, *_answers(notebook, ex))}
        namespace = {"__name__": "__main__"}
        cwd = os.getcwd()
        try:
            os.chdir(notebook.path.parent)
            with contextlib.redirect_stdout(io.StringIO()):
                for statement in notebook.statements:
                    if id(statement) in wanted:
                        where = f"{notebook.path.name} cell {statement.cell}"
                        exec(compile(ast.Module([statement.node], []), where, "exec"), namespace)
                exec(STAND_INS.get(notebook.stem, ""), namespace)
        finally:
            os.chdir(cwd)
        _prepared[notebook.stem] = namespace
    return _prepared[notebook.stem]


def _run(namespace: dict, *sources: str) -> str:
    """Run code cells in a namespace as a kernel would; return what they printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in sources:
            exec(compile(source, "<exercise cell>", "exec"), namespace)
    return out.getvalue()


def _wrong(value):
    """A wrong answer of the same kind as a right one: numbers off by one, a function whose results are."""
    if isinstance(value, keras.Model):  # one layer too many
        return keras.Model(value.inputs, keras.layers.Dense(3)(value.outputs[0]))
    if isinstance(value, keras.KerasTensor):
        return keras.layers.Dense(3)(value)
    if callable(value):
        return lambda *args, **kwargs: _wrong(value(*args, **kwargs))
    if isinstance(value, (list, tuple)):
        return type(value)(_wrong(v) for v in value)
    if isinstance(value, str) or value is None:
        return f"not {value}"
    return value + 1  # a number or an array


@dataclass
class Case:
    notebook: Notebook
    exercise: Exercise
    prepared: dict

    def namespace(self) -> dict:
        """A fresh copy of what the exercise's cells need, for one run of them."""
        return dict(self.prepared)

    def cell(self, role: str) -> str:
        return self.notebook.source(getattr(self.exercise, role))

    @property
    def solution(self) -> str:
        return solution(self.notebook.nb, self.exercise, self.notebook.stem)


@pytest.fixture(scope="module")
def case(request) -> Case:
    """An exercise with what its cells need (module scope: pytest then runs the three tests of each exercise
    together, notebook after notebook, and each notebook's statements run once)."""
    stem, number = request.param
    notebook = _NOTEBOOKS[stem]
    return Case(notebook, next(e for e in notebook.exercises if e.number == number), _prepare(notebook))


@pytest.fixture(autouse=True)
def _a_learners_kernel(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)  # not nbgrader's, where unanswered raises
    monkeypatch.chdir(NOTEBOOKS)


def _ids(case) -> str:
    return f"{case[0]}-ex{case[1]}"


every_exercise = pytest.mark.parametrize("case", CASES, ids=_ids, indirect=True, scope="module")


@every_exercise
def test_the_placeholder_reads_as_not_answered(case):
    printed = _run(case.namespace(), case.cell("answer"), case.cell("check"))
    assert f"Exercise {case.exercise.number}: not answered yet" in printed


@every_exercise
def test_the_hidden_solution_passes_the_check(case):
    printed = _run(case.namespace(), case.solution, case.cell("check"))
    assert f"Exercise {case.exercise.number}: correct" in printed


@every_exercise
def test_a_wrong_answer_fails_the_check(case):
    namespace = case.namespace()
    _run(namespace, case.solution)
    namespace[case.exercise.defines] = _wrong(namespace[case.exercise.defines])
    with pytest.raises(AssertionError):
        _run(namespace, case.cell("check"))


def _shown(value) -> list[str]:
    """The ways a message could show a number, a shape or a choice."""
    forms = {repr(value), str(value)}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        forms |= {f"{value:,}", f"{value:_}"}
    return sorted(forms)


@pytest.mark.parametrize("case", NUMBER_CASES, ids=_ids, indirect=True, scope="module")
def test_a_wrong_answer_is_not_told_the_expected_value(case):
    namespace = case.namespace()
    _run(namespace, case.solution)
    right = namespace[case.exercise.defines]
    namespace[case.exercise.defines] = _wrong(right)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(AssertionError) as failure:
        exec(compile(case.cell("check"), "<exercise cell>", "exec"), namespace)
    told = f"{out.getvalue()} {failure.value}".replace(f"Exercise {case.exercise.number}", "")
    for form in _shown(right):
        assert not re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", told), (form, told)


@pytest.mark.parametrize("case", list(MISTAKES), ids=_ids, indirect=True, scope="module")
def test_a_learners_mistake_fails_the_check(case):
    mistake = MISTAKES[case.notebook.stem, case.exercise.number]
    with pytest.raises(AssertionError, match=f"Exercise {case.exercise.number}"):
        _run(case.namespace(), mistake, case.cell("check"))


# --- cnnlib.exercises ----------------------------------------------------------------------------------------------


def test_unanswered_is_not_an_error(capsys):
    check(..., 3, "Exercise 1")
    assert "not answered yet" in capsys.readouterr().out


def test_right_and_wrong_answers(capsys):
    check(16, 16)
    check(0.1 + 0.2, 0.3)
    assert capsys.readouterr().out.count("correct") == 2
    with pytest.raises(AssertionError, match="Exercise 1"):
        check(15, 16, "Exercise 1")


def test_array_answers_are_checked_for_shape_first(capsys):
    expected = np.arange(6.0).reshape(2, 3)
    check(expected.copy(), expected, "Exercise 4")
    assert "correct" in capsys.readouterr().out
    # allclose alone would broadcast a (1, 2, 3) answer against (2, 3) and accept it
    with pytest.raises(AssertionError, match="shape"):
        check(expected[None], expected, "Exercise 4")
    with pytest.raises(AssertionError, match="None"):
        check(None, expected, "Exercise 4")
    with pytest.raises(AssertionError, match="Exercise 4"):
        check(expected + 1, expected, "Exercise 4")


@pytest.mark.parametrize(
    "expected, wrong",
    [(14, 15), (1_883_200, 1_883_201), (0.34, 0.35), ((8, 8, 4), (8, 8, 3)), ((8, 8, 4), 8), ("relu", "tanh")],
)
def test_a_wrong_answer_shows_the_answer_never_the_expected_value(expected, wrong, capsys):
    with pytest.raises(AssertionError) as failure:
        check(wrong, expected, "Exercise 5")
    told = f"{capsys.readouterr().out} {failure.value}".replace("Exercise 5", "")
    assert repr(wrong) in told
    for form in _shown(expected):
        assert not re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", told), (form, told)


def test_a_shape_may_be_a_tuple_or_a_list(capsys):
    check((8, 8, 4), (8, 8, 4), "Exercise 5")
    check([8, 8, 4], (8, 8, 4), "Exercise 5")
    check((np.int64(8), 8, 4), (8, 8, 4), "Exercise 5")
    assert capsys.readouterr().out.count("correct") == 3
    with pytest.raises(AssertionError, match="Exercise 5"):
        check((8, 4), (8, 8, 4), "Exercise 5")


def test_checks_still_fail_under_python_optimize():
    # A learner's answer check is not an assert statement: python -O must not skip it.
    code = (
        "from cnnlib.exercises import check\n"
        "try:\n    check(3, 4, 'Ex')\nexcept AssertionError as e:\n    print('refused:', e)\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("refused: Ex")


def test_a_missing_solution_is_an_error():
    with pytest.raises(ValueError, match="nothing_here"):
        solution_code(NOTEBOOKS / "03_lenet.ipynb", "nothing_here")

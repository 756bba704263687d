"""tools.mutations: every deliberate bug still applies to the code it breaks, and names a notebook."""

import nbformat
import pytest

from tools.mutations import MUTATIONS, ROOT, mutated_notebook, scratch_copy, table


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_the_mutation_applies_once_and_changes_the_code(mutation, tmp_path):
    notebook = ROOT / "notebooks" / f"{mutation.notebook}.ipynb"
    scratch_copy(mutation, tmp_path)
    if mutation.file == "notebook":
        changed = [c.source for c in mutated_notebook(mutation, notebook).cells]
        assert changed != [c.source for c in nbformat.read(notebook, as_version=4).cells]
    else:
        changed = (tmp_path / "cnnlib" / mutation.file).read_text()
        assert changed != (ROOT / "cnnlib" / mutation.file).read_text()


def test_every_notebook_has_a_mutation():
    assert {m.notebook for m in MUTATIONS} == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}


def test_the_table_says_which_were_missed():
    rows = [{"mutation": "a", "what": "w", "notebook": "n", "caught": False, "cell": None, "error": ""}]
    assert "| `a` | w | n | **no** | every check passed |" in table(rows)

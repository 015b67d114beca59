"""The course notebooks as stored in git: stripped, canonical metadata, and the structure every chapter promises."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest

from lrlab import catalog

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXPECTED = [
    "00_course_map", "01_training_loop", "02_step_lr", "03_exponential_lr", "04_cosine_annealing",
    "05_cyclic_lr", "06_one_cycle", "07_warmup_composition", "08_reduce_on_plateau", "09_pitfalls",
    "10_modern_schedules", "11_capstone",
]
# Scheduler chapters: the classes whose self-check each must run (the catalog says which chapter teaches what).
CHAPTER_CLASSES = {chapter: list(names) for chapter, names in catalog.chapters().items()}
NOTEBOOKS = [NOTEBOOKS_DIR / f"{name}.ipynb" for name in EXPECTED]


def _load_strip_module():
    spec = importlib.util.spec_from_file_location("strip_notebooks", REPO_ROOT / "scripts" / "strip_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _markdown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_exactly_the_course_notebooks_exist():
    assert sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=EXPECTED)
def test_stored_stripped_and_valid(path: Path):
    nb = _read(path)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs: run scripts/strip_notebooks.py"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert nb.metadata.kernelspec.name == "python3"
    assert set(nb.metadata) == {"kernelspec", "language_info"}, "volatile notebook metadata (widgets state?)"


def test_stored_exactly_as_nbstripout_writes_them():
    """Byte-for-byte what nbstripout (with the project's flags, scripts/strip_notebooks.py) writes."""
    strip = _load_strip_module()
    assert strip.main(["--check", *map(str, sorted(NOTEBOOKS_DIR.glob("*.ipynb")))]) == 0, \
        "run: python scripts/strip_notebooks.py"


def test_stripper_strips_outputs_and_metadata(tmp_path: Path):
    strip = _load_strip_module()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.metadata["ExecuteTime"] = {"end_time": "2026"}
    cell.metadata["tags"] = ["keep"]
    cell.id = "keep-this-id"
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell]
    nb.metadata["widgets"] = {"state": {}}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert strip.main(["--check", str(path)]) == 1
    assert strip.main([str(path)]) == 0
    assert strip.main(["--check", str(path)]) == 0
    out = _read(path)
    assert out.cells[1].outputs == [] and out.cells[1].execution_count is None
    assert dict(out.cells[1].metadata) == {"tags": ["keep"]} and out.cells[1].id == "keep-this-id"
    assert "widgets" not in out.metadata
    assert isinstance(json.loads(path.read_text(encoding="utf-8"))["cells"][1]["source"], list), "lines, as Jupyter saves"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=EXPECTED)
def test_first_code_cell_checks_the_environment(path: Path):
    first = _code(_read(path))[0]
    assert "setup_notebook(" in first or "check_environment(" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=EXPECTED)
def test_objectives_summary_and_questions(path: Path):
    nb = _read(path)
    text = _markdown(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    if path.stem != "00_course_map":
        assert "Learning objectives" in nb.cells[0].source
        assert "Questions to think about" in text


@pytest.mark.parametrize("name", list(CHAPTER_CLASSES))
def test_scheduler_chapter_structure(name: str):
    nb = _read(NOTEBOOKS_DIR / f"{name}.ipynb")
    code = "\n".join(_code(nb))
    text = _markdown(nb)
    assert "$$" in text, "the formula in LaTeX"
    assert re.search(r"\bexplore\(|warmup_composer\(", code), "an interactive explorer panel"
    assert "torch_schedule(" in code or "torch_sequential(" in code or "ReduceLROnPlateau(" in code, "torch's schedule"
    assert "exercises/schedulers/" in text, "which file to implement"
    assert "Hints" in text
    for cls in CHAPTER_CLASSES[name]:
        assert f'self_check("{cls}"' in code, f"a self-check cell for {cls}"
    assert "compare_schedules(" in code or "train(" in code, "a real training experiment"
    assert "## Summary" in text


def test_base_class_is_built_where_the_first_scheduler_needs_it():
    """The LRScheduler exercise and its check sit in the first scheduler's chapter, right before that
    scheduler's exercise; no other notebook has them."""
    first = catalog.get(catalog.SCHEDULERS[0])
    check = f"schedulers.{catalog.BASE_CLASS}"
    assert [p.stem for p in NOTEBOOKS if any(check in c for c in _code(_read(p)))] == [first.chapter]
    cells = _read(NOTEBOOKS_DIR / f"{first.chapter}.ipynb").cells

    def index(kind: str, needle: str) -> int:
        return next(i for i, c in enumerate(cells) if c.cell_type == kind and needle in c.source)

    assert (index("markdown", f"exercises/schedulers/{catalog.BASE_MODULE}.py") < index("code", check)
            < index("markdown", f"exercises/schedulers/{first.module}.py"))


def test_pitfalls_notebook_has_eight_guided_fixes():
    nb = _read(NOTEBOOKS_DIR / "09_pitfalls.ipynb")
    code = _code(nb)
    assert sum("FIX ME" in c for c in code) == 8
    assert sum("check(" in c for c in code if "def check(" not in c) == 8
    assert _markdown(nb).count("<details><summary><b>Solution</b>") == 8


def test_course_map_lists_every_notebook():
    nb00 = _markdown(_read(NOTEBOOKS_DIR / "00_course_map.ipynb"))
    for name in EXPECTED:
        assert f"({name}.ipynb)" in nb00
    for needle in ("lrlab grade", "--solutions", "LRLAB_SCHEDULERS", "use_schedulers"):
        assert needle in nb00


_MAP_ROW = re.compile(r"^\| (\d\d) \| \[([^]]+)\]\([^)]*\) \| (.*) \| (.*) \|$", re.M)


def test_notebook_00_and_the_readme_show_the_same_course_map():
    """The course map is written twice (README for the repository, notebook 00 for the learner in Jupyter):
    row for row the same title, lessons and exercises, so neither can drift."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    nb00 = _markdown(_read(NOTEBOOKS_DIR / "00_course_map.ipynb"))
    rows = [{m.group(1): m.groups()[1:] for m in _MAP_ROW.finditer(text)} for text in (readme, nb00)]
    assert sorted(rows[0]) == sorted(rows[1]) == sorted(name[:2] for name in EXPECTED)
    for number in rows[0]:
        assert rows[0][number] == rows[1][number], f"course map row {number} differs"


def test_readme_course_map_agrees_with_the_catalog():
    """The README's course map names, in each chapter's row, every class the catalog says that chapter teaches."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| \d\d \| \[[^]]+\]\(notebooks/(\w+)\.ipynb\).*$",
                                                       readme, re.M)}
    for chapter, names in catalog.chapters().items():
        assert chapter in rows, f"README course map has no row for {chapter}"
        for name in names:
            assert name in rows[chapter], f"README row of {chapter} does not name {name}"

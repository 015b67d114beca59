"""nbgrader preprocessors used by course/nbgrader_config.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor


class DropUnlistedCodeCells(NbGraderPreprocessor):
    """Remove code cells that are not instructor cells recorded in the gradebook, before autograding.

    A code cell is kept iff its ``nbgrader.grade_id`` names a source cell of this notebook in the gradebook
    (OverwriteCells has restored those cells' source). Cells a student added could otherwise run before the
    test cells in the same kernel and forge them. In this course the learner's work lives in ``.py`` files,
    so no student-written notebook code is ever graded.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                return nb, resources  # autograde skips notebooks unknown to the gradebook anyway
            known = {cell.name for cell in notebook.source_cells} | {cell.name for cell in notebook.grade_cells}
        kept, dropped = [], 0
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code" and grade_id not in known:
                dropped += 1
                continue
            kept.append(cell)
        if dropped:
            self.log.warning("Dropped %d code cell(s) that are not part of the assignment", dropped)
        nb.cells = kept
        return nb, resources


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text`` (so the code cannot close it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def code_cell_source(rel: str, text: str | None, names: list[str], folder: str = "schedulers/") -> str:
    """Markdown showing one submitted file read-only: a heading naming the file and its schedulers, the code."""
    what = f" ({', '.join(names)})" if names else ""
    if text is None:
        return f"#### Student's code: `{folder}{rel}`{what}\n\n*Not in the submission (deleted or renamed).*"
    fence = _fence(text)
    return f"#### Student's code: `{folder}{rel}`{what}\n\n{fence}python\n{text.rstrip()}\n{fence}"


ANSWERS = "answers.py"
CONCEPT_PREFIX = "concept_"  # grade ids of the lr_concepts test cells (lrlab.classroom.concepts_builder)


def _show_answers(nb: NotebookNode, folder: Path) -> None:
    """Insert the submitted ``answers.py`` (lr_concepts) before the first question's heading."""
    first = next((i for i, c in enumerate(nb.cells)
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith(CONCEPT_PREFIX)), None)
    if first is None:
        return
    path = folder / ANSWERS
    text = path.read_text(errors="replace") if path.is_file() and not path.is_symlink() else None
    new = nbformat.v4.new_markdown_cell(code_cell_source(ANSWERS, text, [], folder=""))
    new.metadata.update({"lrlab": {"student_code": ANSWERS}, "editable": False, "deletable": False})
    nb.cells.insert(max(first - 1, 0), new)


class ShowStudentCode(NbGraderPreprocessor):
    """Insert the student's ``schedulers/*.py`` into the autograded notebook as read-only markdown cells.

    The learner's work is the package, not the notebook; without this the formgrader's manual-grading view
    and the feedback HTML show only the test cells. Each module's code goes right before the heading of
    the first scheduler it defines (``lrlab.grading.spec.MODULE_OF``); the other files (``__init__.py``,
    ``base.py``, extra modules) go before the first scheduler. The cells are markdown, so nothing of the
    student's runs; they carry ``metadata.lrlab.student_code`` and are neither editable nor deletable. In
    ``lr_concepts`` the submitted ``answers.py`` goes, the same way, before the first question.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        try:
            from lrlab.grading.spec import MODULE_OF
        except ImportError:  # pragma: no cover - the grader always has it today
            MODULE_OF = {}
        pkg = Path(resources.get("metadata", {}).get("path") or ".") / "schedulers"
        nb.cells = [c for c in nb.cells if "student_code" not in c.get("metadata", {}).get("lrlab", {})]
        _show_answers(nb, pkg.parent)
        submitted = {p.relative_to(pkg).as_posix(): p for p in sorted(pkg.rglob("*.py"))
                     if "__pycache__" not in p.parts} if pkg.is_dir() else {}
        by_module: dict[str, list[str]] = {}
        for name, module in MODULE_OF.items():
            by_module.setdefault(f"{module}.py", []).append(name)

        def cell(rel: str) -> NotebookNode:
            path = submitted.get(rel)
            text = path.read_text(errors="replace") if path is not None else None
            new = nbformat.v4.new_markdown_cell(code_cell_source(rel, text, by_module.get(rel, [])))
            new.metadata.update({"lrlab": {"student_code": rel}, "editable": False, "deletable": False})
            return new

        # position of each scheduler's heading: the markdown cell right before its test cell
        heading_of: dict[str, int] = {}
        for i, c in enumerate(nb.cells):
            grade_id = c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if grade_id.startswith("test_") and i > 0:
                heading_of[grade_id[5:]] = i - 1
        if not heading_of:
            return nb, resources
        first = min(heading_of.values())
        inserts: dict[int, list[NotebookNode]] = {}
        placed = set()
        for name, index in sorted(heading_of.items(), key=lambda kv: kv[1]):
            rel = f"{MODULE_OF[name]}.py" if name in MODULE_OF else None
            if rel and rel not in placed:
                placed.add(rel)
                inserts.setdefault(index, []).append(cell(rel))
        others = [rel for rel in submitted if rel not in placed]
        inserts.setdefault(first, [])[:0] = [cell(rel) for rel in others]
        cells = []
        for i, c in enumerate(nb.cells):
            cells.extend(inserts.get(i, []))
            cells.append(c)
        nb.cells = cells
        return nb, resources

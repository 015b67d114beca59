"""nbgrader preprocessors used by course/nbgrader_config.py."""

from __future__ import annotations

from typing import Any

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

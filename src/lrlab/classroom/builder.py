"""``lrlab build-course``: build the nbgrader source assignment from the repository.

``course/source/<assignment>/`` gets the GENERATED exercise package ``schedulers/`` (stubs made from
``solutions/`` by :func:`lrlab.exercisegen.generate`; nbgrader copies ``.py`` files verbatim, so the
solutions must never go there) and a notebook with one autograded test cell per scheduler worth
``lrlab.grading.SCHEDULER_POINTS[name]`` points (the same 100 points as ``lrlab grade``).
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from string import Template

import nbformat

from lrlab.classroom import ASSIGNMENT
from lrlab.exercisegen import BEGIN, END, generate
from lrlab.paths import COURSE_DIR, PACKAGE, SOLUTIONS_DIR

NOTEBOOK = "lr_schedulers.ipynb"
_ID = re.compile(r"^[A-Za-z0-9_]+$")


def scheduler_modules(package_dir: Path) -> dict[str, str]:
    """Map each top-level class name defined in ``package_dir/*.py`` to its file name (e.g. ``step.py``)."""
    modules: dict[str, str] = {}
    for path in sorted(Path(package_dir).glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                modules.setdefault(node.name, path.name)
    return modules


#: First line of every released stub (replaces the generator's "GENERATED from solutions/..." line, which
#: points students at the reference and at a maintainer command).
RELEASE_HEADER = "# LR Lab assignment: implement the stubs below (each docstring gives the formula and a hint).\n"


def release_text(text: str) -> str:
    """``text`` of a generated stub with its ``# GENERATED from solutions/...`` first line replaced."""
    first, sep, rest = text.partition("\n")
    if first.startswith("# GENERATED from solutions/"):
        return RELEASE_HEADER + rest
    return text


def _points_text(points: float) -> str:
    return f"{points:g}"


def _test_cell_metadata(grade_id: str, points: float) -> dict:
    meta = {"grade": True, "grade_id": grade_id, "locked": True, "points": points, "schema_version": 3,
            "solution": False, "task": False}
    return {"nbgrader": meta, "editable": False, "deletable": False}


def build_notebook(points: Mapping[str, float], modules: Mapping[str, str], templates: Path) -> nbformat.NotebookNode:
    """The graded source notebook: intro, then a heading and a test cell per scheduler.

    Test cell ``test_<name>`` is worth ``points[name]``; its hidden block calls
    :func:`lrlab.classroom.cells.award`, which asserts the scheduler earned those points in ``lrlab grade``.
    """
    tpl = {name: Template((Path(templates) / name).read_text()) for name in ("intro.md", "scheduler.md", "test_cell.py.in")}
    missing = [name for name in points if name not in modules]
    if missing:
        raise ValueError(f"points name scheduler(s) {missing} that no module of the package defines")
    table = "\n".join(f"| `{n}` | `schedulers/{modules[n]}` | {_points_text(p)} |" for n, p in points.items())
    cells = [
        nbformat.v4.new_markdown_cell(tpl["intro.md"].substitute(table=table, total=_points_text(sum(points.values())))),
    ]
    for name, pts in points.items():
        if not _ID.match(name):
            raise ValueError(f"scheduler name {name!r} must be a Python identifier")
        fields = {"name": name, "points": _points_text(pts), "module": modules[name]}
        cells.append(nbformat.v4.new_markdown_cell(tpl["scheduler.md"].substitute(fields)))
        cells.append(nbformat.v4.new_code_cell(
            tpl["test_cell.py.in"].substitute(fields).rstrip("\n"), metadata=_test_cell_metadata(f"test_{name}", pts)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def build_course(
    course_dir: Path = COURSE_DIR,
    assignment: str = ASSIGNMENT,
    solutions_dir: Path = SOLUTIONS_DIR,
    points: Mapping[str, float] | None = None,
) -> Path:
    """Write ``course_dir/source/<assignment>/`` (stub package + graded notebook) and return that directory.

    ``points`` defaults to ``lrlab.grading.SCHEDULER_POINTS`` (name -> points, total 100). The directory
    is replaced whole. Raises ``ValueError`` if a solution marker survived into the stubs.
    """
    course_dir = Path(course_dir)
    if not isinstance(assignment, str) or not _ID.match(assignment):
        raise ValueError(f"assignment must be letters, digits and underscores, got {assignment!r}")
    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"course_dir {course_dir} has no nbgrader_config.py")
    if points is None:
        from lrlab.grading import SCHEDULER_POINTS

        points = SCHEDULER_POINTS
    points = {str(k): float(v) for k, v in points.items()}
    if any(p <= 0 for p in points.values()):
        raise ValueError(f"points must all be > 0, got {points}")
    dst = course_dir / "source" / assignment
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    generate(Path(solutions_dir), dst)
    for path in (dst / PACKAGE).rglob("*.py"):
        text = release_text(path.read_text())
        if BEGIN in text or END in text:
            raise ValueError(f"{path}: solution marker left in the generated stubs")
        path.write_text(text)
    nb = build_notebook(points, scheduler_modules(dst / PACKAGE), course_dir / "templates")
    nbformat.write(nb, dst / NOTEBOOK)
    return dst

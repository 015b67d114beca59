"""The second nbgrader assignment, ``lr_concepts``: the conceptual questions of :mod:`lrlab.concepts`.

``course/source/lr_concepts/`` gets ``answers.py`` (one stub per question, its prompt as the docstring or
comment: a constant ``None`` or a function raising ``NotImplementedError``) and ``lr_concepts.ipynb`` (each
prompt, then one locked autograded test cell per question). The cells call
:func:`lrlab.classroom.concepts_cells.grade`, which grades ``answers.py`` outside the kernel. Neither file
holds an answer or an explanation.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from string import Template

import nbformat

from lrlab import concepts
from lrlab.classroom import CONCEPTS_ASSIGNMENT
from lrlab.classroom.builder import _ID, _points_text, _test_cell_metadata
from lrlab.paths import COURSE_DIR

CONCEPTS_NOTEBOOK = "lr_concepts.ipynb"
ANSWERS = "answers.py"
GRADE_PREFIX = "concept_"
TEMPLATES = ("concepts_intro.md", "concept.md", "concept_cell.py.in")

_WHAT = {"number": "a number", "outcome": "a number", "int": "an int", "bool": "True or False",
         "ints": "a list of ints", "names": "a list of names (strings)"}
HEADER = '''"""LR Lab conceptual questions: write your answers here (this file is what gets graded).

Each question below is a constant (replace ``None`` with your answer) or a function (replace the
``raise NotImplementedError`` with your code). Torch's schedulers do not exist while this file is graded:
compute the answers yourself (``math`` is fine). ``lrlab grade-concepts answers.py`` grades it in a terminal.
"""

import math  # noqa: F401  (for your answers)
'''


def grade_id(question_id: str) -> str:
    """The nbgrader grade id of a question's test cell (``"02.lr_at"`` -> ``concept_02_lr_at``)."""
    return GRADE_PREFIX + question_id.replace(".", "_")


def _docstring(text: str, indent: str) -> str:
    if '"""' in text or "\\" in text:
        raise ValueError(f"prompt cannot go in a docstring: {text!r}")
    body = textwrap.fill(text, 100 - len(indent), initial_indent=indent, subsequent_indent=indent)
    return f'{indent}"""{body.lstrip()}\n{indent}"""'


def answers_stub() -> str:
    """The released ``answers.py``: a stub per question, grouped by chapter."""
    parts = [HEADER]
    chapter = None
    for q in concepts.questions():
        if q.chapter != chapter:
            chapter = q.chapter
            parts.append(f"\n# {'-' * 40} chapter {chapter}\n")
        name = concepts.answer_name(q.id)
        if q.kind == "function":
            parts.append(f"\ndef {name}(t: int) -> float:\n{_docstring(q.prompt, '    ')}\n"
                         "    raise NotImplementedError\n\n")
        else:
            comment = textwrap.fill(q.prompt, 98, initial_indent="# ", subsequent_indent="# ")
            parts.append(f"\n{comment}\n{name} = None  # {_WHAT[q.kind]}\n")
    return "".join(parts).rstrip("\n") + "\n"


def build_concepts_notebook(points: float, templates: Path) -> nbformat.NotebookNode:
    """The graded notebook: the intro, then per question its prompt and a locked test cell worth ``points``."""
    tpl = {name: Template((Path(templates) / name).read_text()) for name in TEMPLATES}
    qs = concepts.questions()
    cells = [nbformat.v4.new_markdown_cell(tpl["concepts_intro.md"].substitute(
        count=len(qs), points=_points_text(points), total=_points_text(points * len(qs)), answers=ANSWERS))]
    for q in qs:
        fields = {"id": q.id, "name": concepts.answer_name(q.id), "points": _points_text(points),
                  "prompt": q.prompt, "chapter": q.chapter,
                  "what": "a function `lr_at(t)`" if q.kind == "function" else _WHAT[q.kind]}
        cells.append(nbformat.v4.new_markdown_cell(tpl["concept.md"].substitute(fields)))
        cells.append(nbformat.v4.new_code_cell(tpl["concept_cell.py.in"].substitute(fields).rstrip("\n"),
                                               metadata=_test_cell_metadata(grade_id(q.id), points)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def build_concepts(course_dir: Path = COURSE_DIR, assignment: str = CONCEPTS_ASSIGNMENT,
                   points: float = 1.0) -> Path:
    """Write ``course_dir/source/<assignment>/`` (``answers.py`` stubs + graded notebook); return that directory.

    ``points`` per question (default 1). The directory is replaced whole.
    """
    course_dir = Path(course_dir)
    if not isinstance(assignment, str) or not _ID.match(assignment):
        raise ValueError(f"assignment must be letters, digits and underscores, got {assignment!r}")
    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"course_dir {course_dir} has no nbgrader_config.py")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise ValueError(f"points must be a number > 0, got {points!r}")
    nb = build_concepts_notebook(float(points), course_dir / "templates")
    dst = course_dir / "source" / assignment
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    (dst / ANSWERS).write_text(answers_stub())
    nbformat.write(nb, dst / CONCEPTS_NOTEBOOK)
    return dst

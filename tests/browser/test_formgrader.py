"""The formgrader and the feedback page in a real browser (Debian's Chromium, Python Playwright).

One course, built and autograded for real (``lrlab build-course``, ``nbgrader generate_assignment``, one
partial submission, ``lrlab autograde``, ``nbgrader generate_feedback``), served by JupyterLab with
nbgrader's formgrader extension from the course directory. Checks: Manage Assignments lists the
assignment, the gradebook shows the submission's score, the manual-grading view shows the student's
``schedulers/*.py`` next to the test cells, and the feedback page names each scheduler in its table of
contents and wraps long lines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lrlab.classroom import ASSIGNMENT
from lrlab.classroom.builder import NOTEBOOK, build_course
from lrlab.grading import SCHEDULER_POINTS
from lrlab.paths import COURSE_DIR, SOLUTIONS_DIR

from .servers import Server, start_jupyterlab

pytestmark = [pytest.mark.browser, pytest.mark.classroom, pytest.mark.slow, pytest.mark.timeout(600)]

BIN = Path(sys.executable).parent
STUDENT = "alice"
LONG = "x" * 400  # a long line in the student's code: must wrap, not run off the page


def _run(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("NBGRADER_EXECUTION", None)
    proc = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=course, env=env, capture_output=True, text=True,
                          timeout=400)
    assert proc.returncode == 0, f"{args}: {proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("formgrader")
    course = root / "course"
    course.mkdir()
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    shutil.copytree(COURSE_DIR / "templates", course / "templates")
    build_course(course)
    _run(course, "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    dst = course / "submitted" / STUDENT / ASSIGNMENT
    shutil.copytree(course / "release" / ASSIGNMENT, dst)
    for m in ("base", "step", "exponential"):
        shutil.copy(SOLUTIONS_DIR / "schedulers" / f"{m}.py", dst / "schedulers" / f"{m}.py")
    with open(dst / "schedulers" / "step.py", "a") as f:
        f.write(f"\n_LONG_LINE = '{LONG}'\n")
    (dst / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC")
    _run(course, "lrlab", "autograde", ASSIGNMENT, "--course", str(course))
    _run(course, "nbgrader", "generate_feedback", ASSIGNMENT)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "lrlab") as gb:
        sub = gb.find_submission_notebook(Path(NOTEBOOK).stem, ASSIGNMENT, STUDENT)
        info = {"id": sub.id, "score": sub.score}
    server = start_jupyterlab(course, root / "jupyter")
    try:
        yield {"course": course, "server": server, **info}
    finally:
        server.stop()


def _server(graded_course: dict) -> Server:
    return graded_course["server"]


def test_manage_assignments_lists_the_assignment(page, graded_course: dict) -> None:
    page.goto(_server(graded_course).url("/formgrader/manage_assignments"))
    row = page.locator("tr", has_text=ASSIGNMENT).first
    row.wait_for()
    assert "1" in row.inner_text()  # one submission


def test_gradebook_shows_the_score(page, graded_course: dict) -> None:
    page.goto(_server(graded_course).url(f"/formgrader/gradebook/{ASSIGNMENT}/{Path(NOTEBOOK).stem}"))
    row = page.locator("tr", has_text=STUDENT).first
    row.wait_for()
    assert f"{graded_course['score']:.2f}" in row.inner_text() or f"{graded_course['score']:g}" in row.inner_text()


def test_manual_grading_view_shows_the_students_code(page, graded_course: dict) -> None:
    page.goto(_server(graded_course).url(f"/formgrader/submissions/{graded_course['id']}/"))
    page.get_by_text("Student's code: schedulers/step.py").first.wait_for()
    body = page.inner_text("body")
    assert "class StepLR" in body and "class ExponentialLR" in body
    assert "Student's code: schedulers/one_cycle.py" in body  # every module, solved or not
    assert "StepLR" in body and "partial credit" in body


def test_feedback_page_names_schedulers_and_wraps_long_lines(page, graded_course: dict) -> None:
    html = graded_course["course"] / "feedback" / STUDENT / ASSIGNMENT / f"{Path(NOTEBOOK).stem}.html"
    page.goto(html.as_uri())
    toc = page.locator("#toc li a")
    assert toc.all_inner_texts()[: len(SCHEDULER_POINTS)] == list(SCHEDULER_POINTS)
    page.get_by_text("Student's code: schedulers/step.py").first.wait_for()
    width = page.evaluate("document.documentElement.clientWidth")
    overflow = page.evaluate(
        "() => Array.from(document.querySelectorAll('pre')).filter(p => p.textContent.includes('xxxxxxxxxx'))"
        ".map(p => [p.scrollWidth, p.clientWidth, getComputedStyle(p).whiteSpace])")
    assert overflow, "the long line is not on the page"
    for scroll, client, white_space in overflow:
        assert white_space == "pre-wrap" and scroll <= client + 1 and client <= width, (scroll, client, white_space)

"""End to end with the real nbgrader 0.9.6: build, generate, submit, autograde, feedback, export.

In a temp copy of course/: `lrlab build-course`, `nbgrader generate_assignment`, seven submissions, then
`lrlab autograde --jobs 2` (nbgrader's autograde in two worker processes sharing the SQLite gradebook), a
plain `nbgrader autograde --student` run, `nbgrader generate_feedback` and `nbgrader export`. Expected
scores come from the grader's declared checks (lrlab.grading.spec): a check is worth its points unless the
submission breaks its scheduler, or a scheduler one of its scenarios builds as a child.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from lrlab.classroom import ASSIGNMENT
from lrlab.classroom.builder import NOTEBOOK, build_course
from lrlab.grading import SCHEDULER_POINTS
from lrlab.grading.spec import MODULE_OF, checks_for
from lrlab.paths import COURSE_DIR, SOLUTIONS_DIR

pytestmark = [pytest.mark.nbgrader, pytest.mark.classroom, pytest.mark.slow, pytest.mark.timeout(600)]

SCRIPTS = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ.get('PATH', '')}"}
ENV.pop("NBGRADER_EXECUTION", None)


def run(course: Path, *args: str, timeout: float = 400) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(SCRIPTS / args[0]), *args[1:]], cwd=course, env=ENV, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def _uses(value: Any, broken: set[str]) -> bool:
    if isinstance(value, dict):
        if "$sched" in value and value["$sched"]["sched"] in broken:
            return True
        return any(_uses(v, broken) for v in value.values())
    if isinstance(value, list):
        return any(_uses(v, broken) for v in value)
    return False


def _judged(check: Any, broken: set[str]) -> bool:
    """Whether a check can pass when the ``broken`` classes fail: each scenario that builds a broken child
    needs an alternate (stand-in children) without broken classes, which the grader then judges instead."""
    for j, sc in enumerate(check.scenarios):
        if sc.get("alternate_of") is None and _uses(sc["kwargs"], broken):
            if not any(alt.get("alternate_of") == j and not _uses(alt["kwargs"], broken) for alt in check.scenarios):
                return False
    return True


def expected_points(broken: set[str] = frozenset(), failed: dict[str, set[str]] | None = None) -> dict[str, int]:
    """Per scheduler: the points of its checks that are not listed in ``failed`` and can be judged without
    the ``broken`` classes (stand-in children replace them in composites)."""
    failed = failed or {}
    out = {}
    for name in SCHEDULER_POINTS:
        out[name] = 0 if name in broken else sum(
            c.points for c in checks_for(name) if c.name not in failed.get(name, set()) and _judged(c, broken))
    return out


def classes_in(*modules: str) -> set[str]:
    return {name for name in SCHEDULER_POINTS if MODULE_OF[name] in modules}


ALL_MODULES = set(MODULE_OF.values())

# ---- the submissions: (how to make it from the released assignment, expected points per scheduler) --------


def _solution(dst: Path) -> Path:
    pkg = dst / "schedulers"
    shutil.rmtree(pkg)
    shutil.copytree(SOLUTIONS_DIR / "schedulers", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return pkg


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text)


def make_full_noisy(dst: Path) -> None:
    """The reference solution, plus a warning and stderr output at import: must still score 100."""
    pkg = _solution(dst)
    _append(pkg / "__init__.py", "import sys as _sys, warnings as _w\n_w.warn('noisy learner', UserWarning)\n"
                                  "print('debug output', file=_sys.stderr)\n")


def make_stubs(dst: Path) -> None:
    """The released stubs, untouched."""


def make_partial(dst: Path) -> None:
    """base + step solved, ExponentialLR off by 1e-6 after 1000 steps (fails only the 10,000-step scenario, in
    'grid'), the rest stubs.

    Also tries to cheat: a code cell that replaces check/award in the kernel and a fake ``lrlab`` package
    next to the notebook; and it deletes the StepLR test cell (nbgrader puts it back).
    """
    pkg = dst / "schedulers"
    for module in ("base", "step", "exponential"):
        shutil.copy(SOLUTIONS_DIR / "schedulers" / f"{module}.py", pkg / f"{module}.py")
    _append(pkg / "exponential.py",
            "_exact_get_lr = ExponentialLR.get_lr\n\n\n"
            "def _drifting_get_lr(self):\n"
            "    lrs = _exact_get_lr(self)\n"
            "    return [lr * (1 + 1e-6) for lr in lrs] if self.last_epoch > 1000 else lrs\n\n\n"
            "ExponentialLR.get_lr = _drifting_get_lr\n")
    fake = dst / "lrlab" / "classroom"
    fake.mkdir(parents=True)
    (dst / "lrlab" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "cells.py").write_text("def check(*a, **k):\n    pass\n\n\ndef award(*a, **k):\n    pass\n")
    nb_path = dst / NOTEBOOK
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_StepLR"]
    forged = nbformat.v4.new_code_cell(
        "import lrlab.classroom.cells as c\nc.award = lambda *a, **k: None\nc.check = lambda *a, **k: None\n"
        "award = check = c.award\n")
    nb.cells.insert(2, forged)
    nb.cells.append(nbformat.v4.new_code_cell("award = lambda *a, **k: None"))
    nbformat.write(nb, nb_path)


def make_alias(dst: Path) -> None:
    """The solution, but CyclicLR is torch's class and OneCycleLR a bare subclass of torch's."""
    pkg = _solution(dst)
    (pkg / "cyclic.py").write_text("from torch.optim.lr_scheduler import CyclicLR  # noqa: F401\n")
    (pkg / "one_cycle.py").write_text("import torch\n\n\nclass OneCycleLR(torch.optim.lr_scheduler.OneCycleLR):\n"
                                      "    pass\n")


def make_hang(dst: Path) -> None:
    """The solution, but ReduceLROnPlateau.step never returns."""
    pkg = _solution(dst)
    _append(pkg / "plateau.py", "def _forever(self, *args, **kwargs):\n    while True:\n        pass\n\n\n"
                                "ReduceLROnPlateau.step = _forever\n")


def make_syntax_error(dst: Path) -> None:
    """The solution with a syntax error in linear.py."""
    pkg = _solution(dst)
    _append(pkg / "linear.py", "def broken(:\n    pass\n")


def make_deleted_module(dst: Path) -> None:
    """The solution without one_cycle.py."""
    pkg = _solution(dst)
    (pkg / "one_cycle.py").unlink()


PLANTED_LAUNCHER = """# a submitted ipykernel_launcher.py: if the grading kernel started from it, it could patch anything
import os, runpy, sys
open(os.path.join(os.getcwd(), "PLANTED_RAN"), "w").write("the planted launcher ran")
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
"""


def make_planted(dst: Path) -> None:
    """The solution, an ``ipykernel_launcher.py`` and a ``helper.py`` next to the notebook, and step.py
    importing that helper: the kernel must not start from the planted file, and files outside
    ``schedulers/`` must not be importable by the graded code (so StepLR/MultiStepLR score 0)."""
    pkg = _solution(dst)
    (dst / "ipykernel_launcher.py").write_text(PLANTED_LAUNCHER)
    (dst / "helper.py").write_text("VALUE = 1\n")
    step = pkg / "step.py"
    step.write_text("import helper  # noqa: F401  (outside schedulers/: must not be importable)\n" + step.read_text())


SUBMISSIONS = {
    "full_noisy": (make_full_noisy, expected_points()),
    "stubs": (make_stubs, expected_points(set(SCHEDULER_POINTS))),
    "partial": (make_partial, expected_points(set(SCHEDULER_POINTS) - classes_in("step", "exponential"),
                                              {"ExponentialLR": {"grid"}})),
    "alias": (make_alias, expected_points(classes_in("cyclic", "one_cycle"))),
    "hang": (make_hang, expected_points(classes_in("plateau"))),
    "syntax_error": (make_syntax_error, expected_points(classes_in("linear"))),
    "deleted_module": (make_deleted_module, expected_points(classes_in("one_cycle"))),
    "planted": (make_planted, expected_points(classes_in("step"))),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the whole pipeline once; the tests below inspect its results."""
    root = tmp_path_factory.mktemp("nbgrader")
    course = root / "course"
    course.mkdir()
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    shutil.copytree(COURSE_DIR / "templates", course / "templates")
    timings: dict[str, float] = {}
    t = time.perf_counter()
    build_course(course)
    timings["build-course"] = time.perf_counter() - t

    t = time.perf_counter()
    run(course, "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    timings["generate_assignment"] = time.perf_counter() - t

    for student, (make, _) in SUBMISSIONS.items():
        dst = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(course / "release" / ASSIGNMENT, dst)
        make(dst)
        (dst / "timestamp.txt").write_text("2026-11-22 12:00:00.000000 UTC")

    t = time.perf_counter()
    batch = run(course, "lrlab", "autograde", ASSIGNMENT, "--jobs", "2", "--course", str(course), timeout=500)
    timings["lrlab autograde --jobs 2"] = time.perf_counter() - t

    t = time.perf_counter()
    run(course, "nbgrader", "autograde", ASSIGNMENT, "--student", "full_noisy", "--force")
    timings["nbgrader autograde --student full_noisy (CLI, alone)"] = time.perf_counter() - t

    t = time.perf_counter()
    run(course, "nbgrader", "generate_feedback", ASSIGNMENT)
    timings["generate_feedback (7)"] = time.perf_counter() - t
    t = time.perf_counter()
    run(course, "nbgrader", "export", "--to", "grades.csv")
    timings["export"] = time.perf_counter() - t

    print("\n" + batch.stdout)
    for what, seconds in timings.items():
        print(f"{what:<55} {seconds:6.1f} s")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return {"dir": course, "config": config, "batch": batch.stdout, "timings": timings}


def _gradebook(course: dict[str, Any]):
    from nbgrader.api import Gradebook

    return Gradebook(course["config"].CourseDirectory.db_url, course["config"].CourseDirectory.course_id)


def test_release_holds_no_solution(course: dict[str, Any]) -> None:
    from nbgrader.validator import Validator

    release = course["dir"] / "release" / ASSIGNMENT
    files = list(release.rglob("*.py"))
    assert len(files) == len(list((SOLUTIONS_DIR / "schedulers").glob("*.py")))
    for path in files:
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path
        assert "solutions/" not in text.splitlines()[0] and "GENERATED" not in text, path
    nb = nbformat.read(release / NOTEBOOK, as_version=4)
    assert "HIDDEN TESTS" not in str(nb) and "award" not in str(nb)
    # The validator runs the released notebook: no test cell may pass on the released stubs.
    validator = Validator(config=course["config"], invert=True)
    assert validator.validate(str(release / NOTEBOOK)) == {}


def test_scores_are_exact_per_scheduler_and_total(course: dict[str, Any]) -> None:
    got, want = {}, {}
    with _gradebook(course) as gb:
        for student, (_, expected) in SUBMISSIONS.items():
            submission = gb.find_submission(ASSIGNMENT, student)
            assert not submission.needs_manual_grade, student
            assert submission.max_score == 100
            got[student] = {"total": submission.score}
            want[student] = {"total": sum(expected.values())}
            for name in SCHEDULER_POINTS:
                grade = gb.find_grade(f"test_{name}", Path(NOTEBOOK).stem, ASSIGNMENT, student)
                got[student][name] = grade.score
                want[student][name] = expected[name]
    assert got == want
    assert want["full_noisy"]["total"] == 100 and want["stubs"]["total"] == 0
    assert 0 < want["partial"]["ExponentialLR"] < SCHEDULER_POINTS["ExponentialLR"]  # partial credit used


def test_every_submission_autograded_without_failure(course: dict[str, Any]) -> None:
    lines = course["batch"].splitlines()
    for student in SUBMISSIONS:
        row = next(line for line in lines if line.startswith(student + " "))
        assert row.split()[1] == "yes", row
        assert (course["dir"] / "autograded" / student / ASSIGNMENT / NOTEBOOK).is_file()
    seconds = [float(line.split()[3]) for line in lines if line.split() and line.split()[0] in SUBMISSIONS]
    print(f"\nautograde median {statistics.median(seconds):.1f} s per submission (2 jobs on a shared machine)")


def test_autograde_prints_each_total_and_flags_copies_of_the_reference(course: dict[str, Any]) -> None:
    rows = {line.split()[0]: line for line in course["batch"].splitlines() if line.split()}
    for student, (_, expected) in SUBMISSIONS.items():
        assert rows[student].split()[2] == f"{sum(expected.values()):g}/100", rows[student]
    assert "FLAGGED" not in rows["stubs"]
    assert "FLAGGED" in rows["full_noisy"] and "solution marker" in rows["full_noisy"]
    assert "FLAGGED" in rows["partial"]  # base.py, step.py, exponential.py copied from the reference
    assert "submission(s) FLAGGED" in course["batch"]


def test_planted_kernel_launcher_never_runs(course: dict[str, Any]) -> None:
    """PYTHONSAFEPATH=1 (set by nbgrader_config.py): the submission folder is not on the kernel's sys.path."""
    graded = course["dir"] / "autograded" / "planted" / ASSIGNMENT
    assert (graded / "ipykernel_launcher.py").is_file()  # nbgrader copied it next to the notebook
    assert not (graded / "PLANTED_RAN").exists()


def test_student_code_is_shown_in_the_graded_notebook_and_feedback(course: dict[str, Any]) -> None:
    nb = nbformat.read(course["dir"] / "autograded" / "partial" / ASSIGNMENT / NOTEBOOK, as_version=4)
    shown = [c for c in nb.cells if "student_code" in c.metadata.get("lrlab", {})]
    assert {c.metadata.lrlab.student_code for c in shown} >= {f"{m}.py" for m in ALL_MODULES} | {"__init__.py"}
    step = next(c for c in shown if c.metadata.lrlab.student_code == "step.py")
    assert "(StepLR, MultiStepLR)" in step.source and "class StepLR" in step.source
    # right before StepLR's heading and test cell (in "partial" the StepLR cell was deleted: nbgrader put it
    # back at the top of the notebook, so look at an intact submission)
    full = nbformat.read(course["dir"] / "autograded" / "full_noisy" / ASSIGNMENT / NOTEBOOK, as_version=4)
    i = next(i for i, c in enumerate(full.cells) if c.metadata.get("lrlab", {}).get("student_code") == "step.py")
    assert full.cells[i + 2].metadata.nbgrader.grade_id == "test_StepLR"
    assert full.cells[0].cell_type == "markdown" and "student_code" not in full.cells[0].metadata.get("lrlab", {})
    deleted = nbformat.read(course["dir"] / "autograded" / "deleted_module" / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert any("one_cycle.py" in c.source and "Not in the submission" in c.source for c in deleted.cells)
    html = (course["dir"] / "feedback" / "partial" / ASSIGNMENT / f"{Path(NOTEBOOK).stem}.html").read_text()
    import html as html_lib
    import re

    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))  # the code is syntax-highlighted: spans
    assert "Student's code: schedulers/exponential.py" in text and "class ExponentialLR" in text
    for name in SCHEDULER_POINTS:  # the table of contents names each scheduler, not "Test cell"
        assert f'<a href="#test_{name}">{name}</a>' in html
    assert ">Test cell</a>" not in html
    assert "white-space: pre-wrap" in html
    assert "partial credit, " in html and "the number below is this cell" in html


def test_cheating_cells_and_files_are_ignored(course: dict[str, Any]) -> None:
    nb = nbformat.read(course["dir"] / "autograded" / "partial" / ASSIGNMENT / NOTEBOOK, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not any("lambda *a, **k: None" in s for s in sources)  # the added cells were dropped
    assert any('award("StepLR"' in s for s in sources)  # the deleted test cell came back, and scored


def test_feedback_has_reports_but_no_hidden_tests(course: dict[str, Any]) -> None:
    for student in SUBMISSIONS:
        html = (course["dir"] / "feedback" / student / ASSIGNMENT / f"{Path(NOTEBOOK).stem}.html").read_text()
        assert "HIDDEN TESTS" not in html and "award" not in html, student
    stubs = (course["dir"] / "feedback" / "stubs" / ASSIGNMENT / f"{Path(NOTEBOOK).stem}.html").read_text()
    assert "SchedulerCheckFailed" in stubs and f"StepLR: 0/{SCHEDULER_POINTS['StepLR']} points" in stubs
    hang = (course["dir"] / "feedback" / "hang" / ASSIGNMENT / f"{Path(NOTEBOOK).stem}.html").read_text()
    assert "time limit" in hang


def test_export_has_every_student(course: dict[str, Any]) -> None:
    with open(course["dir"] / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f) if row["assignment"] == ASSIGNMENT}
    assert set(rows) == set(SUBMISSIONS)
    for student, (_, expected) in SUBMISSIONS.items():
        assert float(rows[student]["raw_score"]) == sum(expected.values()), student
        assert float(rows[student]["max_score"]) == 100


def test_course_local_exchange_release_fetch_submit_collect(course: dict[str, Any], tmp_path: Path) -> None:
    exchange = f"--Exchange.root={course['dir'] / 'exchange'}"
    run(course["dir"], "nbgrader", "release_assignment", ASSIGNMENT, "--force")
    assert (course["dir"] / "exchange" / "lrlab" / "outbound" / ASSIGNMENT / NOTEBOOK).is_file()
    run(tmp_path, "nbgrader", "fetch_assignment", ASSIGNMENT, "--course", "lrlab", exchange)
    assert (tmp_path / ASSIGNMENT / "schedulers" / "step.py").is_file()
    run(tmp_path, "nbgrader", "submit", ASSIGNMENT, "--course", "lrlab", exchange)
    run(course["dir"], "nbgrader", "collect", ASSIGNMENT)
    collected = [p.parent.name for p in (course["dir"] / "submitted").glob(f"*/{ASSIGNMENT}")
                 if p.parent.name not in SUBMISSIONS]
    assert len(collected) == 1
    assert (course["dir"] / "submitted" / collected[0] / ASSIGNMENT / "schedulers" / "step.py").is_file()

"""``lrlab autograde``: run nbgrader's autograde for many submissions, several at a time.

nbgrader grades one submission after another. Here each of ``jobs`` worker processes loads the course's
``nbgrader_config.py`` once and calls ``NbGraderAPI.autograde(assignment, student)`` (the same code as
``nbgrader autograde ASSIGNMENT --student STUDENT``) for one submission at a time, so submissions are graded
concurrently; each grading run then uses ``cores // jobs`` scheduler processes instead of lrlab grade's
default ``max(2, min(4, cores))``. The workers share the SQLite gradebook: the config's ``db_url`` asks SQLite to wait up to 60 s
for a lock, and a submission whose autograde still fails with "database is locked" is retried.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from lrlab.paths import COURSE_DIR

LOCK_RETRIES = 3
#: Environment variable read by ``lrlab.classroom.gradejob``: scheduler processes per grading run.
PARALLEL_ENV = "LRLAB_GRADE_PARALLEL"
_api = None  # the worker's NbGraderAPI


@dataclass(frozen=True)
class Outcome:
    """One submission's autograde: ``seconds`` of wall time, ``attempts`` made, the error text if it failed."""

    student: str
    success: bool
    seconds: float
    attempts: int
    error: str = ""


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    """Students with a ``submitted/<student>/<assignment>/`` directory, sorted."""
    root = Path(course_dir) / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob(f"*/{assignment}") if p.is_dir())


def _init_worker(course_dir: str, grade_parallel: int) -> None:
    global _api
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    os.chdir(course_dir)
    # nbgrader runs `alembic` from PATH: make this environment's scripts findable even if it is not activated.
    scripts = os.path.dirname(sys.executable)
    os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
    # Inherited by the grading kernel and its gradejob child: N submissions at once share the cores.
    os.environ[PARALLEL_ENV] = str(grade_parallel)
    config = PyFileConfigLoader("nbgrader_config.py", path=course_dir).load_config()
    _api = NbGraderAPI(config=config)


def _grade_one(assignment: str, student: str, force: bool) -> Outcome:
    start = time.perf_counter()
    result: dict = {}
    attempts = 0
    for attempts in range(1, LOCK_RETRIES + 1):  # noqa: B007
        result = _api.autograde(assignment, student, force=force)
        text = f"{result.get('error', '')}\n{result.get('log', '')}"
        if result["success"] or "database is locked" not in text:
            break
        time.sleep(0.5 * attempts)
    error = "" if result["success"] else (
        f"{result.get('log', '')[-4000:]}\n{result.get('error', '')}".strip() or "autograde failed")
    return Outcome(student, bool(result["success"]), time.perf_counter() - start, attempts, error)


def autograde(
    assignment: str,
    students: list[str] | None = None,
    *,
    course_dir: Path = COURSE_DIR,
    jobs: int = 1,
    force: bool = True,
) -> list[Outcome]:
    """Autograde ``students`` (default: every submission of ``assignment``) with ``jobs`` workers.

    Returns one :class:`Outcome` per student, in the order given. Wall time is about
    ``sum(seconds) / jobs`` when the machine has ``jobs`` idle cores.
    """
    course_dir = Path(course_dir).resolve()
    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"course_dir {course_dir} has no nbgrader_config.py")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= 64:
        raise ValueError(f"jobs must be an integer in [1, 64], got {jobs!r}")
    if students is None:
        students = submitted_students(course_dir, assignment)
    missing = [s for s in students if not (course_dir / "submitted" / s / assignment).is_dir()]
    if missing:
        raise ValueError(f"students {missing} have no submitted/<student>/{assignment}/ in {course_dir}")
    if not students:
        return []
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter per worker: no forked kernel state
    workers = min(jobs, len(students))
    # lrlab grade runs max(2, min(4, cores)) schedulers at once; with several submissions at once, split the
    # cores between them instead of oversubscribing.
    grade_parallel = max(1, min(4, (os.cpu_count() or 2) // workers))
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(str(course_dir), grade_parallel)) as pool:
        futures = [pool.submit(_grade_one, assignment, s, force) for s in students]
        return [f.result() for f in futures]


def gradebook_totals(course_dir: Path, assignment: str, students: list[str]) -> dict[str, tuple[float, float]]:
    """``{student: (score, max_score)}`` from the course's gradebook (students without a submission left out)."""
    from nbgrader.api import Gradebook, MissingEntry
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    out = {}
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        for student in students:
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            out[student] = (float(sub.score), float(sub.max_score))
    return out


def _reference_matcher():
    """``lrlab.grading.similarity.matches_reference`` if the grader provides it, else None (tolerant import)."""
    try:
        from lrlab.grading.similarity import matches_reference
    except ImportError:
        return None
    return matches_reference


def submission_flags(package_dir: Path) -> list[str]:
    """Reasons to look at a submission by hand: solution markers, or code copied from the shipped reference.

    Uses ``lrlab.grading.similarity.matches_reference(path)`` when the grader has it; otherwise (and in
    addition) :func:`lrlab.classroom.studentenv.leaks`: a marker line, or 3 consecutive lines of a
    solution region, in any ``.py`` file.
    """
    from lrlab.classroom.studentenv import leaks
    from lrlab.paths import SOLUTIONS_DIR

    package_dir = Path(package_dir)
    if not package_dir.is_dir():
        return []
    files = {p.relative_to(package_dir).as_posix(): p.read_text(errors="replace")
             for p in sorted(package_dir.rglob("*.py"))}
    flags = []
    if (SOLUTIONS_DIR / "schedulers").is_dir():
        flags += leaks(files)
    elif any("SOLUTION" in t for t in files.values()):
        flags += [f"{n}: contains a solution marker" for n, t in files.items() if "### BEGIN SOLUTION" in t]
    matcher = _reference_matcher()
    if matcher is not None:
        try:
            verdict = matcher(package_dir)
        except Exception as exc:  # the grader's helper must never stop a batch
            verdict = None
            flags.append(f"reference check failed: {exc}")
        if verdict:
            flags.append(f"matches the shipped reference: {verdict}" if verdict is not True
                         else "matches the shipped reference")
    return flags


def format_timings(outcomes: list[Outcome], wall: float, jobs: int,
                   totals: dict[str, tuple[float, float]] | None = None,
                   flags: dict[str, list[str]] | None = None) -> str:
    """A table per submission (autograde ok, score, seconds, tries, flags), the median time and the wall time."""
    totals, flags = totals or {}, flags or {}
    lines = [f"{'student':<24} {'ok':<4} {'score':>11} {'seconds':>8} {'tries':>5}  flags"]
    for o in outcomes:
        score = f"{totals[o.student][0]:g}/{totals[o.student][1]:g}" if o.student in totals else "-"
        found = flags.get(o.student, [])
        flag = ("FLAGGED: " + "; ".join(found[:2]) + (f" (+{len(found) - 2} more)" if len(found) > 2 else "")
                if found else "")
        lines.append(f"{o.student:<24} {'yes' if o.success else 'NO':<4} {score:>11} {o.seconds:>8.1f} "
                     f"{o.attempts:>5}  {flag}".rstrip())
    if outcomes:
        lines.append(f"median {median(o.seconds for o in outcomes):.1f} s per submission; "
                     f"batch of {len(outcomes)} took {wall:.1f} s wall with {jobs} job(s)")
    return "\n".join(lines)

"""``lrlab bench --only classroom``: ``lrlab autograde --jobs N`` on generated submissions.

Builds a throw-away course (``lrlab build-course`` + ``nbgrader generate_assignment``), writes ``n``
submissions cycling through full (the reference), partial (base + step solved) and stubs, and autogrades
them all with :func:`lrlab.classroom.batch.autograde`. Prints the median and spread of the per-submission
wall time, the batch's wall time, the CPU seconds per submission (all processes) and the throughput per
hour: the numbers that size a larger deployment. ``$LRLAB_BENCH_SUBMISSIONS`` (default 100; 6 with
``--quick``) and ``$LRLAB_BENCH_JOBS`` (default 2) change the run. Not part of the test suite.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lrlab.paths import COURSE_DIR, SOLUTIONS_DIR

KINDS = ("full", "partial", "stubs")


def _make(kind: str, dst: Path) -> None:
    pkg = dst / "schedulers"
    if kind == "full":
        for p in (SOLUTIONS_DIR / "schedulers").glob("*.py"):
            shutil.copy(p, pkg / p.name)
    elif kind == "partial":
        for m in ("base", "step"):
            shutil.copy(SOLUTIONS_DIR / "schedulers" / f"{m}.py", pkg / f"{m}.py")


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(quick: bool = False) -> None:
    """Autograde ``n`` generated submissions with ``jobs`` workers and print the figures."""
    from lrlab.classroom import ASSIGNMENT
    from lrlab.classroom.batch import autograde, gradebook_totals
    from lrlab.classroom.builder import build_course

    n = int(os.environ.get("LRLAB_BENCH_SUBMISSIONS", "6" if quick else "100"))
    jobs = int(os.environ.get("LRLAB_BENCH_JOBS", "2"))
    if n < 1 or jobs < 1:
        raise ValueError(f"LRLAB_BENCH_SUBMISSIONS and LRLAB_BENCH_JOBS must be >= 1, got {n} and {jobs}")
    with tempfile.TemporaryDirectory(prefix="lrlab-bench-classroom-") as tmp:
        course = Path(tmp) / "course"
        course.mkdir()
        shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
        shutil.copytree(COURSE_DIR / "templates", course / "templates")
        build_course(course)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", ASSIGNMENT,
                        "--force"], cwd=course, env=env, check=True, capture_output=True)
        students = []
        for i in range(n):
            kind = KINDS[i % len(KINDS)]
            student = f"s{i:04d}_{kind}"
            dst = course / "submitted" / student / ASSIGNMENT
            shutil.copytree(course / "release" / ASSIGNMENT, dst)
            _make(kind, dst)
            (dst / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC")
            students.append(student)
        cpu0, t0 = _cpu(), time.perf_counter()
        outcomes = autograde(ASSIGNMENT, students, course_dir=course, jobs=jobs)
        wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
        totals = gradebook_totals(course, ASSIGNMENT, students)
    seconds = sorted(o.seconds for o in outcomes)
    failed = sum(not o.success for o in outcomes)
    by_kind = {k: sorted({totals[s][0] for s in students if s.endswith(k) and s in totals}) for k in KINDS}
    q = statistics.quantiles(seconds, n=10) if len(seconds) >= 2 else [seconds[0]] * 9
    print(f"submissions {n}, jobs {jobs}, cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(f"per submission wall: median {statistics.median(seconds):.1f} s, p10 {q[0]:.1f} s, p90 {q[-1]:.1f} s, "
          f"max {seconds[-1]:.1f} s")
    print(f"batch wall {wall:.1f} s = {wall / n:.2f} s per submission; {3600 * n / wall:.0f} submissions/hour")
    print(f"CPU {cpu:.0f} s = {cpu / n:.1f} CPU-s per submission (all processes)")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest single process: {rss:.0f} MiB resident (ru_maxrss of the children)")
    print(f"scores by kind: {by_kind}; failed autogrades: {failed}")

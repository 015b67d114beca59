"""Classroom grading with nbgrader: ``lrlab build-course`` and ``lrlab autograde --jobs N``.

See docs/instructor-guide.md. ``builder`` writes the source assignment, ``cells`` is what its test cells
call in the notebook kernel, ``gradejob`` is the child process they start, ``preprocessors`` holds the
nbgrader preprocessor the course config adds, ``batch`` grades several submissions at once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lrlab.paths import COURSE_DIR

ASSIGNMENT = "lr_schedulers"


def _build_course(args: argparse.Namespace) -> int:
    from lrlab.classroom.builder import NOTEBOOK, build_course

    dst = build_course(Path(args.course), args.assignment)
    files = sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*") if p.is_file())
    print(f"built {dst} ({len(files)} files: {NOTEBOOK} and the stub package schedulers/)")
    print(f"next, from {Path(args.course).resolve()}: nbgrader generate_assignment {args.assignment} --force")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from lrlab.classroom.batch import autograde, format_timings

    start = time.perf_counter()
    try:
        outcomes = autograde(args.assignment, args.student or None, course_dir=Path(args.course), jobs=args.jobs,
                             force=not args.no_force)
    except (FileNotFoundError, ValueError) as exc:
        print(f"lrlab autograde: {exc}", file=sys.stderr)
        return 2
    if not outcomes:
        print(f"no submissions of {args.assignment} under {Path(args.course).resolve() / 'submitted'}")
        return 0
    print(format_timings(outcomes, time.perf_counter() - start, args.jobs))
    failed = [o for o in outcomes if not o.success]
    for o in failed:
        print(f"\n{o.student}: autograde failed\n{o.error.strip()[-2000:]}")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build-course", help="build the nbgrader source assignment in course/source/ (instructors)")
    p.add_argument("--course", default=str(COURSE_DIR), help="nbgrader course directory (default: %(default)s)")
    p.add_argument("--assignment", default=ASSIGNMENT, help="assignment name (default: %(default)s)")
    p.set_defaults(func=_build_course)

    p = sub.add_parser("autograde", help="nbgrader autograde for every submission, N at a time (instructors)")
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT, help="assignment name (default: %(default)s)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded at once (default: 1)")
    p.add_argument("--student", nargs="+", metavar="ID", help="only these students (default: all submitted)")
    p.add_argument("--course", default=str(COURSE_DIR), help="nbgrader course directory (default: %(default)s)")
    p.add_argument("--no-force", action="store_true", help="skip submissions that are already autograded")
    p.set_defaults(func=_autograde)

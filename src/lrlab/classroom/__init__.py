"""Classroom grading with nbgrader: ``lrlab build-course`` and ``lrlab autograde --jobs N``.

See docs/instructor-guide.md. ``builder`` writes the source assignment, ``cells`` is what its test cells
call in the notebook kernel (``concepts_builder`` and ``concepts_cells``: the same for the second
assignment, the conceptual questions), ``gradejob`` is the child process they start, ``preprocessors`` holds the
nbgrader preprocessor the course config adds, ``batch`` grades several submissions at once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lrlab.paths import COURSE_DIR

ASSIGNMENT = "lr_schedulers"
CONCEPTS_ASSIGNMENT = "lr_concepts"


def _build_course(args: argparse.Namespace) -> int:
    from lrlab.classroom import layout as lay
    from lrlab.classroom.builder import NOTEBOOK, build_course
    from lrlab.paths import REPO_ROOT

    course = Path(args.course).resolve()
    repo = Path(args.repo).resolve() if args.repo else REPO_ROOT
    try:
        chosen = lay.resolve_layout(args.layout)
        if args.concepts == args.assignment:
            raise ValueError(f"--concepts and --assignment must differ, both are {args.assignment!r}")
        dst = build_course(course, args.assignment)
        concepts_dst = None
        if not args.no_concepts:
            from lrlab.classroom.concepts_builder import build_concepts

            concepts_dst = build_concepts(course, args.concepts)
    except (FileNotFoundError, ValueError) as exc:
        print(f"lrlab build-course: {exc}", file=sys.stderr)
        return 2
    files = sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*") if p.is_file())
    print(f"built {dst} ({len(files)} files: {NOTEBOOK} and the stub package schedulers/)")
    if concepts_dst is not None:
        from lrlab.classroom.concepts_builder import ANSWERS, CONCEPTS_NOTEBOOK

        print(f"built {concepts_dst} ({CONCEPTS_NOTEBOOK} and the answer stubs {ANSWERS}: the conceptual questions)")
    if chosen == "shared":
        exchange = Path(args.exchange or lay.DEFAULT_EXCHANGE).resolve()
        why = "--layout shared" if args.layout == "shared" else \
            f"other accounts on this machine: {', '.join(lay.other_human_accounts()[:5])}"
        print(f"layout: shared ({why}); exchange {exchange}")
        try:
            lay.prepare_exchange(exchange)
        except OSError as exc:
            print(f"lrlab build-course: cannot create the exchange {exchange} ({exc}); run as root once, "
                  "or give --exchange DIR (outside the repository, every parent o+x)", file=sys.stderr)
            return 2
        lay.write_settings(course, "shared", exchange)
        for path in lay.secure(repo, course):
            print(f"  chmod go-rwx {path}")
        trouble = lay.problems(repo, course, exchange)
        for line in trouble:
            print(f"  UNSAFE: {line}", file=sys.stderr)
        if trouble:
            return 1
        print("  checked: students cannot read the repository, solutions/, .git, the course dir or the gradebook")
        print("  students need an environment without the solutions: lrlab build-student-env DIR")
    else:
        exchange = Path(args.exchange).resolve() if args.exchange else course / "exchange"
        lay.write_settings(course, "local", exchange)
        print(f"layout: local (one person, no other accounts found); exchange {exchange}. "
              "On a machine with student accounts use --layout shared.")
    print(f"next, from {course}: nbgrader generate_assignment {args.assignment} --force")
    if concepts_dst is not None:
        print(f"      and: nbgrader generate_assignment {args.concepts} --force")
    return 0


def _grade_concepts(args: argparse.Namespace) -> int:
    from lrlab.grading.concepts_grade import run_cli

    return run_cli(Path(args.answers), Path(args.json) if args.json else None, args.points, args.explain)


def _leaked(found: list[str]) -> bool:
    """Print each leak found (stderr); True if there was any."""
    for line in found:
        print(f"  LEAK: {line}", file=sys.stderr)
    return bool(found)


def _build_student_env(args: argparse.Namespace) -> int:
    from lrlab.classroom import studentenv as se

    out = Path(args.dir).resolve()
    try:
        wheel = se.build_wheel(out / "wheels")
    except RuntimeError as exc:
        print(f"lrlab build-student-env: {exc}", file=sys.stderr)
        return 1
    if _leaked(se.wheel_leaks(wheel)):
        return 1
    print(f"built {wheel} (checked: no solution marker, no solution code, no solutions/ or schedulers/)")
    if args.wheel_only:
        return 0
    try:
        py = se.build_env(out / "venv", wheel, Path(args.packages_from) if args.packages_from else None,
                          base_python=args.python)
    except (RuntimeError, FileNotFoundError, OSError) as exc:
        print(f"lrlab build-student-env: {exc}", file=sys.stderr)
        return 1
    if _leaked(se.env_leaks(py)):
        return 1
    print(f"student environment: {py.parent} (lrlab installed non-editable; no reference solutions reachable)")
    print(f"students run {py} -m jupyter lab (or -m nbgrader ...); on a JupyterHub: "
          f"c.Spawner.cmd = ['{py}', '-m', 'jupyterhub.singleuser']")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from lrlab.classroom.batch import autograde, format_timings, gradebook_totals, submission_flags

    course = Path(args.course).resolve()
    start = time.perf_counter()
    try:
        outcomes = autograde(args.assignment, args.student or None, course_dir=course, jobs=args.jobs,
                             force=not args.no_force)
    except (FileNotFoundError, ValueError) as exc:
        print(f"lrlab autograde: {exc}", file=sys.stderr)
        return 2
    if not outcomes:
        print(f"no submissions of {args.assignment} under {course / 'submitted'}")
        return 0
    wall = time.perf_counter() - start
    students = [o.student for o in outcomes]
    totals = gradebook_totals(course, args.assignment, students)
    flags = {s: submission_flags(course / "submitted" / s / args.assignment / "schedulers") for s in students}
    print(format_timings(outcomes, wall, args.jobs, totals, flags))
    flagged = [s for s in students if flags[s]]
    if flagged:
        print(f"\n{len(flagged)} submission(s) FLAGGED (solution markers or the shipped reference): "
              f"{', '.join(flagged)}; review them by hand")
    failed = [o for o in outcomes if not o.success]
    for o in failed:
        print(f"\n{o.student}: autograde failed\n{o.error.strip()[-2000:]}")
    return 1 if failed else 0


def _build_gradescope(args: argparse.Namespace) -> int:
    from lrlab.classroom.gradescope import build_zip

    try:
        out = build_zip(Path(args.output), wheel=Path(args.wheel) if args.wheel else None)
    except (RuntimeError, ValueError, FileNotFoundError) as exc:
        print(f"lrlab build-gradescope: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out}: upload it as the assignment's autograder (Gradescope: Configure Autograder, zip)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build-course", help="build the nbgrader source assignment in course/source/ (instructors)")
    p.add_argument("--course", default=str(COURSE_DIR), help="nbgrader course directory (default: %(default)s)")
    p.add_argument("--assignment", default=ASSIGNMENT, help="assignment name (default: %(default)s)")
    p.add_argument("--layout", choices=("auto", "shared", "local"), default="auto",
                   help="shared: exchange outside the repo, repo/course/gradebook/solutions closed to other "
                        "users (checked); local: one-person dry run; auto (default): shared when other user "
                        "accounts exist")
    p.add_argument("--exchange", help="exchange root (shared default /usr/local/share/nbgrader/exchange)")
    p.add_argument("--repo", help="the instructor's clone to close to other users (default: this toolkit's)")
    p.add_argument("--concepts", default=CONCEPTS_ASSIGNMENT, metavar="NAME",
                   help="name of the second assignment, the conceptual questions (answers.py; default: %(default)s)")
    p.add_argument("--no-concepts", action="store_true", help="build only the scheduler assignment")
    p.set_defaults(func=_build_course)

    p = sub.add_parser("grade-concepts", help="grade an answers.py of the conceptual questions (lr_concepts)")
    p.add_argument("answers", nargs="?", default="answers.py", help="answers.py, or its folder (default: %(default)s)")
    p.add_argument("--points", type=float, default=1.0, help="points per question (default: 1)")
    p.add_argument("--json", metavar="FILE", help="write the result as JSON to FILE instead of printing it")
    p.add_argument("--explain", action="store_true", help="print each answer's explanation (gives the answers away)")
    p.set_defaults(func=_grade_concepts)

    p = sub.add_parser("build-student-env", help="a wheel (and venv) of the toolkit without the solutions (instructors)")
    p.add_argument("dir", help="output directory: DIR/wheels/lrlab-*.whl and DIR/venv")
    p.add_argument("--wheel-only", action="store_true", help="only build and check the wheel")
    p.add_argument("--packages-from", metavar="SITE_PACKAGES",
                   help="take torch & co. from this (student-readable) site-packages instead of downloading")
    p.add_argument("--python", help="interpreter to base the venv on (one students may run; default this one)")
    p.set_defaults(func=_build_student_env)

    p = sub.add_parser("build-gradescope", help="write a Gradescope autograder zip (instructors)")
    p.add_argument("--output", "-o", default="lrlab-gradescope.zip", help="zip to write (default: %(default)s)")
    p.add_argument("--wheel", help="toolkit wheel to ship (default: built now, checked for solutions)")
    p.set_defaults(func=_build_gradescope)

    p = sub.add_parser("autograde", help="nbgrader autograde for every submission, N at a time (instructors)")
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT, help="assignment name (default: %(default)s)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded at once (default: 1)")
    p.add_argument("--student", nargs="+", metavar="ID", help="only these students (default: all submitted)")
    p.add_argument("--course", default=str(COURSE_DIR), help="nbgrader course directory (default: %(default)s)")
    p.add_argument("--no-force", action="store_true", help="skip submissions that are already autograded")
    p.set_defaults(func=_autograde)

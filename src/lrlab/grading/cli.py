"""``lrlab grade [PATH] [--solutions] [--json FILE] [--only NAME ...] [--timeout S] [--require-sandbox] [--verbose]``.

Prints the table and ``TOTAL: <points>/100`` (``--verbose``: first every check of every scheduler, each failure
with its scenario's parameters, the calls that led to the first difference and torch's values beside yours) (its first line says so when the code could not run in the
bubblewrap sandbox); exit 0 when grading ran (whatever the score), 2 for bad input (one line on stderr,
before any grading: PATH not a readable folder holding ``schedulers/``, a bad ``--timeout``, a ``--json``
file whose folder does not exist), 1 when the sandbox itself failed or isolation is required
(``--require-sandbox`` or ``LRLAB_REQUIRE_SANDBOX=1``) but unavailable. A closed stdout (``| head``) ends
quietly.
"""

from __future__ import annotations

import argparse
import math
import os
import stat
import sys
from pathlib import Path

from lrlab.grading.spec import BONUS, SCHEDULERS

MIN_TIMEOUT, MAX_TIMEOUT = 0.5, 3600.0


def _fail(message: str) -> int:
    print(f"lrlab grade: {message}", file=sys.stderr)
    return 2


def _timeout(text: str) -> float | str:
    """The timeout in seconds, or the reason it is not acceptable."""
    try:
        value = float(text)
    except ValueError:
        return f"--timeout must be a number of seconds, got {text!r}"
    if not math.isfinite(value) or not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        return f"--timeout must be between {MIN_TIMEOUT:g} and {MAX_TIMEOUT:g} seconds, got {text}"
    return value


def _check_path(path: str) -> str | None:
    """Why ``path`` cannot be graded (not a readable folder), or None (never blocks on a FIFO)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"PATH {path!r} does not exist or cannot be read ({exc.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a file" if stat.S_ISREG(info.st_mode) else "not a folder"
        return f"PATH {path!r} is {kind}; give the folder that holds schedulers/ (or the schedulers folder)"
    if not os.access(path, os.R_OK | os.X_OK):
        return f"PATH {path!r} is not readable"
    return None


def _check_json(path: str) -> str | None:
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        return f"--json {path!r}: the folder {str(parent)!r} does not exist"
    if target.is_dir():
        return f"--json {path!r} is a folder; give a file name"
    if not os.access(parent, os.W_OK):
        return f"--json {path!r}: the folder {str(parent)!r} is not writable"
    return None


def _print_quietly(text: str) -> None:
    """Print ``text``; if the reader went away (``| head``), stop without a traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _command(args: argparse.Namespace) -> int:
    from lrlab.grading.grader import grade
    from lrlab.grading.sandbox import SandboxError
    from lrlab.paths import resolve_package_dir

    if args.solutions and args.path is not None:
        return _fail("give either PATH or --solutions, not both")
    timeout = _timeout(args.timeout)
    if isinstance(timeout, str):
        return _fail(timeout)
    if args.path is not None and (why := _check_path(args.path)):
        return _fail(why)
    if args.json and (why := _check_json(args.json)):
        return _fail(why)
    which = "solutions" if args.solutions else (args.path or "exercises")
    try:
        base = resolve_package_dir(which)
    except (FileNotFoundError, OSError) as exc:
        return _fail(str(exc))
    try:
        report = grade(base, only=args.only, timeout=timeout, require_sandbox=True if args.require_sandbox else None)
    except SandboxError as exc:
        print(f"lrlab grade: {exc}", file=sys.stderr)
        return 1
    if args.json:  # written before printing: a closed stdout must not lose the report
        Path(args.json).write_text(report.to_json() + "\n", encoding="utf-8")
    _print_quietly(report.format_verbose() if args.verbose else report.format_table())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``grade`` subcommand."""
    p = sub.add_parser("grade", help="grade a schedulers package against torch (100 points)")
    p.add_argument("path", nargs="?", default=None,
                   help="folder holding schedulers/ (or the package itself); default exercises/")
    p.add_argument("--solutions", action="store_true", help="grade the reference solutions/")
    p.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE")
    p.add_argument("--only", nargs="+", choices=[*SCHEDULERS, *BONUS], metavar="NAME",
                   help="grade only these schedulers (torch's 16, or the bonus InverseSqrtLR, WarmupStableDecayLR, "
                        "CosineLR)")
    p.add_argument("--timeout", default="10", metavar="S",
                   help=f"seconds per scheduler at least, {MIN_TIMEOUT:g}..{MAX_TIMEOUT:g} (default 10); the limit "
                        "is 100x torch's time for the same steps when that is longer")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list every check; for each failure its scenario, the calls and a window of torch's "
                        "values beside yours (--json holds the same)")
    p.add_argument("--require-sandbox", action="store_true",
                   help="refuse to grade unless the code can run in the bubblewrap sandbox "
                        "(also: LRLAB_REQUIRE_SANDBOX=1)")
    p.set_defaults(func=_command)

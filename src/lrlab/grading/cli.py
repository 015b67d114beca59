"""``lrlab grade [PATH] [--solutions] [--json FILE] [--only NAME ...] [--timeout S]``.

Prints the table and ``TOTAL: <points>/100``; exit 0 when grading ran (whatever the score), 2 when PATH holds
no ``schedulers`` package, 1 when the sandbox itself failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lrlab.grading.spec import SCHEDULERS


def _command(args: argparse.Namespace) -> int:
    from lrlab.grading.grader import grade
    from lrlab.grading.sandbox import SandboxError
    from lrlab.paths import resolve_package_dir

    if args.solutions and args.path is not None:
        print("lrlab grade: give either PATH or --solutions, not both", file=sys.stderr)
        return 2
    which = "solutions" if args.solutions else (args.path or "exercises")
    try:
        base = resolve_package_dir(which)
    except FileNotFoundError as exc:
        print(f"lrlab grade: {exc}", file=sys.stderr)
        return 2
    if args.timeout <= 0:
        print(f"lrlab grade: --timeout must be > 0 seconds, got {args.timeout}", file=sys.stderr)
        return 2
    try:
        report = grade(base, only=args.only, timeout=args.timeout)
    except SandboxError as exc:
        print(f"lrlab grade: {exc}", file=sys.stderr)
        return 1
    print(report.format_table())
    if args.json:
        Path(args.json).write_text(report.to_json() + "\n", encoding="utf-8")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``grade`` subcommand."""
    p = sub.add_parser("grade", help="grade a schedulers package against torch (100 points)")
    p.add_argument("path", nargs="?", default=None,
                   help="folder holding schedulers/ (or the package itself); default exercises/")
    p.add_argument("--solutions", action="store_true", help="grade the reference solutions/")
    p.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE")
    p.add_argument("--only", nargs="+", choices=SCHEDULERS, metavar="NAME", help="grade only these schedulers")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per scheduler (default 10)")
    p.set_defaults(func=_command)

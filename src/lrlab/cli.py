"""The ``lrlab`` command: grade, bench, build-exercises, build-course, lab helpers."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each subcommand lives in its own module exposing ``register(subparsers)``; the parser it adds sets
# ``func(args) -> int``. Modules are imported lazily so ``lrlab --help`` stays fast.
SUBCOMMAND_MODULES = (
    "lrlab.grading.cli",
    "lrlab.bench",
    "lrlab.exercisegen",
    "lrlab.classroom",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lrlab", description="LR Lab: the course toolkit for PyTorch learning-rate schedulers."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

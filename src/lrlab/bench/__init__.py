"""``lrlab bench``: performance figures, each measured against torch in the same run.

Each part has a module ``lrlab.bench.<part>`` with ``run(quick: bool) -> None`` that prints its own table.
"""

from __future__ import annotations

import argparse
import importlib
import time

PARTS = ("solutions", "preview", "explorer", "training", "grading", "experiments", "classroom")
DEFAULT_PARTS = PARTS[:-1]  # classroom (autograde 100 submissions, minutes) runs only with --only classroom


def run(parts: tuple[str, ...] = DEFAULT_PARTS, quick: bool = False) -> int:
    """Run the benchmark modules named in ``parts`` and print their figures."""
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown bench part(s) {unknown}; choose from {list(PARTS)}")
    for part in parts:
        module = importlib.import_module(f"lrlab.bench.{part}")
        print(f"== {part} ==", flush=True)
        start = time.perf_counter()
        module.run(quick=quick)
        print(f"({part} took {time.perf_counter() - start:.1f} s)\n", flush=True)
    return 0


def _command(args: argparse.Namespace) -> int:
    parts = tuple(args.only) if args.only else DEFAULT_PARTS
    return run(parts, quick=args.quick)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="print performance figures, as ratios against torch measured in the same run")
    p.add_argument("--quick", action="store_true", help="fewer repeats (for CI smoke runs)")
    p.add_argument("--only", nargs="+", choices=PARTS, metavar="PART", help=f"parts to run: {', '.join(PARTS)}")
    p.set_defaults(func=_command)

"""``lrlab bench``: performance figures, each measured against torch in the same run.

Each part has a module ``lrlab.bench.<part>`` with ``run(quick: bool) -> None`` that prints its own table.
"""

from __future__ import annotations

import argparse
import importlib
import time

PARTS = ("solutions", "preview", "explorer", "training", "experiments")


def run(parts: tuple[str, ...] = PARTS, quick: bool = False) -> int:
    """Run the benchmark modules named in ``parts`` and print their figures."""
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown bench part(s) {unknown}; choose from {list(PARTS)}")
    for part in parts:
        try:
            module = importlib.import_module(f"lrlab.bench.{part}")
        except ModuleNotFoundError as exc:
            print(f"== {part}: not available ({exc})")
            continue
        print(f"== {part} ==", flush=True)
        start = time.perf_counter()
        module.run(quick=quick)
        print(f"({part} took {time.perf_counter() - start:.1f} s)\n", flush=True)
    return 0


def _command(args: argparse.Namespace) -> int:
    parts = tuple(args.only) if args.only else PARTS
    return run(parts, quick=args.quick)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="print performance figures, as ratios against torch measured in the same run")
    p.add_argument("--quick", action="store_true", help="fewer repeats (for CI smoke runs)")
    p.add_argument("--only", nargs="+", choices=PARTS, metavar="PART", help=f"parts to run: {', '.join(PARTS)}")
    p.set_defaults(func=_command)

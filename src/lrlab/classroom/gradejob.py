"""``python -m lrlab.classroom.gradejob PATH --json OUT``: run ``lrlab.grading.grade`` and save its result.

The child process that the notebook's test cells start (see :mod:`lrlab.classroom.cells`). It writes
``{"total", "max_total", "results": {name: {"points", "max_points", "report"}}}`` to ``OUT``, where
``passed``/``failed`` name its checks, and
``report`` is one scheduler's readable verdict (its points and each check; a failed one with the step, the
expected value and what the learner's scheduler gave).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def summarize(report: Any) -> dict[str, Any]:
    """The JSON-able summary of a ``lrlab.grading.GradeReport`` that the test cells read.

    Each scheduler's ``report`` is ``SchedulerResult.format()``: its points and every check, failed ones
    with the step, expected value and what the learner's scheduler gave.
    """
    return {
        "total": float(report.total),
        "max_total": float(report.max_total),
        "results": {
            name: {"points": float(r.points), "max_points": float(r.max_points), "report": r.format(),
                   "passed": [c.name for c in r.checks if c.passed],
                   "failed": [c.name for c in r.checks if not c.passed]}
            for name, r in report.results.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lrlab.classroom.gradejob", description=__doc__)
    parser.add_argument("path", type=Path, help="directory that contains schedulers/")
    parser.add_argument("--json", type=Path, required=True, dest="out", help="where to write the result")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="grade only these schedulers")
    parser.add_argument("--timeout", type=float, help="seconds per scheduler (default: lrlab grade's)")
    args = parser.parse_args(argv)
    from lrlab.grading import DEFAULT_TIMEOUT, SCHEDULERS, grade

    parallel = os.environ.get("LRLAB_GRADE_PARALLEL")  # set by `lrlab autograde --jobs N`
    only = args.only or list(SCHEDULERS)  # the assignment grades the 100 points, not the bonus classes
    report = grade(args.path, only=only, timeout=args.timeout or DEFAULT_TIMEOUT,
                   parallel=int(parallel) if parallel and parallel.isdigit() and int(parallel) > 0 else None)
    args.out.write_text(json.dumps(summarize(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

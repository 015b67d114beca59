"""Autograders beyond nbgrader: a Gradescope autograder zip and the GitHub Classroom workflow.

Both grade the learner's ``schedulers/`` with ``lrlab grade`` (same checks, same 100 points) and report one
test per scheduler with its maximum score from ``lrlab.grading.SCHEDULER_POINTS``.

* Gradescope: ``lrlab build-gradescope -o autograder.zip`` writes ``setup.sh`` (installs the CPU torch and
  the toolkit wheel, checked for solutions), ``run_autograder`` (runs ``python -m lrlab.classroom.gradescope
  run``) and the wheel. ``run`` writes ``results.json`` in Gradescope's format:
  ``{"score", "output", "tests": [{"name", "score", "max_score", "output", "visibility"}]}``. Paths come
  from ``$LRLAB_GS_SUBMISSION`` (default ``/autograder/submission``) and ``$LRLAB_GS_RESULTS`` (default
  ``/autograder/results/results.json``), so the zip can be tried locally.
* GitHub Classroom: :func:`github_workflow` is ``.github/classroom/classroom.yml``: one
  ``classroom-resources/autograding-command-grader@v1`` step per scheduler (``max-score`` its points) whose
  command is ``lrlab grade . --only NAME --json ...`` then ``python -m lrlab.classroom.gradescope full``,
  which exits 0 only when that scheduler earned all its points (the command grader is all or nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrlab.paths import PACKAGE

SUBMISSION_ENV, RESULTS_ENV = "LRLAB_GS_SUBMISSION", "LRLAB_GS_RESULTS"
DEFAULT_SUBMISSION = "/autograder/submission"
DEFAULT_RESULTS = "/autograder/results/results.json"
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (Ubuntu, as root).
set -euo pipefail
apt-get update && apt-get install -y python3 python3-venv python3-pip
python3 -m venv /opt/lrlab
/opt/lrlab/bin/pip install --index-url {index} torch==2.13.0
/opt/lrlab/bin/pip install /autograder/source/{wheel}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results go to $LRLAB_GS_RESULTS (default {results}).
set -euo pipefail
PY="${{LRLAB_GS_PYTHON:-/opt/lrlab/bin/python}}"
exec "$PY" -m lrlab.classroom.gradescope run
"""


def find_package(submission: Path) -> Path:
    """The folder that holds the submitted ``schedulers/`` package.

    Accepts ``schedulers/`` anywhere up to two levels down (e.g. a repository or an assignment folder), or
    the package's ``.py`` files uploaded loose (then they are wrapped into a ``schedulers/`` folder).
    Raises ``FileNotFoundError`` if neither is there.
    """
    submission = Path(submission)
    for depth in ("", "*/", "*/*/"):
        hits = sorted(submission.glob(f"{depth}{PACKAGE}/__init__.py"))
        if hits:
            return hits[0].parent.parent
    if (submission / "__init__.py").is_file():
        tmp = Path(tempfile.mkdtemp(prefix="lrlab-gs-"))
        shutil.copytree(submission, tmp / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
        return tmp
    raise FileNotFoundError(f"no {PACKAGE}/ package (a {PACKAGE}/__init__.py) in the submission {submission}")


def results_from_report(report: dict[str, Any]) -> dict[str, Any]:
    """Gradescope's ``results.json`` from ``lrlab grade --json``: one test per scheduler, ``score`` the total."""
    if not isinstance(report, dict) or "results" not in report:
        raise ValueError("report must be the JSON of `lrlab grade --json` (a dict with 'results')")
    from lrlab.grading import SCHEDULER_POINTS

    tests = []
    for name, r in report["results"].items():
        if name not in SCHEDULER_POINTS:
            continue  # the bonus classes are not part of the assignment's 100 points
        lines = [f"{name}: {r['points']:g}/{r['max_points']:g} points"]
        if r.get("reason"):
            lines.append(r["reason"])
        for c in r.get("checks", []):
            mark = "PASS" if c.get("passed") else "FAIL"
            detail = c.get("description", "") if c.get("passed") else (c.get("reason") or c.get("description", ""))
            where = f" at step {c['step']}" if not c.get("passed") and c.get("step") is not None else ""
            values = (f": expected {c.get('expected')}, got {c.get('got')}"
                      if not c.get("passed") and c.get("expected") is not None else "")
            lines.append(f"[{mark}] {c.get('points', 0):g}/{c.get('max_points', 0):g} {c.get('name', '')} "
                         f"({detail}){where}{values}")
        tests.append({"name": name, "score": float(r["points"]), "max_score": float(r["max_points"]),
                      "output": "\n".join(lines), "visibility": "visible"})
    return {"score": float(report["total"]),
            "output": f"LR Lab: {report['total']:g}/{report['max_total']:g} points (same checks as `lrlab grade`)",
            "tests": tests}


def run(submission: Path | None = None, results: Path | None = None, python: str = sys.executable) -> dict:
    """Grade the submission and write Gradescope's results JSON; returns it.

    A submission without a package still gets a results file (score 0, the reason in ``output``).
    """
    submission = Path(submission or os.environ.get(SUBMISSION_ENV, DEFAULT_SUBMISSION))
    results = Path(results or os.environ.get(RESULTS_ENV, DEFAULT_RESULTS))
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        base = find_package(submission)
    except FileNotFoundError as exc:
        from lrlab.grading import SCHEDULER_POINTS

        data = {"score": 0.0, "output": str(exc),
                "tests": [{"name": n, "score": 0.0, "max_score": float(p), "output": str(exc),
                           "visibility": "visible"} for n, p in SCHEDULER_POINTS.items()]}
        results.write_text(json.dumps(data, indent=2))
        return data
    with tempfile.TemporaryDirectory(prefix="lrlab-gs-") as tmp:
        out = Path(tmp) / "report.json"
        proc = subprocess.run([python, "-m", "lrlab.cli", "grade", str(base), "--json", str(out)],
                              capture_output=True, text=True, cwd=tmp)
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lrlab grade failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        data = results_from_report(json.loads(out.read_text()))
    results.write_text(json.dumps(data, indent=2))
    return data


def full_marks(report_path: Path, name: str) -> bool:
    """True when ``name`` earned all its points in the ``lrlab grade --json`` report at ``report_path``."""
    report = json.loads(Path(report_path).read_text())
    r = report.get("results", {}).get(name)
    if r is None:
        raise ValueError(f"{name!r} is not in the report {report_path}")
    return float(r["points"]) >= float(r["max_points"])


def github_workflow(points: dict[str, float] | None = None) -> str:
    """The GitHub Classroom workflow: one command-grader test per scheduler, worth its points."""
    if points is None:
        from lrlab.grading import SCHEDULER_POINTS

        points = SCHEDULER_POINTS
    ids = [f"t{i:02d}" for i in range(len(points))]
    lines = [
        "# GENERATED by lrlab.classroom.gradescope.github_workflow(): one test per scheduler, worth its points.",
        "# Copy to .github/workflows/classroom.yml in the GitHub Classroom template repository, next to the",
        "# released schedulers/ package and the toolkit wheel (lrlab build-student-env DIR --wheel-only).",
        "name: Autograding Tests",
        "on: [push, workflow_dispatch, repository_dispatch]",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "    - name: Checkout code",
        "      uses: actions/checkout@v4",
        "    - name: Install torch (CPU) and the LR Lab toolkit",
        f"      run: pip install --index-url {TORCH_INDEX} torch==2.13.0 && pip install ./lrlab-*.whl",
    ]
    for i, (name, pts) in zip(ids, points.items(), strict=True):
        lines += [
            f"    - name: {name}",
            f"      id: {i}",
            "      uses: classroom-resources/autograding-command-grader@v1",
            "      with:",
            f"        test-name: {name}",
            "        setup-command: ''",
            f"        command: lrlab grade . --only {name} --json {name}.json && "
            f"python -m lrlab.classroom.gradescope full {name}.json {name}",
            "        timeout: 5",
            f"        max-score: {pts:g}",
        ]
    lines += [
        "    - name: Autograding Reporter",
        "      uses: classroom-resources/autograding-grading-reporter@v1",
        "      env:",
        *[f"        {i.upper()}_RESULTS: \"${{{{steps.{i}.outputs.result}}}}\"" for i in ids],
        "      with:",
        f"        runners: {','.join(ids)}",
    ]
    return "\n".join(lines) + "\n"


def build_zip(output: Path, wheel: Path | None = None) -> Path:
    """Write the Gradescope autograder zip (``setup.sh``, ``run_autograder``, the checked toolkit wheel)."""
    from lrlab.classroom.studentenv import build_wheel, wheel_leaks

    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="lrlab-gs-build-") as tmp:
        wheel = Path(wheel) if wheel else build_wheel(Path(tmp))
        if not wheel.is_file():
            raise FileNotFoundError(f"wheel {wheel} does not exist")
        found = wheel_leaks(wheel)
        if found:
            raise ValueError("the toolkit wheel holds reference code: " + "; ".join(found))
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in (("setup.sh", SETUP_SH.format(index=TORCH_INDEX, wheel=wheel.name)),
                               ("run_autograder", RUN_AUTOGRADER.format(results=DEFAULT_RESULTS))):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o100755 << 16
                zf.writestr(info, text)
            zf.write(wheel, wheel.name)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lrlab.classroom.gradescope")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("run", help="grade $LRLAB_GS_SUBMISSION, write $LRLAB_GS_RESULTS (Gradescope)")
    p = sub.add_parser("full", help="exit 0 iff NAME earned all its points in REPORT (GitHub Classroom)")
    p.add_argument("report", type=Path)
    p.add_argument("name")
    sub.add_parser("workflow", help="print the GitHub Classroom workflow")
    args = parser.parse_args(argv)
    if args.what == "run":
        data = run()
        print(data["output"])
        return 0
    if args.what == "workflow":
        print(github_workflow(), end="")
        return 0
    try:
        ok = full_marks(args.report, args.name)
    except (OSError, ValueError) as exc:
        print(f"lrlab: {exc}", file=sys.stderr)
        return 2
    print(f"{args.name}: {'all points' if ok else 'not all points'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

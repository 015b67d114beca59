"""What the graded notebook's test cells call, in the notebook kernel (stdlib only: never imports torch).

The learner's ``schedulers/`` (next to the notebook, i.e. the kernel's working directory) is copied into a
fresh temporary directory and graded there by ``python -m lrlab.classroom.gradejob`` (which calls
``lrlab.grading.grade``, the same checks and points as ``lrlab grade``) in a separate process. The
learner's code never runs in the kernel, and the child's stderr (torch warnings) never reaches the cell:
nbgrader gives 0 to a test cell with any stderr output.

One run grades the whole package; its report is cached under a hash of the package's files, so the
test cells (one per scheduler) cost one run, and an edit to ``schedulers/`` triggers a new one. If that run fails (crash, or
it outlives its time limit), each cell grades its own scheduler alone, so one broken scheduler cannot cost
the others.

Scoring per test cell worth ``P`` points when the scheduler earned ``p`` of them in ``lrlab grade``:
``p == P`` prints the report and passes (full credit); ``p == 0`` raises :class:`SchedulerCheckFailed` (an
``AssertionError``) whose message is the readable report (check, step, expected, got), so nbgrader gives 0;
``0 < p < P`` prints a line naming the checks passed and failed, the report, and returns ``p`` as the cell's value, which nbgrader 0.9.6 takes as
partial credit (``utils.determine_grade``: a numeric ``execute_result`` is the cell's score).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "schedulers"
#: Seconds a single-scheduler run may take (the grader's deadline for one scheduler is 60 + 10 * 3 = 90 s).
SINGLE_RUN_LIMIT = 100.0


def package_run_limit() -> float:
    """Seconds the whole-package run may take before the cells fall back to one run per scheduler.

    ``80 + 10 * (2 + ceil(n / parallel))`` for the catalog's n = 16 schedulers: above the grader's own deadline
    ``60 + timeout * (2 + ceil(n / parallel))`` with its default 10 s per scheduler; ``parallel`` is
    ``$LRLAB_GRADE_PARALLEL`` (set by ``lrlab autograde --jobs``) or lrlab grade's default
    ``max(2, min(4, cores))``. 180 s on 2 cores, 260 s at parallel 1 (below nbgrader's 300 s cell timeout).
    """
    from lrlab.catalog import SCHEDULERS

    env = os.environ.get("LRLAB_GRADE_PARALLEL", "")
    parallel = int(env) if env.isdigit() and int(env) > 0 else max(2, min(4, os.cpu_count() or 2))
    return 80.0 + 10.0 * (2 + -(-len(SCHEDULERS) // parallel))


_cache: dict[str, dict] = {}


class SchedulerCheckFailed(AssertionError):
    """A scheduler did not earn its points; the message is the grader's readable report."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows exactly these lines instead of a traceback: the report, without the cell's source
        # (whose hidden part must not leak into nbgrader feedback).
        return [f"{type(self).__name__}: {self.args[0] if self.args else ''}"]


def package_fingerprint(package_dir: Path) -> str:
    """sha256 over the relative path and bytes of every file in ``package_dir`` (``__pycache__`` skipped)."""
    digest = hashlib.sha256()
    for path in sorted(Path(package_dir).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_grader(package_dir: Path, only: list[str] | None = None, *, limit: float | None = None,
               timeout: float | None = None) -> dict:
    """Grade a private copy of ``package_dir`` in a child process; return the gradejob JSON report.

    ``limit``: seconds for the whole run (default :func:`package_run_limit`). ``timeout``: the grader's limit
    per scheduler in seconds (default: ``lrlab grade``'s, 10 s).
    Raises ``RuntimeError`` (with the child's last output) if the child fails or outlives ``limit`` seconds.
    """
    package_dir = Path(package_dir)
    if not (package_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"no {PACKAGE}/__init__.py in {package_dir.parent}")
    limit = package_run_limit() if limit is None else limit
    if not limit > 0 or (timeout is not None and not timeout > 0):
        raise ValueError(f"limit and timeout must be > 0 seconds, got {limit} and {timeout}")
    with tempfile.TemporaryDirectory(prefix="lrlab-grade-") as tmp:
        # Only the package is copied: stray files next to it (a fake lrlab.py, torch.py...) cannot shadow
        # modules in the grader, and the grader's cwd holds nothing of the learner's.
        base = Path(tmp) / "submission"
        shutil.copytree(package_dir, base / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "lrlab.classroom.gradejob", str(base), "--json", str(out)]
        if timeout is not None:
            cmd += ["--timeout", str(timeout)]
        if only:
            cmd += ["--only", *only]
        try:
            proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=limit,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"grading did not finish within {limit:g} s") from exc
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
            raise RuntimeError(f"the grader failed (exit {proc.returncode}):\n" + "\n".join(tail))
        return json.loads(out.read_text())


def _package_dir() -> Path:
    return Path.cwd() / PACKAGE


def result_for(name: str) -> dict:
    """The grader's result for scheduler ``name`` on ``./schedulers``: ``{"points", "max_points", "report"}``.

    Uses the cached whole-package report when the package is unchanged; grades ``name`` alone if the
    whole-package run failed. A run that fails for ``name`` itself gives 0 points with the reason.
    """
    pkg = _package_dir()
    if not (pkg / "__init__.py").is_file():
        return {"points": 0.0, "max_points": None,
                "report": f"{name}: no {PACKAGE}/__init__.py next to this notebook ({pkg.parent})"}
    key = package_fingerprint(pkg)
    if key not in _cache:
        try:
            _cache[key] = run_grader(pkg)
        except RuntimeError as exc:
            _cache[key] = {"failed": str(exc), "results": {}}
    results = _cache[key]["results"]
    if name not in results and "failed" in _cache[key]:
        try:
            results.update(run_grader(pkg, [name], limit=SINGLE_RUN_LIMIT)["results"])
        except RuntimeError as exc:
            return {"points": 0.0, "max_points": None, "report": f"{name}: 0 points: {exc}"}
    if name not in results:
        raise KeyError(f"the grader knows no scheduler named {name!r}; rebuild the course (lrlab build-course)")
    return results[name]


def partial_line(name: str, result: dict) -> str:
    """One readable line for a partly solved scheduler: ``p/P points``, the checks passed and failed."""
    passed = ", ".join(result.get("passed", [])) or "none"
    failed = ", ".join(result.get("failed", [])) or "none"
    return (f"{name}: partial credit, {result['points']:g} of {result['max_points']:g} points "
            f"(passed: {passed}; failed: {failed})")


def overview(results: dict) -> str:
    """Every graded scheduler's points in one table (what ``lrlab grade .`` prints as its first column)."""
    lines = ["All schedulers in this run (`lrlab grade .` in a terminal prints the same table):"]
    for other, r in results.items():
        mark = "done" if r["points"] >= r["max_points"] else ("partly" if r["points"] > 0 else "not yet")
        lines.append(f"  {other:<28} {r['points']:>5g}/{r['max_points']:<4g} {mark}")
    total = sum(r["points"] for r in results.values())
    lines.append(f"  {'TOTAL':<28} {total:>5g}/{sum(r['max_points'] for r in results.values()):g}")
    return "\n".join(lines)


_shown: set[str] = set()  # fingerprints whose overview was already printed in this kernel


def check(name: str) -> None:
    """Visible check for learners: print ``name``'s result; raise :class:`SchedulerCheckFailed` if it scored 0.

    Full marks print the report; partial credit prints one line (points, checks passed and failed) and the
    report without raising, so "Run All" goes on to the next scheduler; 0 points raise with the report
    (``nbgrader validate`` relies on that). The first check of a package version also prints every
    scheduler's points, so a learner sees the whole picture even if Run All stops at a failing cell.
    During ``nbgrader autograde`` (``NBGRADER_EXECUTION=autograde``) it does nothing: the cell's hidden
    :func:`award` scores it.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a scheduler class name (str), not {type(name).__name__}")
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return None
    result = result_for(name)
    text = result["report"]
    pkg = _package_dir()
    key = package_fingerprint(pkg) if (pkg / "__init__.py").is_file() else ""
    cached = _cache.get(key, {}).get("results", {})
    if key and key not in _shown and len(cached) > 1:
        _shown.add(key)
        text = overview(cached) + "\n\n" + text
    if result["max_points"] is None or result["points"] <= 0:
        raise SchedulerCheckFailed(text)
    if result["points"] < result["max_points"]:
        text = text.replace(result["report"], partial_line(name, result) + "\n" + result["report"])
    print(text)
    return None


def award(name: str, points: float) -> float | None:
    """Score this test cell, worth ``points``, from ``name``'s result in ``lrlab grade``.

    Full marks: returns None (nbgrader gives the cell's points). 0: raises :class:`SchedulerCheckFailed`.
    Partial ``p``: prints the report and returns ``p`` (nbgrader partial credit). Raises ``ValueError`` if
    ``points`` differs from the grader's maximum for ``name`` (the course was built for other points).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a scheduler class name (str), not {type(name).__name__}")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise ValueError(f"points must be a number > 0, got {points!r}")
    result = result_for(name)
    if result["max_points"] is not None and float(result["max_points"]) != float(points):
        raise ValueError(f"this cell is worth {points:g} points but lrlab grade gives {name} "
                         f"{result['max_points']:g}: rebuild the course with `lrlab build-course`")
    earned = float(result["points"])
    if earned <= 0:
        raise SchedulerCheckFailed(result["report"])
    if earned < float(points):
        # nbgrader reads the cell's last value as its score: say so in words first.
        print(partial_line(name, result) + "; the number below is this cell's score\n" + result["report"])
        return earned
    print(result["report"])
    return None

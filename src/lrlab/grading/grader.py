"""``grade()``: score a ``schedulers`` package against torch; ``self_check()`` for one scheduler in a notebook.

score(scheduler) = sum of the points of its checks whose every scenario matches torch, or 0 when the code
uses torch's schedulers (static scan or sandbox evidence). The learner's code runs only in the sandbox
(:mod:`lrlab.grading.runner`); this process computes torch's values (:mod:`lrlab.grading.oracle`) meanwhile.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lrlab.grading.compare import FORGERY_TYPE, compare, describe_error
from lrlab.grading.forgery import scan_package
from lrlab.grading.report import CheckResult, GradeReport, SchedulerResult
from lrlab.grading.sandbox import ChildRun, Sandbox
from lrlab.grading.spec import SCHEDULER_POINTS, SCHEDULERS, Check, checks_for
from lrlab.paths import EXERCISES_DIR, PACKAGE, resolve_package_dir

DEFAULT_TIMEOUT = 10.0


def _names(only: Any) -> list[str]:
    if only is None:
        return list(SCHEDULERS)
    if isinstance(only, str):
        only = [only]
    try:
        names = list(only)
    except TypeError:
        raise TypeError(f"only must be a scheduler name or a list of names, not {type(only).__name__}") from None
    unknown = [n for n in names if n not in SCHEDULER_POINTS]
    if unknown or not names:
        raise ValueError(f"only must name schedulers among {list(SCHEDULERS)}, got {names!r}")
    return [n for n in SCHEDULERS if n in names]


def _status_reason(run: ChildRun, timeout: float) -> str:
    status = run.status
    if status.get("timed_out"):
        return f"timed out after {timeout:g} s (an infinite loop?)"
    code = status.get("exit")
    if code is not None and code < 0:
        return f"the process was killed by signal {-code}" + (" (CPU time limit)" if -code == 24 else "")
    if run.corrupt:
        return "the child process sent corrupt results"
    detail = f": {run.log_tail}" if run.log_tail else ""
    return f"the process exited with code {code} (sys.exit/os._exit?){detail}"


def _grade_one(name: str, run: ChildRun, forged: str | None, expected: Any, timeout: float,
               mode_note: str, children: dict[str, SchedulerResult] | None = None) -> SchedulerResult:
    checks = checks_for(name)
    result = SchedulerResult(name, 0, SCHEDULER_POINTS[name], seconds=run.status.get("seconds"))
    messages = run.messages
    hits = [h for m in messages for h in (m.get("hits") or []) if isinstance(h, str)]
    imported = next((m for m in messages if m.get("kind") == "import"), None)
    got: dict[tuple[int, int], Any] = {}
    for m in messages:
        if m.get("kind") == "result" and isinstance(m.get("check"), int) and isinstance(m.get("scenario"), int):
            got.setdefault((m["check"], m["scenario"]), m.get("result"))
    for m in got.values():
        error = m.get("error") if isinstance(m, dict) else None
        if isinstance(error, dict) and FORGERY_TYPE in (error.get("types") or []):
            hits.append(str(error.get("message", "uses torch's schedulers")))

    if forged or hits:
        result.reason = f"0 points: {forged or hits[0]}"
        result.checks = [CheckResult(c.name, c.description, 0, c.points, False, "forgery") for c in checks]
        return result
    if imported is None or not imported.get("ok"):
        if imported is not None and isinstance(imported.get("error"), dict):
            why = describe_error(imported["error"])
            result.reason = f"could not import {name}: {why}{mode_note}"
        else:
            result.reason = f"could not import {name}: {_status_reason(run, timeout)}{mode_note}"
        result.checks = [CheckResult(c.name, c.description, 0, c.points, False, "import failed") for c in checks]
        return result

    started = [(m["check"], m["scenario"]) for m in messages
               if m.get("kind") == "start" and isinstance(m.get("check"), int) and isinstance(m.get("scenario"), int)]
    stopped = next((k for k in reversed(started) if k not in got), None)  # running when the child died/hung
    stop_reason = _status_reason(run, timeout)
    for i, check in enumerate(checks):
        failure = None
        for j, sc in enumerate(check.scenarios):
            label = _label(check, j, children)
            if (i, j) not in got:
                if stopped is None or (i, j) == stopped:
                    reason = f"{label}{stop_reason}" + (" while running this scenario" if stopped else "")
                else:
                    k, m = stopped
                    where = f"'{checks[k].name}' scenario {m + 1}/{len(checks[k].scenarios)}"
                    reason = f"not run: {stop_reason.split(' (')[0]} earlier, in {where}"
                failure = CheckResult(check.name, check.description, 0, check.points, False, reason)
                break
            mismatch = compare(sc, expected[i][j], got[(i, j)])
            if mismatch is not None:
                failure = CheckResult(check.name, check.description, 0, check.points, False,
                                      label + mismatch.reason, mismatch.step, mismatch.group, mismatch.expected,
                                      mismatch.got)
                break
        result.checks.append(failure or CheckResult(check.name, check.description, check.points, check.points, True))
    result.points = sum(c.points for c in result.checks)
    return result


def _child_classes(value: Any) -> list[str]:
    """Class names of the child schedulers a scenario's kwargs build, in order."""
    found: list[str] = []
    if isinstance(value, dict):
        if "$sched" in value:
            found.append(value["$sched"]["sched"])
        for v in value.values():
            found.extend(_child_classes(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(_child_classes(v))
    return found


def _label(check: Check, j: int, children: dict[str, SchedulerResult] | None) -> str:
    """``scenario j/n (config) (children: A, B; fix A first (p/m on its own)): `` (empty parts left out)."""
    sc = check.scenarios[j]
    parts = []
    if len(check.scenarios) > 1:
        parts.append(f"scenario {j + 1}/{len(check.scenarios)}")
        if config := _config(sc):
            parts.append(config)
    kids = list(dict.fromkeys(_child_classes(sc["kwargs"])))
    if kids:
        bad = [k for k in kids if children and k in children and not children[k].passed]
        scores = ", ".join(f"{children[k].points}/{children[k].max_points}" for k in bad)  # type: ignore[index]
        fix = f"; fix {', '.join(bad)} first ({scores} on {'its' if len(bad) == 1 else 'their'} own)" if bad else ""
        parts.append(f"(children: {', '.join(kids)}{fix})")
    return " ".join(parts) + ": " if parts else ""


def _config(sc: dict[str, Any]) -> str:
    kwargs = {k: v for k, v in sc["kwargs"].items() if not isinstance(v, (list, dict)) or k == "milestones"}
    text = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"({text})" if text else ""


def _failed_children(result: SchedulerResult) -> set[str]:
    """Child classes used by the scenarios in which ``result`` failed."""
    names: set[str] = set()
    checks = {c.name: c for c in checks_for(result.name)}
    for check_result in result.checks:
        if not check_result.passed and check_result.name in checks:
            for sc in checks[check_result.name].scenarios:
                names.update(_child_classes(sc["kwargs"]))
    return names


def grade(path: str | os.PathLike[str] | None = None, only: Any = None, timeout: float = DEFAULT_TIMEOUT,
          parallel: int | None = None, *, _nested: bool = False) -> GradeReport:
    """Grade the ``schedulers`` package in ``path`` (default ``exercises/``) against torch.

    ``only``: a scheduler name or list of names (default all 12). ``timeout``: seconds of wall time each
    scheduler's child may take (> 0). Returns a :class:`GradeReport`; ``.total`` of ``.max_total`` (100).
    """
    start = time.perf_counter()
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 3600:
        raise ValueError(f"timeout must be a number of seconds in (0, 3600], got {timeout!r}")
    if parallel is None:
        parallel = max(2, min(4, os.cpu_count() or 2))
    if not isinstance(parallel, int) or parallel < 1:
        raise ValueError(f"parallel must be an integer >= 1, got {parallel!r}")
    names = _names(only)
    base = resolve_package_dir("exercises" if path is None else path)
    forged = scan_package(base / PACKAGE)
    workdir = Path(tempfile.mkdtemp(prefix="lrlab-grade-"))
    try:
        sandbox = Sandbox(base, names, float(timeout), parallel, workdir)
        try:
            from lrlab.grading.oracle import expected  # torch's values, while the sandbox runs

            oracle = {name: expected(name) for name in names}
        except BaseException:
            sandbox.kill()
            raise
        run = sandbox.collect()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    notes = []
    mode_note = ""
    if run.mode == "modules":
        probe_error = next((m.get("error") for m in run.probe.messages if m.get("kind") == "probe"), None)
        why = describe_error(probe_error) if isinstance(probe_error, dict) else _status_reason(run.probe, min(timeout, 5))
        notes.append(f"`import {PACKAGE}` failed ({why}); each scheduler was graded from its own module")
        mode_note = f" (and `import {PACKAGE}` failed)"
    results = {name: _grade_one(name, run.children[name], forged.get(name), oracle[name], timeout, mode_note)
               for name in names}
    # A composite that failed in scenarios built from children: grade those children (if not graded here) so
    # that the reasons can say which child to fix first.
    suspects = {name: _failed_children(r) for name, r in results.items() if not r.reason}
    missing = sorted({c for kids in suspects.values() for c in kids} - set(results))
    if any(suspects.values()):
        children = dict(results)
        if missing and not _nested:
            children.update(grade(base, only=missing, timeout=timeout, parallel=parallel, _nested=True).results)
        for name, kids in suspects.items():
            if kids:
                results[name] = _grade_one(name, run.children[name], forged.get(name), oracle[name], timeout,
                                           mode_note, children)
    return GradeReport(str(base / PACKAGE), results, notes, time.perf_counter() - start)


def _default_base() -> Path:
    """The directory holding the ``schedulers`` that ``import schedulers`` would load (without importing it)."""
    module = sys.modules.get(PACKAGE)
    locations = list(getattr(module, "__path__", []) or []) if module is not None else []
    if not locations:
        spec = importlib.util.find_spec(PACKAGE)
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        if (Path(location) / "__init__.py").is_file():
            return Path(location).parent
    return EXERCISES_DIR


def self_check(name: str, path: str | os.PathLike[str] | None = None, timeout: float = DEFAULT_TIMEOUT,
               quiet: bool = False) -> SchedulerResult:
    """Grade one scheduler of the learner's package and print a short report (for a notebook cell).

    ``path`` defaults to the ``schedulers`` package on ``sys.path`` (the exercises). Returns the
    :class:`SchedulerResult` (``.points``, ``.max_points``, ``.passed``, ``.checks``).
    """
    if not isinstance(name, str) or name not in SCHEDULER_POINTS:
        raise ValueError(f"name must be one of {list(SCHEDULERS)}, got {name!r}")
    report = grade(_default_base() if path is None else path, only=[name], timeout=timeout)
    result = report.results[name]
    if not quiet:
        text = result.format()
        graded = Path(report.path)
        if graded.resolve() != (EXERCISES_DIR / PACKAGE).resolve():
            text += f"\n  graded package: {graded} (not the exercises)"
        if report.notes:
            text += "\n" + "\n".join(f"  note: {n}" for n in report.notes)
        print(text)
    return result

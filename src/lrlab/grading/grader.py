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
from lrlab.grading.forgery import scan_files
from lrlab.grading.report import CheckResult, GradeReport, SchedulerResult
from lrlab.grading.sandbox import ChildRun, SandboxError, Supervisor, sandbox_kind
from lrlab.grading.sandbox_bwrap import INSTALL_HINT
from lrlab.grading.similarity import matches_reference_files, vendored_classes
from lrlab.grading.snapshot import take_snapshot
from lrlab.grading.spec import ALL_POINTS, BONUS, SCHEDULERS, Check, checks_for, child_classes
from lrlab.paths import EXERCISES_DIR, PACKAGE, resolve_package_dir

DEFAULT_TIMEOUT = 10.0
MIN_TIMEOUT = 0.5
MAX_TIMEOUT = 3600.0
#: A scheduler's process may take this many times torch's time for the same steps (and at least the timeout).
SLOWDOWN = 100.0


def scenario_steps(name: str) -> int:
    """Recorded steps over all of ``name``'s scenarios (what its process must compute)."""
    return sum(sc["steps"] for check in checks_for(name) for sc in check.scenarios)


def time_limits(names: list[str], timeout: float, per_step: float) -> dict[str, float]:
    """Wall (and CPU) seconds per scheduler: ``max(timeout, SLOWDOWN * per_step * steps)``, so a correct
    but slow class finishes where torch's time would, scaled, and an endless loop still stops."""
    return {name: round(max(timeout, SLOWDOWN * per_step * scenario_steps(name)), 1) for name in names}


def _names(only: Any) -> list[str]:
    if only is None:
        return [*SCHEDULERS, *BONUS]
    if isinstance(only, str):
        only = [only]
    try:
        names = list(only)
    except TypeError:
        raise TypeError(f"only must be a scheduler name or a list of names, not {type(only).__name__}") from None
    unknown = [n for n in names if n not in ALL_POINTS]
    if unknown or not names:
        raise ValueError(f"only must name schedulers among {[*SCHEDULERS, *BONUS]}, got {names!r}")
    return [n for n in (*SCHEDULERS, *BONUS) if n in names]


def _status_reason(run: ChildRun, timeout: float) -> str:
    status = run.status
    if run.problem:
        return run.problem
    if run.stream.violation:
        return f"its process sent a malformed message ({run.stream.violation})"
    if status.get("timed_out"):
        return f"stopped at its time limit of {timeout:g} s"
    if run.lost:
        return run.lost
    code = status.get("exit")
    if code is not None and code < 0:
        name = {9: "SIGKILL", 24: "SIGXCPU, the CPU time limit", 25: "SIGXFSZ, the file size limit",
                11: "SIGSEGV", 6: "SIGABRT"}.get(-code, "")
        return f"the process was killed by signal {-code}" + (f" ({name})" if name else "")
    if code == 0 and not run.stream.done:
        return "the process exited before it finished (sys.exit/os._exit?)"
    return f"the process exited with code {code} (sys.exit/os._exit?)"


def _grade_one(name: str, run: ChildRun, forged: str | None, expected: Any, timeout: float,
               mode_note: str, children: dict[str, SchedulerResult] | None = None) -> SchedulerResult:
    checks = checks_for(name)
    result = SchedulerResult(name, 0, ALL_POINTS[name], seconds=run.status.get("seconds"))
    stream = run.stream
    hits = list(stream.hits)
    imported = stream.imported
    got = stream.results
    for m in got.values():
        error = m.get("error")
        if isinstance(error, dict) and FORGERY_TYPE in (error.get("types") or []):
            hits.append(str(error.get("message", "uses torch's schedulers")))
    if stream.forged:
        forged = forged or f"its process forged the grading protocol ({stream.violation})"
    elif run.problem or stream.violation:
        result.reason = f"0 points: {_status_reason(run, timeout)}"
        result.checks = [CheckResult(c.name, c.description, 0, c.points, False, "rejected") for c in checks]
        return result

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

    started = stream.started
    stopped = next((k for k in reversed(started) if k not in got), None)  # running when the child died/hung
    stop_reason = _status_reason(run, timeout)
    if run.status.get("timed_out") and not run.problem and not run.lost:
        stop_reason = _too_slow(name, checks, got, run, timeout)
    for i, check in enumerate(checks):
        failure = None
        notes: list[str] = []
        for j, sc in enumerate(check.scenarios):
            if sc.get("alternate_of") is not None:
                continue  # judged only in place of its scenario (below)
            label = _label(check, j, children)
            if (i, j) not in got:
                if stopped is None or (i, j) == stopped:
                    reason = f"{label}{stop_reason}" + (" while running this scenario" if stopped else "")
                else:
                    k, m = stopped
                    primaries = sum(1 for s in checks[k].scenarios if s.get("alternate_of") is None)
                    where = f"'{checks[k].name}' scenario {m + 1}/{max(primaries, m + 1)}"
                    short = "its time limit was reached" if run.status.get("timed_out") else stop_reason.split(" (")[0]
                    reason = f"not run: {short} earlier, in {where}"
                failure = CheckResult(check.name, check.description, 0, check.points, False, reason)
                break
            mismatch = compare(sc, expected[i][j], got[(i, j)])
            if mismatch is not None and children:
                judged = _judge_with_stand_ins(check, i, j, expected, got, children)
                if judged is not None:
                    note, alt_label, mismatch, sc = judged
                    if mismatch is None:
                        notes.append(note)
                        continue
                    label = alt_label
            if mismatch is not None and mismatch.reason.startswith("not implemented yet"):
                label = _label(check, j, children, plain=True)  # the situation does not matter to a stub
            if mismatch is not None:
                failure = CheckResult(check.name, check.description, 0, check.points, False,
                                      label + mismatch.reason, mismatch.step, mismatch.group, mismatch.expected,
                                      mismatch.got, **_details(sc, mismatch))
                break
        result.checks.append(failure or CheckResult(check.name, check.description, check.points, check.points, True,
                                                    "; ".join(dict.fromkeys(notes))))
    _no_points_for_rejecting_only(result)
    result.points = sum(c.points for c in result.checks)
    return result


#: Checks that only ask for an exception: they earn points only beside a behaviour check that passed.
ERROR_ONLY_CHECKS = ("bad_input",)


def _no_points_for_rejecting_only(result: SchedulerResult) -> None:
    """A class that fails every behaviour check earns nothing for raising on bad input (raising one
    exception that derives from every type would otherwise pass every ``bad_input`` check)."""
    behaviour = [c for c in result.checks if c.name not in ERROR_ONLY_CHECKS]
    if behaviour and not any(c.passed for c in behaviour):
        for c in result.checks:
            if c.passed and c.name in ERROR_ONLY_CHECKS:
                c.points, c.passed = 0, False
                c.reason = "not counted: it raises as torch does, but no check of valid input passed"


def _too_slow(name: str, checks: tuple[Check, ...], got: dict[Any, Any], run: ChildRun, limit: float) -> str:
    """``too slow: N of M steps took X s (the limit); torch takes Y s for all M`` (an endless loop looks the same)."""
    from lrlab.grading import oracle

    total = sum(sc["steps"] for c in checks for sc in c.scenarios)
    done = sum(c.scenarios[j]["steps"] for i, c in enumerate(checks) for j in range(len(c.scenarios)) if (i, j) in got)
    seconds = run.status.get("seconds") or limit
    torch_s = oracle.SECONDS.get(name)
    torch_text = f"; torch takes {torch_s:.2g} s for all {total}" if torch_s else ""
    return (f"too slow: {done} of {total} steps took {seconds:.3g} s, its time limit ({SLOWDOWN:g}x torch's "
            f"time, at least the timeout){torch_text}; if a scenario never ends, look for an endless loop in it")


def _judge_with_stand_ins(check: Check, i: int, j: int, expected: Any, got: dict[Any, Any],
                          children: dict[str, SchedulerResult]) -> tuple[str, str, Any, dict[str, Any]] | None:
    """Scenario ``j`` failed and builds a child class that fails its own checks: judge the composite on the
    first alternate (same scenario, stand-in children) whose child classes all pass theirs. Returns (note,
    label, mismatch or None), or None when no such alternate exists (the failure stands, with its blame)."""
    kids = set(child_classes(check.scenarios[j]["kwargs"]))
    bad = sorted(k for k in kids if k in children and not children[k].passed)
    if not bad:
        return None  # every child passes on its own: the composite is at fault
    for a, alt in enumerate(check.scenarios):
        if alt.get("alternate_of") != j:
            continue
        alt_kids = list(dict.fromkeys(child_classes(alt["kwargs"])))
        if not all(k in children and children[k].passed for k in alt_kids):
            continue
        if (i, a) not in got:
            return None
        why = ", ".join(f"{k} fails its own '{children[k].first_failure.name}' check" if children[k].first_failure
                        else f"{k} fails its own checks" for k in bad)
        note = f"correct when judged with stand-ins for your {', '.join(bad)} ({why}: fix that first)"
        label = f"scenario {j + 1} with stand-in children {', '.join(alt_kids)}: "
        return note, label, compare(alt, expected[i][a], got[(i, a)]), alt
    return None


def _details(sc: dict[str, Any], mismatch: Any) -> dict[str, Any]:
    """The report's details of a failed scenario: parameters, calls up to the difference, window, state."""
    from lrlab.grading import explain

    upto = mismatch.step if isinstance(mismatch.step, int) else 0
    upto = max(0, min(upto, sc["steps"] - 1))
    return {"scenario": explain.describe_scenario(sc), "calls": explain.call_sequence(sc, upto),
            "window": mismatch.window, "state": explain.plateau_state(sc, upto) or ""}


def _label(check: Check, j: int, children: dict[str, SchedulerResult] | None, plain: bool = False) -> str:
    """``scenario j/n (config) (children: A, B; fix A first (p/m on its own)): `` (empty parts left out)."""
    sc = check.scenarios[j]
    parts = []
    primaries = sum(1 for s in check.scenarios if s.get("alternate_of") is None)
    if primaries > 1:
        parts.append(f"scenario {j + 1}/{primaries}")
        if config := _config(sc):
            parts.append(config)
    if not plain and (situation := _situation(sc)):
        parts.append(f"[{situation}]")
    kids = list(dict.fromkeys(child_classes(sc["kwargs"])))
    if kids:
        bad = [k for k in kids if children and k in children and not children[k].passed]
        scores = ", ".join(f"{children[k].points}/{children[k].max_points}" for k in bad)  # type: ignore[index]
        fix = f"; fix {', '.join(bad)} first ({scores} on {'its' if len(bad) == 1 else 'their'} own)" if bad else ""
        parts.append(f"(children: {', '.join(kids)}{fix})")
    return " ".join(parts) + ": " if parts else ""


def _situation(sc: dict[str, Any]) -> str:
    """What the scenario does besides plain stepping, in plain words."""
    words = []
    if sc.get("initial_lr") is not None:
        words.append("groups already hold initial_lr")
    if sc["kwargs"].get("last_epoch", -1) >= 0:
        words.append(f"built with last_epoch={sc['kwargs']['last_epoch']} to resume")
    edit = sc.get("edit_lr")
    if edit is not None and edit.get("every"):
        words.append(f"stacked with another scheduler (x{edit['factor']} per step from step {edit['at']})")
    elif edit is not None:
        words.append(f"LR edited mid-run (x{edit['factor']} after step {edit['at']})")
    if sc.get("second_at") is not None:
        words.append(f"a second scheduler built after step {sc['second_at']}")
    if sc.get("resume_at") is not None:
        words.append(f"resumed from state_dict after step {sc['resume_at']}")
    if sc.get("epochs") is not None:
        words.append("step(epoch) calls")
    if sc["opt"] == "adam" and sc.get("beta2", 0.999) != 0.999:
        words.append(f"Adam with beta2={sc['beta2']}")
    return "; ".join(words)


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
                names.update(child_classes(sc["kwargs"]))
    return names


def _require_sandbox(require: bool | None) -> bool:
    if require is None:
        return os.environ.get("LRLAB_REQUIRE_SANDBOX", "").strip().lower() in ("1", "true", "yes", "on")
    return bool(require)


def grade(path: str | os.PathLike[str] | None = None, only: Any = None, timeout: float = DEFAULT_TIMEOUT,
          parallel: int | None = None, *, sandbox: str | None = None, require_sandbox: bool | None = None,
          layout: str = "shared", _nested: bool = False) -> GradeReport:
    """Grade the ``schedulers`` package in ``path`` (default ``exercises/``) against torch.

    ``only``: a scheduler name or list of names (default torch's 16 and the 3 bonus classes). ``timeout``: seconds of wall time each
    scheduler's process may take (0.5..3600). ``sandbox``: ``auto`` (bubblewrap where it works, else a
    plain child process, said in the report), ``bwrap`` or ``none`` (default ``$LRLAB_SANDBOX`` or auto).
    ``require_sandbox`` (default ``$LRLAB_REQUIRE_SANDBOX``): raise :class:`SandboxError` instead of
    grading without isolation. ``layout``: ``shared`` (one sandbox, one process per scheduler inside) or
    ``isolated`` (one sandbox per scheduler; slower). Returns a :class:`GradeReport` (``.total`` of
    ``.max_total``).
    """
    start = time.perf_counter()
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
        raise ValueError(f"timeout must be a number of seconds in [{MIN_TIMEOUT:g}, {MAX_TIMEOUT:g}], got {timeout!r}")
    if parallel is None:
        parallel = max(2, min(4, os.cpu_count() or 2))
    if not isinstance(parallel, int) or isinstance(parallel, bool) or not 1 <= parallel <= 64:
        raise ValueError(f"parallel must be an integer in [1, 64], got {parallel!r}")
    names = _names(only)
    base = resolve_package_dir("exercises" if path is None else path)
    kind, why_not = sandbox_kind(sandbox)
    if kind != "bwrap" and _require_sandbox(require_sandbox):
        raise SandboxError(f"refusing to grade without isolation: {why_not}; {INSTALL_HINT}")
    workdir = Path(tempfile.mkdtemp(prefix="lrlab-grade-"))
    workdir.chmod(0o711)  # the snapshot inside must be readable by the sandbox's unprivileged uid
    try:
        snap = take_snapshot(base / PACKAGE, workdir / "submission", PACKAGE)
        forged = scan_files(snap.files)
        for name, why in vendored_classes(snap.files).items():
            forged.setdefault(name, why)
        from lrlab.grading.oracle import seconds_per_step

        limits = time_limits(names, float(timeout), seconds_per_step())
        supervisor = Supervisor(workdir / "submission", names, limits, parallel, workdir, kind, layout)
        supervisor.start()
        try:
            from lrlab.grading.oracle import expected  # torch's values, while the sandbox runs

            oracle = {name: expected(name) for name in names}
        except BaseException:
            supervisor.cancel()
            raise
        run = supervisor.collect()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    notes = []
    isolation = "" if kind == "bwrap" else (
        f"NOT ISOLATED: the graded code ran in a plain child process ({why_not}); {INSTALL_HINT}")
    mode_note = ""
    if run.mode == "modules":
        why = describe_error(run.probe_error) if isinstance(run.probe_error, dict) else run.probe_status
        notes.append(f"`import {PACKAGE}` failed ({why}); each scheduler was graded from its own module")
        mode_note = f" (and `import {PACKAGE}` failed)"
    skipped = {rel: why for rel, why in snap.skipped.items() if not rel.endswith((".pyc", ".pyo"))}
    if skipped:
        listed = ", ".join(f"{rel} ({why})" for rel, why in list(skipped.items())[:5])
        notes.append(f"files not graded: {listed}" + (" ..." if len(skipped) > 5 else ""))
    references = matches_reference_files(snap.files)
    if references:
        notes.append("matches the shipped reference solutions: " + ", ".join(references))
    results = {name: _grade_one(name, run.children[name], forged.get(name), oracle[name], limits[name], mode_note)
               for name in names}
    # A composite that failed in scenarios built from children: grade those children (if not graded here) so
    # that the reasons can say which child to fix first.
    suspects = {name: _failed_children(r) for name, r in results.items() if not r.reason}
    missing = sorted({c for kids in suspects.values() for c in kids} - set(results))
    if any(suspects.values()):
        children = dict(results)
        if missing and not _nested:
            children.update(grade(base, only=missing, timeout=timeout, parallel=parallel, sandbox=sandbox,
                                  require_sandbox=require_sandbox, _nested=True).results)
        for name, kids in suspects.items():
            if kids:
                results[name] = _grade_one(name, run.children[name], forged.get(name), oracle[name], limits[name],
                                           mode_note, children)
    return GradeReport(str(base / PACKAGE), results, notes, time.perf_counter() - start,
                       isolation=isolation, reference_matches=references)


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


_FRESH = (
    "import json, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from lrlab.grading.grader import grade\n"
    "args = json.loads(sys.argv[2])\n"
    "report = grade(args['base'], only=args['only'], timeout=args['timeout'])\n"
    "open(args['out'], 'w').write(report.to_json())\n"
)


def grade_in_fresh_process(base: str | os.PathLike[str], only: list[str] | None = None,
                           timeout: float = DEFAULT_TIMEOUT) -> GradeReport:
    """:func:`grade` run by a fresh ``python -I`` (never in this process, which may have imported the
    learner's code: a notebook kernel); the sandbox rules (``$LRLAB_SANDBOX``, ``$LRLAB_REQUIRE_SANDBOX``)
    apply there as here. Raises :class:`SandboxError` when that process fails.
    """
    import json
    import subprocess

    src = str(Path(__file__).resolve().parents[2])
    with tempfile.TemporaryDirectory(prefix="lrlab-selfcheck-") as tmp:
        out = Path(tmp) / "report.json"
        args = json.dumps({"base": str(base), "only": only, "timeout": timeout, "out": str(out)})
        limit = 180.0 + 3 * timeout * max(1, len(only or SCHEDULERS))
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LRLAB_SANDBOX", "LRLAB_REQUIRE_SANDBOX",
                "LRLAB_GRADE_PARALLEL")
        env = {k: v for k, v in os.environ.items() if k in keep}
        try:
            proc = subprocess.run([sys.executable, "-I", "-c", _FRESH, src, args], cwd=tmp, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            raise SandboxError(f"grading did not finish within {limit:g} s") from None
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise SandboxError(f"the grading process failed: {tail[0][:300]}")
        return GradeReport.from_dict(json.loads(out.read_text()))


def self_check(name: str, path: str | os.PathLike[str] | None = None, timeout: float = DEFAULT_TIMEOUT,
               quiet: bool = False) -> SchedulerResult:
    """Grade one scheduler of the learner's package and print a short report (for a notebook cell).

    ``path`` defaults to the ``schedulers`` package on ``sys.path`` (the exercises). Returns the
    :class:`SchedulerResult` (``.points``, ``.max_points``, ``.passed``, ``.checks``).
    """
    if not isinstance(name, str) or name not in ALL_POINTS:
        raise ValueError(f"name must be one of {[*SCHEDULERS, *BONUS]}, got {name!r}")
    base = resolve_package_dir(_default_base() if path is None else path)
    report = grade_in_fresh_process(base, [name], timeout)
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

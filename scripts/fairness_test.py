"""Fairness suite for the grader: independent correct implementations must score full marks.

Each fixture ``tests/fixtures/fair/<style>/`` holds ``<module>.py.append`` files: independent implementations in
another style (listed below), appended to a copy of the reference package so that they rebind those class
names (the mechanism of ``tests/fixtures/submissions``); every other class is the reference's. The script
grades each fixture with the real grader (``python -m lrlab.cli grade <dir> --only ... --json <file>``, a
subprocess), prints the points per scheduler, and ``fairness: full marks P/Q`` over the (fixture,
independent class) pairs. Anything short of full marks is a grader bug (or a real difference from torch).

The *cases* are correct-but-different packages the issue names, each with what the grader should say:
``cosine_closed_form`` (CosineAnnealingLR.get_lr in closed form: correct alone, not chainable -- may lose
points only on a check named for chaining), ``exp_closed_in_chain`` (a closed-form ExponentialLR inside a
correct ChainedScheduler: the ChainedScheduler must keep full marks, the blame goes to ExponentialLR) and
``slow_step`` (a correct CosineAnnealingLR taking 0.5 ms per step, 24,000 steps in its checks: graded in full or told "too slow", never an
"infinite loop"). Cases print ``case <name>: ok|FAILS <why>`` and do not count in P/Q.

    python scripts/fairness_test.py [--jobs N] [--json FILE]

Exit 1 if a fixture misses full marks or a case's expectation fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "fair"

#: style -> (independent classes graded, what is different about them)
FAIR: dict[str, tuple[tuple[str, ...], str]] = {
    "closed_form": (("CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "LambdaLR"),
                    "closed forms of the step count where torch's scheduler is not chained"),
    "counters": (("StepLR", "MultiStepLR", "ReduceLROnPlateau"),
                 "own counters kept in the state (steps since decay, milestone pointer, wait/cooldown)"),
    "reordered": (("CosineAnnealingLR", "LinearLR"),
                  "mathematically equal formulas in another operation order (half-angle cosines, f(t)/f(t-1))"),
    "validation": (("SequentialLR", "ChainedScheduler", "ExponentialLR"),
                   "declarative validation rules; composites without the reference's helpers"),
}


def _full(res: dict[str, Any], name: str) -> bool:
    r = res[name]
    return r["points"] == r["max_points"]


def _failed_checks(res: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [c for c in res[name].get("checks", []) if not c.get("passed")]


def _case_cosine(res: dict[str, Any]) -> tuple[bool, str]:
    name = "CosineAnnealingLR"
    failed = _failed_checks(res, name)
    if not failed:
        return False, ("8/8: no check exercises chainability (stacked with another scheduler / LR edited "
                       "mid-run), so the documented difference from torch goes unseen")
    unnamed = [c["name"] for c in failed if "chain" not in (c["name"] + c.get("description", "")).lower()]
    if unnamed:
        return False, f"lost points on checks not named for chaining: {', '.join(unnamed)}"
    return True, f"{res[name]['points']}/{res[name]['max_points']}, only chainability checks fail"


def _case_chain(res: dict[str, Any]) -> tuple[bool, str]:
    c = res["ChainedScheduler"]
    e = res["ExponentialLR"]
    if c["points"] != c["max_points"]:
        why = next((f"{x['name']}: {x.get('reason', '')}" for x in _failed_checks(res, "ChainedScheduler")), c.get("reason", ""))
        return False, (f"correct ChainedScheduler scored {c['points']}/{c['max_points']} ({why}); the blame "
                       f"belongs to the closed-form ExponentialLR ({e['points']}/{e['max_points']})")
    if e["points"] == e["max_points"]:
        return False, "ExponentialLR kept full marks although it is not chainable"
    return True, "ChainedScheduler full marks; ExponentialLR blamed"


def _case_slow(res: dict[str, Any]) -> tuple[bool, str]:
    r = res["CosineAnnealingLR"]
    text = json.dumps(r).lower()
    if "infinite loop" in text:
        return False, f"{r['points']}/{r['max_points']}: told 'infinite loop?' ({r.get('reason', '')})"
    if r["points"] == r["max_points"] or "too slow" in text:
        return True, f"{r['points']}/{r['max_points']}"
    return False, f"{r['points']}/{r['max_points']} without a 'too slow' explanation"


#: case -> (classes graded, expectation)
CASES: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], tuple[bool, str]]]] = {
    "cosine_closed_form": (("CosineAnnealingLR",), _case_cosine),
    "exp_closed_in_chain": (("ExponentialLR", "ChainedScheduler"), _case_chain),
    "slow_step": (("CosineAnnealingLR",), _case_slow),
}


def build(style: str, workdir: Path) -> Path:
    """The package of fixture ``style``: a copy of the reference with the fixture's ``.py.append`` files
    appended to their modules. Returns the folder that holds ``schedulers/``."""
    base = workdir / style
    pkg = base / "schedulers"
    shutil.copytree(ROOT / "solutions" / "schedulers", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    patches = sorted((FIXTURES / style).glob("*.py.append"))
    if not patches:
        raise FileNotFoundError(f"fixture {style!r} has no .py.append files in {FIXTURES / style}")
    for patch in patches:
        target = pkg / patch.name.removesuffix(".append")
        target.write_text(target.read_text(encoding="utf-8") + patch.read_text(encoding="utf-8"), encoding="utf-8")
    return base


def grade(style: str, names: tuple[str, ...], workdir: Path, timeout: float = 600) -> dict[str, Any]:
    """Grade fixture ``style`` with the real CLI in a subprocess; ``{name: result}`` from its JSON."""
    out = workdir / f"{style}.json"
    cmd = [sys.executable, "-m", "lrlab.cli", "grade", str(build(style, workdir)), "--only", *names,
           "--json", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"grading {style} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))["results"]


def _why(r: dict[str, Any]) -> str:
    if r.get("reason"):
        return r["reason"]
    for c in r.get("checks", []):
        if not c.get("passed"):
            at = f" at step {c['step']}" if c.get("step") is not None else ""
            return f"{c['name']}: {c.get('reason', '')}{at} expected {c.get('expected')} got {c.get('got')}"
    return "ok"


def main(argv: list[str] | None = None) -> int:
    """Grade every fixture and case; print the table, the cases and ``fairness: full marks P/Q``."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2, help="parallel gradings (default 2)")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be >= 1")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lrlab-fair-") as tmp, ThreadPoolExecutor(args.jobs) as pool:
        work = Path(tmp)
        jobs = {s: pool.submit(grade, s, names, work) for s, (names, _) in {**FAIR, **CASES}.items()}
        results = {s: f.result() for s, f in jobs.items()}
    rows, full, total = [], 0, 0
    for style, (names, _what) in FAIR.items():
        for name in names:
            r = results[style][name]
            ok = r["points"] == r["max_points"]
            full += ok
            total += 1
            rows.append({"fixture": style, "scheduler": name, "points": r["points"], "max_points": r["max_points"],
                         "full": ok, "why": "" if ok else _why(r)})
            print(f"{style:<14} {name:<28} {r['points']:>3}/{r['max_points']:<3} {'full' if ok else 'NOT FULL'}"
                  + ("" if ok else f"  [{_why(r)}]"))
    cases = {}
    for case, (names, expect) in CASES.items():
        ok, why = expect(results[case])
        cases[case] = {"ok": ok, "why": why,
                       "points": {n: f"{results[case][n]['points']}/{results[case][n]['max_points']}" for n in names}}
        pts = ", ".join(f"{n} {v}" for n, v in cases[case]["points"].items())
        print(f"case {case}: {'ok' if ok else 'FAILS'} ({pts}) {why}")
    print(f"# {time.perf_counter() - started:.1f} s with --jobs {args.jobs}")
    if args.json:
        Path(args.json).write_text(json.dumps({"fixtures": rows, "cases": cases, "full": full, "total": total},
                                              indent=2) + "\n", encoding="utf-8")
    print(f"fairness: full marks {full}/{total}")
    return 0 if full == total and all(c["ok"] for c in cases.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

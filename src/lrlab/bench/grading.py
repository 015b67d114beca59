"""Benchmark: grading the reference solutions in the bubblewrap sandbox vs in a plain child process.

Each measurement is one ``grade(solutions)`` (all 12 schedulers) in a fresh interpreter, timed around the
call (so torch's values are computed afresh each time, as in a real ``lrlab grade``); configurations are
interleaved so that load on the machine affects them alike, and the median of the repeats is shown. The
target is sandboxed <= 1.3x unsandboxed. Without ``--quick`` the layout with one sandbox per scheduler is
measured too (the default layout is one sandbox for the package, one process per scheduler inside).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

_SCRIPT = (
    "import json, sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from lrlab import paths\n"
    "from lrlab.grading import grade\n"
    "t = time.perf_counter()\n"
    "r = grade(paths.SOLUTIONS_DIR, sandbox=sys.argv[2], layout=sys.argv[3])\n"
    "print(json.dumps({'seconds': time.perf_counter() - t, 'total': r.total, 'isolated': r.isolated}))\n"
)


def measure(sandbox: str, layout: str = "shared") -> dict[str, float]:
    """One grading of the solutions in a fresh interpreter: ``{"seconds", "total", "isolated", "cpu"}``.

    ``cpu``: user+system seconds of the whole process tree (interpreter start included), which a loaded
    machine distorts less than wall time.
    """
    src = str(Path(__file__).resolve().parents[2])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", _SCRIPT, src, sandbox, layout], capture_output=True, text=True,
                         timeout=600, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError(f"grading failed: {(out.stderr or out.stdout).strip().splitlines()[-1:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return result


def run(quick: bool = False) -> None:
    """Print sandboxed and unsandboxed grading times of the solutions and their ratio."""
    from lrlab.grading.sandbox_bwrap import probe

    usable, why = probe()
    configs = [("plain child (unsandboxed)", "none", "shared")]
    if usable:
        configs.append(("bubblewrap, one sandbox", "bwrap", "shared"))
        if not quick:
            configs.append(("bubblewrap, one per scheduler", "bwrap", "isolated"))
    else:
        print(f"bubblewrap unusable here ({why}): only the unsandboxed time is measured")
    repeats = 1 if quick else 3
    times: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    for _ in range(repeats):
        for label, sandbox, layout in configs:
            result = measure(sandbox, layout)
            if result["total"] != 100:
                raise RuntimeError(f"{label}: the solutions scored {result['total']}/100")
            times[label].append(result["seconds"])
            cpu[label].append(result["cpu"])
    base = statistics.median(times[configs[0][0]])
    print(f"grading the reference solutions (12 schedulers), median of {repeats}, fresh interpreter each")
    cpu_base = statistics.median(cpu[configs[0][0]])
    print(f"{'configuration':<32} {'seconds':>8} {'vs unsandboxed':>15} {'CPU s':>7} {'vs':>6}   runs (wall)")
    for label, _, _ in configs:
        median = statistics.median(times[label])
        cpu_median = statistics.median(cpu[label])
        runs = " ".join(f"{t:.2f}" for t in times[label])
        print(f"{label:<32} {median:>8.2f} {median / base:>14.2f}x {cpu_median:>7.2f} {cpu_median / cpu_base:>5.2f}x"
              f"   {runs}")
    if usable:
        ratio = statistics.median(times[configs[1][0]]) / base
        print(f"sandboxed / unsandboxed = {ratio:.2f} (target <= 1.3)")

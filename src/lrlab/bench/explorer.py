"""Explorer benchmark: slider change -> finished redraw (curve recomputed, Agg draw, PNG bytes), per scheduler.

For a 100,000-step schedule, a parameter slider of each explorer is set to ~30 different values; each
change runs the widget callback synchronously, so the wall time of ``slider.value = v`` is the full redraw.
"frames" counts the redraws that had to draw the whole frame (new limits) instead of blitting the lines.
For reference, the same run times torch stepping the same schedule once. Every scheduler, LambdaLR and
ReduceLROnPlateau included, is computed by ``lrlab.preview`` (no torch stepping in a redraw).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from lrlab import catalog  # noqa: E402
from lrlab.explorer import engine  # noqa: E402
from lrlab.explorer.explore import explore  # noqa: E402
from lrlab.explorer.params import SPECS, to_kwargs  # noqa: E402
from lrlab.explorer.plateau import plateau_schedule  # noqa: E402

STEPS = 100_000

def sweep(name: str, n: int, steps: int) -> tuple[str, list[Any]]:
    """The parameter a benchmark sweeps for ``name`` (its first numeric catalog parameter) and ``n`` values
    across the parameter's range for a ``steps``-step schedule."""
    for p in catalog.get(name).params:
        if p.kind in ("float", "log"):
            lo, hi = p.low + 0.1 * (p.high - p.low), p.high - 0.1 * (p.high - p.low)
            values = np.geomspace(p.low * 10, p.high / 10, n) if p.kind == "log" else np.linspace(lo, hi, n)
            return p.name, [float(v) for v in values]
        if p.kind in ("int", "steps"):
            hi = p.high_for(steps)
            return p.name, [int(v) for v in np.linspace(max(p.low, 1), hi, n)]
    raise ValueError(f"{name} has no numeric parameter to sweep")


def _torch_seconds(panel, steps: int = STEPS) -> float:
    """Time torch stepping the panel's current schedule (``steps`` entries) once."""
    name = panel.name
    cls = catalog.torch_class(name)
    start = time.perf_counter()
    if catalog.get(name).family == "plateau":
        plateau_schedule(cls, panel.metric(), float(panel.lr_slider.value), **panel.values)
    else:
        engine.step_class(cls, steps, panel.lr, engine._momentum(name), to_kwargs(name, panel.values))
    return time.perf_counter() - start


def measure_live(k: int = 5, epochs: int = 5, repeats: int = 9) -> str:
    """Time slider release -> redrawn bands through the widgets: the explorer of the catalog's default decay
    (cosine) with the train toggle on; each repeat sets its LR slider (the panel redraws, the live run retrains k seeds and renders) and
    waits for the bands. The bench line."""
    panel = explore(catalog.DEFAULT_DECAY, module=False)
    live = panel.live
    live.seeds, live.epochs = k, epochs
    live.toggle.value = True
    if not live.done.wait(60):
        raise RuntimeError("live training did not finish")
    values = np.linspace(0.05, 0.2, repeats + 1)
    times = []
    for v in values[1:]:
        t = time.perf_counter()
        panel.lr_slider.value = float(v)
        if not live.done.wait(60) or "not trained" in live.status.value:
            raise RuntimeError(f"live training failed: {live.status.value}")
        times.append(time.perf_counter() - t)
    live.toggle.value = False
    times.sort()
    p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
    return (f"live training ({k} seeds, {epochs} epochs): median {1000 * statistics.median(times):.0f} ms, "
            f"p90 {1000 * p90:.0f} ms (slider release -> redrawn bands, {len(times)} releases)")


def run(quick: bool = False, steps: int = STEPS) -> None:
    """Print median / p90 redraw times per scheduler for a ``steps``-step schedule (default 100k) and torch's
    stepping time."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1000:
        raise ValueError(f"steps must be an int >= 1000, got {steps!r}")
    n_fast, n_slow = (8, 2) if quick else (30, 5)
    names = tuple(SPECS)
    width = max(len(name) for name in names)
    print(f"slider change -> redraw incl. PNG, {steps:,} steps, learner overlay off; {n_fast} changes each")
    header = (f"{'scheduler':{width}s} {'median ms':>10s} {'p90 ms':>8s} {'frames':>7s} {'torch step ms':>14s} "
              f"{'torch/redraw':>13s}")
    print(header)
    print("-" * len(header))
    for name in names:
        panel = explore(name, steps=steps, module=False)
        if panel.error:
            print(f"{name:{width}s} not drawn: {panel.error}")
            continue
        times = []
        frames0 = panel.figure.full_draws
        param, values = sweep(name, n_fast, steps)
        widget = panel.param_widgets[param]
        for v in values:
            start = time.perf_counter()
            widget.value = v
            times.append(time.perf_counter() - start)
            if panel.error:
                print(f"{name:{width}s} error at {param}={v}: {panel.error}")
                break
        torch_s = _torch_seconds(panel, steps)
        med = statistics.median(times)
        p90 = float(np.percentile(times, 90))
        frames = panel.figure.full_draws - frames0
        print(f"{name:{width}s} {med * 1e3:10.1f} {p90 * 1e3:8.1f} {frames:7d} {torch_s * 1e3:14.1f} "
              f"{torch_s / med:12.1f}x", flush=True)
    print("-" * len(header))
    print(f"frames: redraws (of {n_fast}) that drew the whole figure for new y-limits; the rest blitted only "
          f"the curves onto a cached frame.")
    print(measure_live(repeats=5 if quick else 9), flush=True)
    # the learner overlay (reference solutions, stepped for learner_limit steps) on one scheduler
    try:
        import lrlab

        mod = lrlab.use_schedulers("solutions")
    except Exception as exc:  # noqa: BLE001
        print(f"learner overlay: skipped ({exc})")
        return
    for limit in (2_000, 20_000):
        name = catalog.DEFAULT_DECAY
        panel = explore(name, steps=steps, module=mod, learner_limit=limit)
        param, values = sweep(name, n_slow, steps)
        times = []
        for v in values:
            start = time.perf_counter()
            panel.param_widgets[param].value = v
            times.append(time.perf_counter() - start)
        print(f"{name} + learner overlay (solutions, first {limit:,} steps): median "
              f"{statistics.median(times) * 1e3:.1f} ms; {panel.message_text}")

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
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lrlab.explorer import engine  # noqa: E402
from lrlab.explorer.panel import explore  # noqa: E402
from lrlab.explorer.params import to_kwargs  # noqa: E402
from lrlab.explorer.plateau import plateau_schedule  # noqa: E402

STEPS = 100_000

# scheduler -> (parameter swept, values generator given n changes)
SWEEPS: dict[str, tuple[str, Callable[[int], list]]] = {
    "StepLR": ("gamma", lambda n: list(np.linspace(0.1, 0.9, n))),
    "MultiStepLR": ("gamma", lambda n: list(np.linspace(0.1, 0.9, n))),
    "ExponentialLR": ("gamma", lambda n: list(np.linspace(0.99990, 0.99999, n))),
    "CosineAnnealingLR": ("eta_min", lambda n: list(np.linspace(0.0, 0.05, n))),
    "CosineAnnealingWarmRestarts": ("eta_min", lambda n: list(np.linspace(0.0, 0.05, n))),
    "LinearLR": ("start_factor", lambda n: list(np.linspace(0.05, 0.9, n))),
    "CyclicLR": ("max_lr", lambda n: list(np.geomspace(0.05, 1.0, n))),
    "OneCycleLR": ("pct_start", lambda n: list(np.linspace(0.1, 0.6, n))),
    "LambdaLR": ("horizon", lambda n: [int(h) for h in np.linspace(1000, 90_000, n)]),
    "ReduceLROnPlateau": ("patience", lambda n: [int(p) for p in np.linspace(1, 60, n)]),
}


def _torch_seconds(panel, steps: int = STEPS) -> float:
    """Time torch stepping the panel's current schedule (``steps`` entries) once."""
    name = panel.name
    start = time.perf_counter()
    if name == "ReduceLROnPlateau":
        plateau_schedule(torch.optim.lr_scheduler.ReduceLROnPlateau, panel.metric(), float(panel.lr_slider.value),
                         **panel.values)
    else:
        kwargs = to_kwargs(name, panel.values)
        cls = getattr(torch.optim.lr_scheduler, name)
        engine.step_class(cls, steps, panel.lr, engine._momentum(name), kwargs)
    return time.perf_counter() - start


def run(quick: bool = False, steps: int = STEPS) -> None:
    """Print median / p90 redraw times per scheduler for a ``steps``-step schedule (default 100k) and torch's
    stepping time."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1000:
        raise ValueError(f"steps must be an int >= 1000, got {steps!r}")
    n_fast, n_slow = (8, 2) if quick else (30, 5)
    width = max(len(name) for name in SWEEPS)
    print(f"slider change -> redraw incl. PNG, {steps:,} steps, learner overlay off; {n_fast} changes each")
    header = (f"{'scheduler':{width}s} {'median ms':>10s} {'p90 ms':>8s} {'frames':>7s} {'torch step ms':>14s} "
              f"{'torch/redraw':>13s}")
    print(header)
    print("-" * len(header))
    for name, (param, values) in SWEEPS.items():
        extra = {"noise": 0.01} if name == "ReduceLROnPlateau" else {}
        panel = explore(name, steps=steps, module=False, **extra)
        if panel.error:
            print(f"{name:{width}s} not drawn: {panel.error}")
            continue
        widget = panel.param_widgets[param]
        times = []
        frames0 = panel.figure.full_draws
        sweep = values(n_fast)
        if param == "horizon":  # the values are for STEPS steps: scale them to the budget
            sweep = [max(1, int(v * steps / STEPS)) for v in sweep]
        for v in sweep:
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
    # the learner overlay (reference solutions, stepped for learner_limit steps) on one scheduler
    try:
        import lrlab

        mod = lrlab.use_schedulers("solutions")
    except Exception as exc:  # noqa: BLE001
        print(f"learner overlay: skipped ({exc})")
        return
    for limit in (2_000, 20_000):
        panel = explore("CosineAnnealingLR", steps=steps, module=mod, learner_limit=limit)
        times = []
        for v in np.linspace(0.0, 0.05, n_slow + 1)[1:]:
            start = time.perf_counter()
            panel.param_widgets["eta_min"].value = float(v)
            times.append(time.perf_counter() - start)
        print(f"CosineAnnealingLR + learner overlay (solutions, first {limit:,} steps): median "
              f"{statistics.median(times) * 1e3:.1f} ms; {panel.message_text}")

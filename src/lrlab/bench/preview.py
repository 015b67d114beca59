"""Benchmark: numpy ``preview`` vs stepping torch's scheduler on a real optimizer, same run, same steps.

Prints, per scheduler, the best-of-k preview time, the torch stepping time, the speed-up (torch/preview,
target >= 500x) and the largest deviation from torch in units of the comparison tolerance
(rtol=1e-9, atol=1e-12·lr0; <= 1 means equal).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from lrlab import catalog
from lrlab.preview import (
    Schedule,
    preview,
    preview_chained,
    preview_plateau,
    preview_sequential,
    torch_chained,
    torch_plateau,
    torch_schedule,
    torch_sequential,
)
from lrlab.tolerance import ATOL_PER_LR0, RTOL, atol_for

LR0 = 0.1


def _pairs(steps: int) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """A composition's children: the catalog's first warmup over 5% of the budget, then the default decay."""
    warm = steps // 20
    first = catalog.names(role="warmup")[0]
    return [(first, catalog.constructor_kwargs(first, {**catalog.get(first).defaults(2 * warm), "start_factor": 0.01})),
            (catalog.DEFAULT_DECAY, catalog.constructor_kwargs(catalog.DEFAULT_DECAY,
                                                               catalog.get(catalog.DEFAULT_DECAY).defaults(steps - warm)))
            ], warm


def cases(steps: int) -> list[tuple[str, Callable[[], Schedule], Callable[[], Schedule]]]:
    """(label, preview call, torch call) for every scheduler of the catalog at its opening values over ``steps``
    steps (composites of a warmup and the default decay; metric-driven ones on a stalling loss)."""
    out: list[tuple[str, Callable[[], Schedule], Callable[[], Schedule]]] = []
    for record in catalog.records():
        name = record.name
        if record.family == "closed":
            p = catalog.constructor_kwargs(name, record.defaults(steps))
            out.append((name, (lambda n=name, p=p: preview(n, steps, lr=LR0, **p)),
                        (lambda n=name, p=p: torch_schedule(n, steps, lr=LR0, **p))))
        elif record.composite == "sequential":
            pairs, warm = _pairs(steps)
            out.append((f"{name}(warmup, decay)", lambda pairs=pairs, w=warm: preview_sequential(pairs, [w], steps, lr=LR0),
                        lambda pairs=pairs, w=warm: torch_sequential(pairs, [w], steps, lr=LR0)))
        elif record.composite == "chained":
            pairs, _ = _pairs(steps)
            out.append((f"{name}(warmup, decay)", lambda pairs=pairs: preview_chained(pairs, steps, lr=LR0),
                        lambda pairs=pairs: torch_chained(pairs, steps, lr=LR0)))
        elif record.family == "plateau":
            metric = plateau_metric(steps - 1)
            for label, p in ((name, {"patience": 10}),
                             (f"{name} min_lr, cooldown", {"patience": 50, "cooldown": 200, "factor": 0.7,
                                                          "min_lr": 1e-4})):
                out.append((label, (lambda p=p, m=metric: preview_plateau(m, lr=LR0, **p)),
                            (lambda p=p, m=metric: torch_plateau(m, lr=LR0, **p))))
    return out


def plateau_metric(n: int) -> np.ndarray:
    """A seeded noisy loss (0.1 + 0.9·exp(−4t/n))·(1 + 0.01·z) that stalls between 20% and 50% of n."""
    t = np.arange(n, dtype=float)
    u = (t - np.clip(t - 0.2 * n, 0.0, 0.3 * n)) / max(n, 1)
    return (0.1 + 0.9 * np.exp(-4.0 * u)) * (1.0 + 0.01 * np.random.default_rng(0).standard_normal(n))


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _deviation(a: Schedule, b: Schedule) -> float:
    tol = atol_for(LR0) + RTOL * np.abs(b.lr)
    dev = float(np.max(np.abs(a.lr - b.lr) / tol))
    if a.momentum is not None and b.momentum is not None:
        dev = max(dev, float(np.max(np.abs(a.momentum - b.momentum) / (ATOL_PER_LR0 + RTOL * np.abs(b.momentum)))))
    return dev


def run(quick: bool = False, steps: int | None = None) -> None:
    """Print the preview-vs-torch table (100,000 steps; ``quick``: 20,000 steps, fewer repeats; ``steps``
    overrides the count, >= 100)."""
    if steps is None:
        steps = 20_000 if quick else 100_000
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 100:
        raise ValueError(f"steps must be an int >= 100, got {steps!r}")
    repeats = 5 if quick else 15
    all_cases = cases(steps)
    width = max(len("scheduler"), *(len(label) for label, _, _ in all_cases))
    print(f"preview vs torch stepping, {steps:,} steps, lr0={LR0} (preview: best of {repeats}; torch: best of "
          f"{1 if quick else 2})")
    header = f"{'scheduler':{width}s} {'preview ms':>11s} {'torch ms':>10s} {'speed-up':>9s} {'dev/tol':>8s}"
    print(header)
    print("-" * len(header))
    ratios = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for label, fast, ref in all_cases:
            fast()  # warm-up
            t_fast, a = _best(fast, repeats)
            t_ref, b = _best(ref, 1 if quick else 2)
            ratio = t_ref / t_fast
            ratios.append(ratio)
            flag = "" if ratio >= 500 else "  (< 500x)"
            print(f"{label:{width}s} {1e3 * t_fast:11.3f} {1e3 * t_ref:10.1f} {ratio:8.0f}x {_deviation(a, b):8.3f}{flag}",
                  flush=True)
    print("-" * len(header))
    print(f"min speed-up {min(ratios):.0f}x, geometric mean {float(np.exp(np.mean(np.log(ratios)))):.0f}x")


if __name__ == "__main__":
    run(quick=False)

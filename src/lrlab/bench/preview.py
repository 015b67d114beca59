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

LR0 = 0.1


def cases(steps: int) -> list[tuple[str, Callable[[], Schedule], Callable[[], Schedule]]]:
    """(label, preview call, torch call) for every scheduler and two compositions over ``steps`` steps."""
    singles: list[tuple[str, str, dict[str, Any]]] = [
        ("StepLR", "StepLR", {"step_size": steps // 4, "gamma": 0.5}),
        ("MultiStepLR", "MultiStepLR", {"milestones": [steps // 2, 3 * steps // 4, 3 * steps // 4]}),
        ("ExponentialLR", "ExponentialLR", {"gamma": 1 - 5.0 / steps}),
        ("CosineAnnealingLR", "CosineAnnealingLR", {"T_max": steps, "eta_min": 1e-4}),
        ("CosineAnnealingLR periodic", "CosineAnnealingLR", {"T_max": steps // 20}),
        ("CosineAnnealingWarmRestarts", "CosineAnnealingWarmRestarts", {"T_0": steps // 30, "T_mult": 2}),
        ("CyclicLR triangular2", "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": steps // 20,
                                              "mode": "triangular2"}),
        ("CyclicLR exp_range", "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": steps // 20,
                                            "mode": "exp_range", "gamma": 1 - 1.0 / steps}),
        ("OneCycleLR", "OneCycleLR", {"max_lr": 1.0, "total_steps": steps}),
        ("OneCycleLR three_phase", "OneCycleLR", {"max_lr": 1.0, "total_steps": steps, "three_phase": True,
                                                  "anneal_strategy": "linear"}),
        ("LinearLR", "LinearLR", {"start_factor": 0.01, "total_iters": steps // 10}),
    ]
    out: list[tuple[str, Callable[[], Schedule], Callable[[], Schedule]]] = [
        (label, (lambda n=name, p=p: preview(n, steps, lr=LR0, **p)),
         (lambda n=name, p=p: torch_schedule(n, steps, lr=LR0, **p)))
        for label, name, p in singles
    ]
    warm = steps // 20
    seq = [("LinearLR", {"start_factor": 0.01, "total_iters": warm}),
           ("CosineAnnealingLR", {"T_max": steps - warm, "eta_min": 1e-5})]
    chain = [("LinearLR", {"start_factor": 0.01, "total_iters": warm}), ("ExponentialLR", {"gamma": 1 - 3.0 / steps})]
    out.append(("SequentialLR(Linear->Cosine)", lambda: preview_sequential(seq, [warm], steps, lr=LR0),
                lambda: torch_sequential(seq, [warm], steps, lr=LR0)))
    out.append(("ChainedScheduler(Linear, Exp)", lambda: preview_chained(chain, steps, lr=LR0),
                lambda: torch_chained(chain, steps, lr=LR0)))
    vec = {"lr_lambda": lambda t: np.minimum((t + 1) / 1000, np.sqrt(1000 / (t + 1)))}
    scalar = {"lr_lambda": lambda t: min((t + 1) / 1000, (1000 / (t + 1)) ** 0.5)}
    for label, p in (("LambdaLR (vectorised lambda)", vec), ("LambdaLR (scalar-only lambda)", scalar)):
        out.append((label, (lambda p=p: preview("LambdaLR", steps, lr=LR0, **p)),
                    (lambda p=p: torch_schedule("LambdaLR", steps, lr=LR0, **p))))
    metric = plateau_metric(steps - 1)
    for label, p in (("ReduceLROnPlateau", {"patience": 10}),
                     ("ReduceLROnPlateau min_lr, cooldown", {"patience": 50, "cooldown": 200, "factor": 0.7,
                                                             "min_lr": 1e-4})):
        out.append((label, (lambda p=p: preview_plateau(metric, lr=LR0, **p)),
                    (lambda p=p: torch_plateau(metric, lr=LR0, **p))))
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
    tol = 1e-12 * LR0 + 1e-9 * np.abs(b.lr)
    dev = float(np.max(np.abs(a.lr - b.lr) / tol))
    if a.momentum is not None and b.momentum is not None:
        dev = max(dev, float(np.max(np.abs(a.momentum - b.momentum) / (1e-12 + 1e-9 * np.abs(b.momentum)))))
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

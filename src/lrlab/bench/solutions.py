"""Benchmark: per-step cost of the reference ``schedulers`` (solutions/) against torch.optim.lr_scheduler.

For every scheduler both implementations drive an identical optimizer (SGD with momentum, or Adam, with
several param groups) and ``step()`` is timed in the same process, timeit-style: the best of several
repeats, each ``number`` consecutive steps, with ours and torch's repeats interleaved so that load on the
machine affects both alike. The table shows microseconds per step and the ratio ours/torch (target <= 1).
"""

from __future__ import annotations

import itertools
import timeit
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

N_GROUPS = 3

# name -> (optimizer kind, factory(module, optimizer) -> scheduler). Horizons are large so that no
# scheduler runs out of steps (OneCycleLR raises past total_steps) while being timed.
CASES: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "StepLR": ("sgd", lambda M, o: M.StepLR(o, step_size=30, gamma=0.5)),
    "MultiStepLR": ("sgd", lambda M, o: M.MultiStepLR(o, milestones=[100, 500, 2000], gamma=0.5)),
    "ExponentialLR": ("sgd", lambda M, o: M.ExponentialLR(o, gamma=0.9999)),
    "CosineAnnealingLR": ("sgd", lambda M, o: M.CosineAnnealingLR(o, T_max=1000, eta_min=1e-5)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=2)),
    "LinearLR": ("sgd", lambda M, o: M.LinearLR(o, start_factor=0.1, total_iters=10**7)),
    "LambdaLR": ("sgd", lambda M, o: M.LambdaLR(o, lambda t: 1.0 / (1.0 + 1e-3 * t))),
    "CyclicLR": ("sgd", lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=500)),
    "CyclicLR (Adam, exp_range)": (
        "adam",
        lambda M, o: M.CyclicLR(o, 0.001, 0.01, step_size_up=500, mode="exp_range", gamma=0.9999),
    ),
    "OneCycleLR": ("sgd", lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=10**8)),
    "OneCycleLR (Adam, 3 phase)": (
        "adam",
        lambda M, o: M.OneCycleLR(
            o, max_lr=0.01, total_steps=10**8, three_phase=True, anneal_strategy="linear"
        ),
    ),
    "SequentialLR": (
        "sgd",
        lambda M, o: M.SequentialLR(
            o, [M.LinearLR(o, start_factor=0.1, total_iters=100), M.CosineAnnealingLR(o, T_max=1000)], [100]
        ),
    ),
    "ChainedScheduler": (
        "sgd",
        lambda M, o: M.ChainedScheduler([M.ExponentialLR(o, gamma=0.9999), M.StepLR(o, step_size=50)]),
    ),
    "ReduceLROnPlateau": ("sgd", lambda M, o: M.ReduceLROnPlateau(o, patience=5, min_lr=1e-6)),
}


def make_optimizer(kind: str, n_groups: int = N_GROUPS) -> Any:
    """An optimizer with ``n_groups`` param groups (lr 0.1, 0.05, ...): ``kind`` 'sgd' (momentum) or 'adam'."""
    import torch

    if kind not in ("sgd", "adam"):
        raise ValueError(f"kind must be 'sgd' or 'adam', got {kind!r}")
    groups = [{"params": [torch.nn.Parameter(torch.zeros(4))], "lr": 0.1 / (i + 1)} for i in range(n_groups)]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    return torch.optim.Adam(groups, lr=0.1)


def _stepper(name: str, scheduler: Any) -> Callable[[], None]:
    """The per-step call; ReduceLROnPlateau gets a metric that keeps plateauing (a cycle of values)."""
    if name == "ReduceLROnPlateau":
        metrics = itertools.cycle([1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.25])
        return lambda: scheduler.step(next(metrics))
    return scheduler.step


def time_case(name: str, modules: dict[str, ModuleType], number: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds per ``step()`` for each module in ``modules`` (label -> module)."""
    if number < 1 or repeat < 1:
        raise ValueError(f"number and repeat must be >= 1, got {number} and {repeat}")
    kind, factory = CASES[name]
    steppers = {}
    for label, module in modules.items():
        steppers[label] = _stepper(name, factory(module, make_optimizer(kind)))
    best = dict.fromkeys(modules, float("inf"))
    for _ in range(repeat):
        for label, stepper in steppers.items():
            elapsed = timeit.Timer(stepper).timeit(number)
            best[label] = min(best[label], elapsed / number)
    return best


def run(quick: bool = False) -> None:
    """Print, for every scheduler, microseconds per ``step()`` for solutions and torch and their ratio."""
    import torch.optim.lr_scheduler as torch_schedulers

    from lrlab.paths import use_schedulers

    ours = use_schedulers("solutions")
    number, repeat = (500, 3) if quick else (3000, 7)
    print(f"per-step cost of step(), best of {repeat} x {number} steps, {N_GROUPS} param groups")
    header = f"{'scheduler':<30} {'solutions us':>13} {'torch us':>10} {'ours/torch':>11}"
    print(header)
    print("-" * len(header))
    ratios = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's order/deprecation warnings; ours emits none
        for name in CASES:
            best = time_case(name, {"ours": ours, "torch": torch_schedulers}, number, repeat)
            ratio = best["ours"] / best["torch"]
            ratios.append(ratio)
            flag = "" if ratio <= 1.0 else "  > 1"
            print(f"{name:<30} {best['ours'] * 1e6:>13.2f} {best['torch'] * 1e6:>10.2f} {ratio:>11.2f}{flag}")
    print(f"worst ratio {max(ratios):.2f}, median {sorted(ratios)[len(ratios) // 2]:.2f} (target <= 1.0)")

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

from lrlab import catalog, stepping

N_GROUPS = 3

# Horizons are large so that no scheduler runs out of steps (OneCycleLR raises past total_steps) while timed.
HORIZON = 10**8


def cases() -> dict[str, tuple[str, Callable[[Any, Any], Any]]]:
    """label -> (optimizer kind, factory(module, optimizer) -> scheduler): every catalog scheduler with its
    opening values over ``HORIZON`` steps on SGD, and the momentum cyclers once more on Adam."""
    out = {name: ("sgd", catalog.example(name, HORIZON)) for name in catalog.SCHEDULERS}
    for name in catalog.names(cycles_momentum=True):
        out[f"{name} (Adam)"] = ("adam", catalog.example(name, HORIZON))
    return out


def make_optimizer(kind: str, n_groups: int = N_GROUPS) -> Any:
    """An optimizer with ``n_groups`` param groups (lr 0.1, 0.05, ...): ``kind`` 'sgd' (momentum) or 'adam'."""
    return stepping.make_optimizer([0.1 / (i + 1) for i in range(n_groups)], optimizer=kind, momentum=0.9)


def _stepper(name: str, scheduler: Any) -> Callable[[], None]:
    """The per-step call; a metric-driven scheduler gets a metric that keeps plateauing (a cycle of values)."""
    if catalog.get(name.split(" ")[0]).family == "plateau":
        metrics = itertools.cycle([1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.25])
        return lambda: scheduler.step(next(metrics))
    return scheduler.step


def time_case(name: str, modules: dict[str, ModuleType], number: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds per ``step()`` for each module in ``modules`` (label -> module)."""
    if number < 1 or repeat < 1:
        raise ValueError(f"number and repeat must be >= 1, got {number} and {repeat}")
    kind, factory = cases()[name]
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
    from lrlab.paths import use_schedulers

    ours = use_schedulers("solutions")
    torch_ns = catalog.torch_namespace()
    number, repeat = (500, 3) if quick else (3000, 7)
    print(f"per-step cost of step(), best of {repeat} x {number} steps, {N_GROUPS} param groups")
    header = f"{'scheduler':<30} {'solutions us':>13} {'torch us':>10} {'ours/torch':>11}"
    print(header)
    print("-" * len(header))
    ratios = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's order/deprecation warnings; ours emits none
        for name in cases():
            best = time_case(name, {"ours": ours, "torch": torch_ns}, number, repeat)
            ratio = best["ours"] / best["torch"]
            ratios.append(ratio)
            flag = "" if ratio <= 1.0 else "  > 1"
            print(f"{name:<30} {best['ours'] * 1e6:>13.2f} {best['torch'] * 1e6:>10.2f} {ratio:>11.2f}{flag}")
    print(f"worst ratio {max(ratios):.2f}, median {sorted(ratios)[len(ratios) // 2]:.2f} (target <= 1.0)")

"""Run the same model, seeds and budget under several schedules and compare them with 95% intervals.

Every schedule runs on seeds ``seed, seed+1, ..., seed+seeds-1`` (init and shuffling); the table gives the mean
and the t-based 95% CI of the final validation accuracy and loss, and each schedule's paired difference to
the schedule with the best mean, with "no significant difference" where that interval contains 0.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from lrlab.training._checks import check_bool, check_choice, check_int
from lrlab.training.loop import STEP_EVERY, History, train

TABLE_COLUMNS = ("schedule", "final_val_acc", "best_val_acc", "final_val_loss", "final_train_loss", "seconds")


@dataclass
class Comparison:
    """``runs``: schedule name -> History (insertion order kept); ``figure``: the drawn comparison or None."""

    runs: dict[str, History]
    figure: Any = field(default=None, compare=False, repr=False)
    seed_runs: dict[str, list[History]] = field(default_factory=dict)

    def values(self, name: str, metric: str = "final_val_acc") -> list[float]:
        """``metric`` (a History property) of schedule ``name``, one value per seed."""
        return [float(getattr(h, metric)) for h in self.seed_runs.get(name) or [self.runs[name]]]

    def summary(self, metric: str = "final_val_acc") -> dict[str, Any]:
        """name -> stats.Summary (mean, 95% CI) of ``metric`` over seeds (needs >= 2 seeds)."""
        from lrlab.experiments.stats import summarize

        return {name: summarize(self.values(name, metric)) for name in self.runs}

    def verdicts(self, metric: str = "final_val_acc") -> dict[str, str]:
        """name -> verdict of its paired difference to the best-mean schedule ("no significant difference"...)."""
        from lrlab.experiments.stats import difference

        best = self.best(metric)
        out = {best: "best mean"}
        for name in self.runs:
            if name != best:
                d = difference(self.values(name, metric), self.values(best, metric))
                out[name] = (f"{'worse' if d.significant else 'no significant difference'} "
                             f"(diff {100 * d.diff:+.2f} ± {100 * d.se:.2f} pts, z={d.z:.1f})")
        return out

    def table(self) -> list[dict[str, Any]]:
        """One row per run: schedule, final/best validation accuracy, final val/train loss, seconds."""
        return [
            {
                "schedule": name,
                "final_val_acc": h.final_val_acc,
                "best_val_acc": h.best_val_acc,
                "final_val_loss": h.final_val_loss,
                "final_train_loss": h.final_train_loss,
                "seconds": h.seconds,
            }
            for name, h in self.runs.items()
        ]

    def format_table(self) -> str:
        """Aligned text: per schedule, mean ± 95% CI half-width of final val accuracy (%) and val loss over the
        seeds, and the verdict against the best mean (no winner marked on one seed)."""
        n = len(next(iter(self.seed_runs.values()))) if self.seed_runs else 1
        width = max([len("schedule")] + [len(k) for k in self.runs])
        head = f"{'schedule':<{width}}  final val acc (95% CI)  val loss (95% CI)  vs best mean ({n} seeds)"
        lines = [head, "-" * len(head)]
        if n < 2:
            for name, h in self.runs.items():
                lines.append(f"{name:<{width}}  {100 * h.final_val_acc:7.2f}% (1 seed: no interval)  "
                             f"{h.final_val_loss:.4f}")
            return "\n".join(lines)
        acc, loss, ver = self.summary(), self.summary("final_val_loss"), self.verdicts()
        for name in self.runs:
            a, l_ = acc[name], loss[name]
            lines.append(f"{name:<{width}}  {100 * a.mean:6.2f} ± {100 * (a.hi - a.mean):4.2f}%        "
                         f"{l_.mean:.4f} ± {l_.hi - l_.mean:.4f}   {ver[name]}")
        return "\n".join(lines)

    def best(self, metric: str = "final_val_acc") -> str:
        """Name of the schedule with the highest mean ``metric`` over seeds (first one on ties); this is not a
        winner unless ``verdicts()`` says the others are worse."""
        def key(k: str) -> tuple[bool, float]:
            v = [x for x in self.values(k, metric) if math.isfinite(x)]
            return (bool(v), sum(v) / len(v) if v else -math.inf)
        return max(self.runs, key=key)

    def plot(self, **kwargs: Any):
        """Draw loss curves, LR curves and the accuracy table; see ``plots.plot_comparison``."""
        from lrlab.training.plots import plot_comparison

        self.figure = plot_comparison(self, **kwargs)
        return self.figure

    def __str__(self) -> str:
        return self.format_table()


def compare_schedules(
    schedules: Mapping[str, Callable[..., Any] | None | tuple[Callable[..., Any] | None, str]],
    *,
    seeds: int = 5,
    plot: bool = True,
    progress: bool = False,
    **train_kwargs: Any,
) -> Comparison:
    """Train once per schedule with identical model, seed, data and budget; return a ``Comparison``.

    ``schedules`` maps a name to a scheduler factory (``lambda optimizer: ...``), None (constant LR), or a
    pair ``(factory, "batch" | "epoch")`` that overrides ``step_every`` for that run (e.g. per-epoch StepLR
    next to per-batch OneCycleLR). ``train_kwargs`` go to ``train`` (epochs, lr, optimizer, seed, ...).
    With ``plot`` the comparison is drawn (``Comparison.figure``).
    """
    if not isinstance(schedules, Mapping):
        raise TypeError(f"schedules must be a dict name -> factory/None/(factory, step_every), not {type(schedules).__name__}")
    if not schedules:
        raise ValueError("schedules must name at least one schedule, got an empty mapping")
    plot = check_bool("plot", plot)
    seeds = check_int("seeds", seeds, minimum=1, maximum=100)
    first_seed = check_int("seed", train_kwargs.pop("seed", 0), minimum=0)
    progress = check_bool("progress", progress)
    if "scheduler" in train_kwargs:
        raise TypeError("compare_schedules() takes the schedulers in `schedules`, not a `scheduler` argument")
    default_every = train_kwargs.pop("step_every", "epoch")
    check_choice("step_every", default_every, STEP_EVERY)
    plan: list[tuple[str, Callable[..., Any] | None, str]] = []
    for name, spec in schedules.items():
        if not isinstance(name, str):
            raise TypeError(f"schedules keys must be str names, got {type(name).__name__}")
        every = default_every
        if isinstance(spec, tuple):
            if len(spec) != 2:
                raise ValueError(f"schedules[{name!r}] must be a pair (factory, step_every), got {len(spec)} items")
            spec, every = spec
            check_choice(f"schedules[{name!r}] step_every", every, STEP_EVERY)
        if spec is not None and not callable(spec):
            raise TypeError(f"schedules[{name!r}] must be a factory `lambda optimizer: ...` or None, not {type(spec).__name__}")
        plan.append((name, spec, every))

    from tqdm.auto import tqdm

    model = train_kwargs.pop("model", "mlp")
    seed_runs: dict[str, list[History]] = {}
    for name, factory, every in tqdm(plan, desc="schedules", disable=not progress, leave=False):
        seed_runs[name] = []
        for s in range(first_seed, first_seed + seeds):
            run_model = copy.deepcopy(model) if isinstance(model, nn.Module) else model
            seed_runs[name].append(train(factory, step_every=every, model=run_model, seed=s, **train_kwargs))
    result = Comparison(runs={k: v[0] for k, v in seed_runs.items()}, seed_runs=seed_runs)
    if plot:
        result.plot()
    return result

"""Run the same model, seed and budget under several schedules and compare the results."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from lrlab.training._checks import check_bool, check_choice
from lrlab.training.loop import STEP_EVERY, History, train

TABLE_COLUMNS = ("schedule", "final_val_acc", "best_val_acc", "final_val_loss", "final_train_loss", "seconds")


@dataclass
class Comparison:
    """``runs``: schedule name -> History (insertion order kept); ``figure``: the drawn comparison or None."""

    runs: dict[str, History]
    figure: Any = field(default=None, compare=False, repr=False)

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
        """The table as aligned text (accuracies in %), best final accuracy marked with '*'."""
        rows = self.table()
        best = max((r["final_val_acc"] for r in rows if math.isfinite(r["final_val_acc"])), default=math.nan)
        width = max([len("schedule")] + [len(r["schedule"]) for r in rows])
        head = f"{'schedule':<{width}}  final acc  best acc  val loss  train loss  seconds"
        lines = [head, "-" * len(head)]
        for r in rows:
            mark = "*" if r["final_val_acc"] == best else " "
            lines.append(
                f"{r['schedule']:<{width}}  {100 * r['final_val_acc']:7.2f}%{mark} {100 * r['best_val_acc']:7.2f}%"
                f"  {r['final_val_loss']:8.4f}  {r['final_train_loss']:10.4f}  {r['seconds']:7.2f}"
            )
        return "\n".join(lines)

    def best(self) -> str:
        """Name of the run with the highest final validation accuracy (first one on ties)."""
        return max(self.runs, key=lambda k: (math.isfinite(self.runs[k].final_val_acc), self.runs[k].final_val_acc))

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
    runs: dict[str, History] = {}
    for name, factory, every in tqdm(plan, desc="schedules", disable=not progress, leave=False):
        run_model = copy.deepcopy(model) if isinstance(model, nn.Module) else model
        runs[name] = train(factory, step_every=every, model=run_model, **train_kwargs)
    result = Comparison(runs=runs)
    if plot:
        result.plot()
    return result

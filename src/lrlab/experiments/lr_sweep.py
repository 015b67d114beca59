"""Does the shape matter once the LR is right? Tune each schedule's peak LR over a small grid, then compare the
schedules at their own best LR, on fresh seeds.

Protocol: for every schedule and every peak LR in ``lrs``, train the digits MLP on the tuning seeds
``0..seeds-1`` and average the final validation loss; a grid cell where any seed diverged (non-finite loss) is
not eligible. Each schedule's best LR is the eligible cell with the lowest mean. Then every schedule runs at its
best LR on ``seeds`` fresh seeds (``seeds..2*seeds-1``): choosing the LR and measuring it on the same seeds would
favour the schedule whose best cell was luckiest. The final comparison is paired by seed against the schedule
with the best mean, with "no significant difference" where the 95% CI of the difference contains 0. A fresh
seed that diverges at the chosen LR counts as chance level (loss log 10, accuracy 10%).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrlab.experiments.stats import Summary, difference, summarize, verdict
from lrlab.training._checks import check_choice, check_int
from lrlab.training.loop import STEP_EVERY, train

#: a schedule as a function of its peak LR: ``peak -> (lambda optimizer: scheduler)`` or ``peak -> None``
#: (constant). The optimizer's LR is set to the peak too (OneCycleLR/CyclicLR overwrite it from max_lr).
ScheduleOfPeak = Callable[[float], Any]


@dataclass
class SweepResult:
    """``grid[name]``: (len(lrs), seeds) final val loss on the tuning seeds (NaN: diverged); ``best_lr[name]``;
    ``final[name]``: {"val_loss", "val_acc"} (seeds,) at the best LR on the fresh seeds."""

    lrs: np.ndarray
    grid: dict[str, np.ndarray]
    best_lr: dict[str, float]
    final: dict[str, dict[str, np.ndarray]]
    seeds: int
    epochs: int

    @property
    def names(self) -> list[str]:
        return list(self.grid)

    def cell(self, name: str, i: int) -> Summary | None:
        """Summary of the grid cell (schedule ``name``, ``lrs[i]``), None when a seed diverged."""
        v = self.grid[name][i]
        return summarize(v) if np.all(np.isfinite(v)) else None

    def best(self) -> str:
        """The schedule with the lowest mean validation loss at its own best LR (not a winner by itself)."""
        return min(self.names, key=lambda n: float(np.mean(self.final[n]["val_loss"])))

    def verdicts(self) -> dict[str, str]:
        """name -> verdict of its paired difference (val loss) to the best-mean schedule, at the tuned LRs."""
        best = self.best()
        out = {best: "best mean"}
        for name in self.names:
            if name != best:
                d = difference(self.final[name]["val_loss"], self.final[best]["val_loss"])
                out[name] = verdict(d, name, best, higher_is_better=False)
        return out

    def __str__(self) -> str:
        width = max(len(n) for n in self.names)
        head = f"{'schedule':<{width}}  " + "".join(f"{f'lr {lr:g}':>16}" for lr in self.lrs)
        lines = [f"tuning: final val loss, mean ± 95% CI half-width over seeds 0-{self.seeds - 1} "
                 f"({self.epochs} epochs; 'diverged' if a seed did)", head, "-" * len(head)]
        for name in self.names:
            cells = []
            for i in range(len(self.lrs)):
                s = self.cell(name, i)
                cells.append(f"{'diverged':>16}" if s is None else f"{s.mean:>9.4f} ± {s.hi - s.mean:<5.3f}")
            lines.append(f"{name:<{width}}  " + "".join(cells))
        lines.append("")
        lines.append(f"at each schedule's own best LR, fresh seeds {self.seeds}-{2 * self.seeds - 1}:")
        ver = self.verdicts()
        for name in self.names:
            loss, acc = summarize(self.final[name]["val_loss"]), summarize(100 * self.final[name]["val_acc"])
            lines.append(f"  {name:<{width}}  lr {self.best_lr[name]:<6g} val loss {loss.format(digits=3):<16} "
                         f"val acc {acc.format(digits=4)}%   {ver[name]}")
        return "\n".join(lines)

    def plot(self, ax=None):
        """Validation loss against the peak LR (log x), mean and 95% CI per schedule; the best LR circled."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
        for k, name in enumerate(self.names):
            cells = [(lr, self.cell(name, i)) for i, lr in enumerate(self.lrs)]
            ok = [(lr, s) for lr, s in cells if s is not None]
            if ok:
                x = np.array([lr for lr, _ in ok])
                m = np.array([s.mean for _, s in ok])
                err = np.array([s.hi - s.mean for _, s in ok])
                ax.errorbar(x, m, yerr=err, color=f"C{k}", marker="o", ms=4, capsize=3, label=name)
                ax.plot([self.best_lr[name]], [m[list(x).index(self.best_lr[name])]], "o", ms=11, mfc="none",
                        color=f"C{k}")
            for lr, s in cells:
                if s is None:
                    ax.axvline(lr, color=f"C{k}", ls=":", alpha=0.5)
        ax.set(xscale="log", yscale="log", xlabel="peak LR", ylabel="final validation loss",
               title=f"LR sweep ({self.seeds} seeds per point, 95% CI; dotted: a seed diverged)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        return ax.figure


def _val(h) -> tuple[float, float]:
    loss, acc = float(h.final_val_loss), float(h.final_val_acc)
    return (loss, acc) if math.isfinite(loss) else (math.nan, math.nan)


def sweep_schedules(schedules: Mapping[str, ScheduleOfPeak], lrs: Sequence[float], *, seeds: int = 5,
                    epochs: int = 2, step_every: str = "batch", **train_kwargs: Any) -> SweepResult:
    """Tune each schedule's peak LR over ``lrs`` (``seeds`` tuning seeds each), then run it at its best LR on
    ``seeds`` fresh seeds; ``train_kwargs`` go to ``lrlab.training.train`` (momentum, optimizer, ...)."""
    if not isinstance(schedules, Mapping) or not schedules:
        raise ValueError("schedules must be a non-empty dict name -> (peak LR -> factory or None)")
    for name, f in schedules.items():
        if not callable(f):
            raise TypeError(f"schedules[{name!r}] must be a function of the peak LR, got {type(f).__name__}")
    grid_lrs = np.asarray(sorted(float(x) for x in lrs))
    if grid_lrs.size < 2 or not np.all(np.isfinite(grid_lrs)) or np.any(grid_lrs <= 0):
        raise ValueError(f"lrs must hold at least 2 positive LRs, got {list(lrs)!r}")
    seeds = check_int("seeds", seeds, minimum=3)
    epochs = check_int("epochs", epochs, minimum=1)
    check_choice("step_every", step_every, STEP_EVERY)
    for bad in ("lr", "seed", "epochs", "scheduler"):
        if bad in train_kwargs:
            raise TypeError(f"sweep_schedules() sets {bad!r} itself")

    def run(f: ScheduleOfPeak, peak: float, seed: int) -> tuple[float, float]:
        return _val(train(f(peak), lr=peak, epochs=epochs, seed=seed, step_every=step_every, **train_kwargs))

    grid: dict[str, np.ndarray] = {}
    best_lr: dict[str, float] = {}
    final: dict[str, dict[str, np.ndarray]] = {}
    for name, f in schedules.items():
        g = np.array([[run(f, lr, s)[0] for s in range(seeds)] for lr in grid_lrs])
        grid[name] = g
        ok = np.all(np.isfinite(g), axis=1)
        if not ok.any():
            raise ValueError(f"{name} diverged at every LR of the grid {grid_lrs.tolist()}: try smaller LRs")
        means = np.array([row.mean() if fine else np.inf for row, fine in zip(g, ok, strict=True)])
        best_lr[name] = float(grid_lrs[int(np.argmin(means))])
        out = np.array([run(f, best_lr[name], s) for s in range(seeds, 2 * seeds)])
        if not np.all(np.isfinite(out)):
            out = np.where(np.isfinite(out), out, np.array([math.log(10), 0.1]))  # diverged: chance level
        final[name] = {"val_loss": out[:, 0], "val_acc": out[:, 1]}
    return SweepResult(grid_lrs, grid, best_lr, final, seeds, epochs)

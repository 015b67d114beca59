"""Warmup-stable-decay branching on the digits MLP: one trunk, short decays branched from its stable phase,
each compared with a cosine run of the same total budget (same seeds).

Schedule (HF's ``get_wsd_schedule`` formula, ``lrlab.modern.wsd``): for a budget of N optimizer steps, warmup W
steps, stable until ``N - D`` with ``D = round(decay_frac * N)``, then a 1-sqrt decay to 0 (Hägele et al. 2024's
cooldown). The cosine run is HF's ``get_cosine_schedule_with_warmup`` (``lrlab.modern.cosine_with_warmup``) with
the same W and N. Both are torch ``LambdaLR``s of those formulas, stepped per batch by ``lrlab.training.train``.

Branching is exact here, not simulated: training is deterministic per seed (seeded init and shuffling, fixed
threads), and the WSD schedules of every budget agree up to the shortest budget's decay start, so the run of
budget N *is* the trunk continued to ``N - D`` and then decayed. ``shared_prefix`` checks it: each branch's
recorded LRs and batch losses equal the longest run's, bit for bit, up to the branch's decay start; the cosine
runs of different budgets part from each other right after the warmup.

Peak LR: tuned per schedule on held-out seeds (one peak for the WSD trunk, one per cosine budget), see
``run_wsd_branches``: at one shared peak the comparison measures the peak, not the schedule (measured, 8 seeds:
at 0.05 and 0.1 every WSD branch beats its cosine run, WSD's LR stays at the peak for 80% of the run where
cosine averages half of it; at 0.5 cosine wins the longer budgets). Metric: final validation loss (lower is
better) and accuracy, per seed; WSD - cosine paired by seed, 95% CI (``lrlab.experiments.stats``),
"no significant difference" when the CI contains 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from torch.optim.lr_scheduler import LambdaLR

from lrlab import modern
from lrlab.checks import check_float, check_int
from lrlab.experiments.stats import Difference, Summary, difference, summarize, verdict
from lrlab.training.data import load_digits_data, steps_per_epoch
from lrlab.training.loop import train

BATCH = 64


@dataclass(frozen=True)
class Branch:
    """One budget: ``epochs``, ``steps`` (N), the WSD decay start (the branch point on the trunk), per-seed
    final validation loss/accuracy of the WSD branch and of the cosine run of the same budget."""

    epochs: int
    steps: int
    decay_start: int
    wsd_loss: np.ndarray
    cosine_loss: np.ndarray
    wsd_acc: np.ndarray
    cosine_acc: np.ndarray

    def summary(self, metric: str = "loss") -> tuple[Summary, Summary, Difference]:
        """(WSD, cosine, WSD - cosine paired by seed) for ``metric`` "loss" or "acc"."""
        a, b = (self.wsd_loss, self.cosine_loss) if metric == "loss" else (self.wsd_acc, self.cosine_acc)
        return summarize(a), summarize(b), difference(a, b, paired=True)

    def verdict(self, metric: str = "loss") -> str:
        """The stats verdict for WSD vs cosine on ``metric``."""
        d = self.summary(metric)[2]
        return verdict(d, f"WSD branch ({self.epochs} ep)", f"cosine ({self.epochs} ep)",
                       higher_is_better=metric == "acc")


@dataclass(frozen=True)
class WSDBranchResult:
    """Every budget's ``Branch``, the LR curves (name -> LR per step, seed 0), the warmup length, the seeds,
    ``shared_prefix`` (True when every branch equals the longest run bit for bit up to its decay start), the step
    where the first two cosine runs part, the peak LR each run used and the tuning table (run -> peak -> mean
    final validation loss on the held-out tuning seeds; NaN when only one peak was given)."""

    branches: tuple[Branch, ...]
    lr: dict[str, np.ndarray]
    warmup: int
    seeds: int
    shared_prefix: bool
    cosine_part_at: int
    peak: dict[str, float]
    tuning: dict[str, dict[float, float]]

    def table(self) -> str:
        """One line per budget: mean ± 95% CI half-width of the final validation loss and accuracy, the paired
        difference and the verdict on the loss."""
        lines = [f"{'budget':>8} {'branch at':>9}  {'WSD val loss':>16} {'cosine val loss':>16}  "
                 f"{'diff (95% CI)':>24}  {'WSD acc':>14} {'cosine acc':>14}  verdict (loss)"]
        for b in self.branches:
            sw, sc, d = b.summary("loss")
            aw, ac, _ = b.summary("acc")
            lines.append(
                f"{b.epochs:>5} ep {b.decay_start:>9}  {sw.format():>16} {sc.format():>16}  "
                f"{d.diff:>+9.4f} [{d.lo:+.4f}, {d.hi:+.4f}]  {aw.format(100, 4):>13}% {ac.format(100, 4):>13}%  "
                f"{'no significant difference' if not d.significant else b.verdict('loss')}")
        cos = ", ".join(f"{k.split()[1]} ep {v:g}" for k, v in self.peak.items() if k.startswith("cosine"))
        wsd = next(v for k, v in self.peak.items() if k.startswith("WSD"))
        lines.append(f"peak LR (best on held-out seeds): WSD trunk {wsd:g}; cosine {cos}")
        lines.append(f"({self.seeds} seeds, paired by seed; every branch equals the trunk up to its branch point: "
                     f"{self.shared_prefix}; cosine runs of different budgets part at step {self.cosine_part_at})")
        return "\n".join(lines)

    def plot(self, axes=None):
        """The LR of the trunk's branches and the cosine runs (left), final validation loss per seed (right)."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(12, 3.8), constrained_layout=True)
        for k, b in enumerate(self.branches):
            axes[0].plot(self.lr[f"WSD {b.epochs} ep"], color=f"C{k}", label=f"WSD, branch at step {b.decay_start}")
            axes[0].plot(self.lr[f"cosine {b.epochs} ep"], color=f"C{k}", ls=":", label=f"cosine, {b.steps} steps")
            for j, (vals, dx) in enumerate(((b.wsd_loss, -0.1), (b.cosine_loss, 0.1))):
                axes[1].scatter(np.full(vals.size, k + dx), vals, color=f"C{k}", marker="o" if j == 0 else "x",
                                label=("WSD" if j == 0 else "cosine") if k == 0 else None)
        axes[0].set(xlabel="optimizer step", ylabel="learning rate", title="one WSD trunk, decays branched from it")
        axes[1].set(xticks=range(len(self.branches)), xticklabels=[f"{b.epochs} ep" for b in self.branches],
                    ylabel="final validation loss", title=f"per seed ({self.seeds} seeds): WSD (o) vs cosine (x)")
        for ax in axes:
            ax.grid(alpha=0.3)
            ax.legend(fontsize="small")
        return axes[0].figure


def _wsd_factory(warmup: int, total: int, decay: int):
    stable = total - warmup - decay
    return lambda o: LambdaLR(o, lambda t: float(modern.wsd(t, 1.0, warmup, stable, decay, decay_type="1-sqrt")))


def _cosine_factory(warmup: int, total: int):
    return lambda o: LambdaLR(o, lambda t: float(modern.cosine_with_warmup(t, 1.0, warmup, total)))


def _first_difference(a: Sequence[float], b: Sequence[float]) -> int:
    n = min(len(a), len(b))
    diff = np.flatnonzero(np.asarray(a[:n]) != np.asarray(b[:n]))
    return int(diff[0]) if diff.size else n


def _runs(factory, epochs: int, lr: float, seeds: Sequence[int], data) -> list:
    return [train(factory, lr=lr, momentum=0.9, epochs=epochs, seed=s, step_every="batch", data=data,
                  batch_size=BATCH) for s in seeds]


def run_wsd_branches(*, budgets: Sequence[int] = (10, 20, 30), seeds: int = 5, peaks: Sequence[float] = (0.1, 0.2, 0.3),
                     tune_seeds: int = 3, warmup_epochs: int = 1, decay_frac: float = 0.2) -> WSDBranchResult:
    """WSD branches with budgets ``budgets`` (epochs, increasing) vs cosine runs of the same budgets.

    Peak LR: each schedule gets its best peak from ``peaks`` (lowest mean final validation loss), chosen on
    ``tune_seeds`` seeds (1000, 1001, ...) that the comparison does not use. WSD has one trunk, so one peak for
    every branch (the mean over budgets); each cosine run is a run of its own, so each budget gets its own
    best peak (the baseline is favoured, if anything). The comparison then runs seeds 0..seeds-1.
    """
    seeds = check_int("seeds", seeds, minimum=2)
    tune_seeds = check_int("tune_seeds", tune_seeds, minimum=1)
    peaks = [check_float(f"peaks[{i}]", v, gt=0.0) for i, v in enumerate(peaks)]
    if not peaks:
        raise ValueError("peaks must hold at least one peak LR")
    warmup_epochs = check_int("warmup_epochs", warmup_epochs, minimum=0)
    decay_frac = check_float("decay_frac", decay_frac, gt=0.0, le=1.0)
    budgets = [check_int(f"budgets[{i}]", b, minimum=1) for i, b in enumerate(budgets)]
    if len(budgets) < 2 or any(b <= a for a, b in zip(budgets, budgets[1:], strict=False)):
        raise ValueError(f"budgets must be at least 2 increasing epoch counts, got {budgets}")
    spe = steps_per_epoch(BATCH)
    warmup = warmup_epochs * spe
    data = load_digits_data()
    plan = []
    for epochs in budgets:
        total = epochs * spe
        decay = max(1, round(decay_frac * total))
        if total - decay < warmup:
            raise ValueError(f"a budget of {epochs} epochs leaves no stable phase after {warmup_epochs} warmup "
                             f"epoch(s) with decay_frac={decay_frac}")
        plan.append((epochs, total, decay))
    factories = {("WSD", e): _wsd_factory(warmup, n, d) for e, n, d in plan}
    factories.update({("cosine", e): _cosine_factory(warmup, n) for e, n, _ in plan})

    tuning: dict[str, dict[float, float]] = {}
    held_out = range(1000, 1000 + tune_seeds)
    for (kind, epochs), f in factories.items():
        tuning[f"{kind} {epochs} ep"] = {
            lr: float(np.mean([h.final_val_loss for h in _runs(f, epochs, lr, held_out, data)])) if len(peaks) > 1
            else math.nan for lr in peaks}
    wsd_mean = {lr: float(np.mean([tuning[f"WSD {e} ep"][lr] for e in budgets])) for lr in peaks}
    wsd_peak = min(peaks, key=lambda lr: wsd_mean[lr]) if len(peaks) > 1 else peaks[0]
    peak = {f"WSD {e} ep": wsd_peak for e in budgets}
    for e in budgets:
        row = tuning[f"cosine {e} ep"]
        peak[f"cosine {e} ep"] = min(peaks, key=lambda lr, row=row: row[lr]) if len(peaks) > 1 else peaks[0]

    runs = {f"{kind} {e} ep": _runs(f, e, peak[f"{kind} {e} ep"], range(seeds), data)
            for (kind, e), f in factories.items()}
    trunk = runs[f"WSD {budgets[-1]} ep"]
    shared = True
    branches = []
    for epochs, total, decay in plan:
        wsd_runs, cos_runs = runs[f"WSD {epochs} ep"], runs[f"cosine {epochs} ep"]
        start = total - decay
        for h, ht in zip(wsd_runs, trunk, strict=True):
            shared &= h.lr[:start] == ht.lr[:start] and h.loss[:start] == ht.loss[:start]
        branches.append(Branch(
            epochs, total, start,
            np.array([h.final_val_loss for h in wsd_runs]), np.array([h.final_val_loss for h in cos_runs]),
            np.array([h.final_val_acc for h in wsd_runs]), np.array([h.final_val_acc for h in cos_runs])))
    cos_a, cos_b = runs[f"cosine {budgets[0]} ep"][0].lr, runs[f"cosine {budgets[1]} ep"][0].lr
    return WSDBranchResult(tuple(branches), {k: np.array(v[0].lr) for k, v in runs.items()}, warmup, seeds,
                           bool(shared), _first_difference(cos_a, cos_b), peak, tuning)

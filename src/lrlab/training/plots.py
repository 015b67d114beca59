"""Matplotlib figures for the training lab: one run's History, a comparison of runs, an LR-finder curve.

Each function draws on new pyplot figures (or the ``axes`` given) and returns the Figure; in a notebook end
the cell with ``;`` to avoid showing it twice.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from lrlab.training.compare import Comparison
    from lrlab.training.loop import History
    from lrlab.training.lr_finder import LRFindResult


def _ema(values: list[float], beta: float = 0.9) -> np.ndarray:
    """Debiased EMA for a legible per-step loss: a_i = beta*a_{i-1} + (1-beta)*x_i, s_i = a_i/(1-beta^(i+1))."""
    out = np.empty(len(values))
    avg = 0.0
    for i, v in enumerate(values):
        avg = beta * avg + (1 - beta) * v
        out[i] = avg / (1 - beta ** (i + 1))
    return out


def _epoch_x(history: History) -> np.ndarray:
    """Step index at the end of each epoch (for drawing per-epoch values on the step axis)."""
    spe = max(history.steps_per_epoch, 1)
    return np.minimum(np.arange(1, history.epochs + 1) * spe, max(history.steps, 1))


def plot_history(history: History, *, axes: Any = None, title: str | None = None):
    """Four panels: loss (per step + per-epoch train/val), validation accuracy, LR per step, momentum per step."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(2, 2, figsize=(10, 6), constrained_layout=True)
    axes = np.asarray(axes).ravel()
    if axes.size != 4:
        raise ValueError(f"axes must hold 4 Axes (loss, accuracy, lr, momentum), got {axes.size}")
    fig = axes[0].figure
    steps = np.arange(history.steps)
    ex = _epoch_x(history)
    ax_loss, ax_acc, ax_lr, ax_mom = axes
    ax_loss.plot(steps, history.loss, color="0.75", lw=0.8, label="batch loss")
    ax_loss.plot(ex, history.train_loss, "o-", label="train loss (epoch)")
    ax_loss.plot(ex, history.val_loss, "s-", label="val loss (epoch)")
    ax_loss.set(xlabel="optimizer step", ylabel="cross-entropy", title="loss")
    ax_loss.legend(fontsize="small")
    ax_acc.plot(np.arange(1, history.epochs + 1), [100 * a for a in history.val_acc], "o-", color="C2")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy (%)", title="accuracy")
    ax_lr.plot(steps, history.lr, color="C3")
    ax_lr.set(xlabel="optimizer step", ylabel="learning rate", title="learning rate")
    ax_mom.plot(steps, history.momentum, color="C4")
    ax_mom.set(xlabel="optimizer step", ylabel="momentum / beta1", title="momentum")
    for ax in axes:
        ax.grid(alpha=0.3)
    if title is None:
        title = str(history.config.get("scheduler", "")).rsplit(".", 1)[-1]
    if title:
        fig.suptitle(title)
    return fig


def plot_comparison(comparison: Comparison, *, axes: Any = None, smooth: float = 0.9):
    """Three panels: train loss per step (debiased EMA, ``smooth`` = beta) with val loss per epoch, LR per
    step, and a table of final/best validation accuracy per schedule."""
    import matplotlib.pyplot as plt

    if not 0.0 <= smooth < 1.0:
        raise ValueError(f"smooth must be in [0, 1), got {smooth}")
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(14, 4), constrained_layout=True,
                                 gridspec_kw={"width_ratios": [1.2, 1.2, 0.9]})
    axes = np.asarray(axes).ravel()
    if axes.size != 3:
        raise ValueError(f"axes must hold 3 Axes (loss, lr, table), got {axes.size}")
    fig = axes[0].figure
    ax_loss, ax_lr, ax_tab = axes
    for k, (name, h) in enumerate(comparison.runs.items()):
        color = f"C{k % 10}"
        runs = comparison.seed_runs.get(name) or [h]
        same = all(r.steps == h.steps for r in runs)
        if len(runs) >= 2 and same:  # mean over seeds with its 95% band
            from lrlab.experiments.plots import band

            band(ax_loss, np.arange(h.steps), np.array([_ema(r.loss, smooth) for r in runs]), color,
                 f"{name} (train, {len(runs)} seeds)")
            val = np.array([r.val_loss for r in runs]) if all(r.epochs == h.epochs for r in runs) else None
            ax_loss.plot(_epoch_x(h), h.val_loss if val is None else val.mean(0), "o--", color=color, ms=3, lw=0.8)
        else:
            ax_loss.plot(np.arange(h.steps), _ema(h.loss, smooth), color=color, lw=1.2, label=f"{name} (train)")
            ax_loss.plot(_epoch_x(h), h.val_loss, "o--", color=color, ms=3, lw=0.8)
        ax_lr.plot(np.arange(h.steps), h.lr, color=color, label=name)
    ax_loss.set(xlabel="optimizer step", ylabel="cross-entropy", title="train loss (EMA), val loss (dashed)")
    ax_loss.set_yscale("log")
    ax_loss.legend(fontsize="small")
    ax_lr.set(xlabel="optimizer step", ylabel="learning rate", title="learning rate")
    ax_lr.legend(fontsize="small")
    for ax in (ax_loss, ax_lr):
        ax.grid(alpha=0.3)
    ax_tab.axis("off")
    n = min((len(v) for v in comparison.seed_runs.values()), default=1)
    if n >= 2:
        acc, loss = comparison.summary(), comparison.summary("final_val_loss")
        cells = [[k, f"{100 * acc[k].mean:.2f} ± {100 * (acc[k].hi - acc[k].mean):.2f}%",
                  f"{loss[k].mean:.3f} ± {loss[k].hi - loss[k].mean:.3f}"] for k in comparison.runs]
        labels = ["schedule", f"final acc (95% CI, {n} seeds)", "val loss (95% CI)"]
    else:
        rows = comparison.table()
        cells = [[r["schedule"], _pct(r["final_val_acc"]), f"{r['final_val_loss']:.3f}"] for r in rows]
        labels = ["schedule", "final acc (1 seed)", "val loss"]
    table = ax_tab.table(cellText=cells, colLabels=labels, loc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1.0, 1.4)
    ax_tab.set_title("validation accuracy")
    return fig


def _pct(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{100 * x:.2f}%"


def plot_lr_find(result: LRFindResult, *, ax: Any = None, skip_end: int = 5, show_raw: bool = False):
    """Smoothed loss vs LR on a log x axis (last ``skip_end`` points dropped, as fastai does) with the
    valley / steep / minimum points marked and listed in the legend."""
    import matplotlib.pyplot as plt

    if isinstance(skip_end, bool) or not isinstance(skip_end, int) or skip_end < 0:
        raise ValueError(f"skip_end must be an int >= 0, got {skip_end!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    fig = ax.figure
    n = len(result.lrs) - skip_end if skip_end and len(result.lrs) > skip_end else len(result.lrs)
    if show_raw:
        ax.plot(result.lrs[:n], result.raw_losses[:n], color="0.8", lw=0.8, label="batch loss")
    ax.plot(result.lrs[:n], result.losses[:n], color="C0", label="smoothed loss")
    labels = {"valley": "valley", "steep": "steep", "minimum": "minimum/10 (marked at the minimum)"}
    for k, (name, pt) in enumerate(result.points.items()):
        if pt is None:
            continue
        value = result.suggestions[name]
        ax.plot(pt[0], pt[1], "o", color=f"C{k + 1}", ms=8, label=f"{labels.get(name, name)}: {value:.2e}")
    ax.set_xscale("log")
    ax.set(xlabel="learning rate (log scale)", ylabel="smoothed loss", title="LR range test")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return fig

"""Step decay's staircase and warm restarts' spikes in the digits training loss, over seeds.

Staircase: StepLR(gamma=0.1) stepped per epoch drops the LR at epoch boundaries; the batch loss falls at once
(the noise floor is lower at the smaller LR). Metric: mean batch loss of the epoch after the first decay minus
the epoch before it, StepLR vs the constant LR (same seeds). Restarts: CosineAnnealingWarmRestarts stepped per
batch jumps back to the base LR; metric: mean batch loss over the ``window`` steps after the restart minus the
``window`` steps before, SGDR vs a single cosine over the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch.optim.lr_scheduler import CosineAnnealingLR, CosineAnnealingWarmRestarts, StepLR

from lrlab.training._checks import check_float, check_int
from lrlab.training.data import steps_per_epoch
from lrlab.training.loop import train


@dataclass
class CurvesResult:
    """``loss``/``lr``: name -> (seeds, steps) arrays; ``jump``: name -> per-seed loss change at the event."""

    loss: dict[str, np.ndarray]
    lr: dict[str, np.ndarray]
    jump: dict[str, np.ndarray]
    event_step: int
    title: str

    def plot(self, axes=None):
        """Batch loss (mean and 95% band over seeds, log y) and the LR, per schedule."""
        import matplotlib.pyplot as plt

        from lrlab.experiments.plots import band

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(12, 3.8), constrained_layout=True)
        for k, (name, v) in enumerate(self.loss.items()):
            band(axes[0], np.arange(v.shape[1]), v, f"C{k}", name)
            axes[1].plot(self.lr[name][0], color=f"C{k}", label=name)
        axes[0].axvline(self.event_step, color="0.5", ls=":")
        axes[0].set(yscale="log", xlabel="optimizer step", ylabel="batch loss",
                    title=f"{self.title} ({self.loss[next(iter(self.loss))].shape[0]} seeds, 95% band)")
        axes[1].set(xlabel="optimizer step", ylabel="learning rate", title="learning rate")
        for ax in axes:
            ax.grid(alpha=0.3)
            ax.legend(fontsize="small")
        return axes[0].figure


def _runs(factories: dict, seeds: int, epochs: int, lr: float, every: str) -> tuple[dict, dict]:
    loss, lrs = {}, {}
    for name, f in factories.items():
        hs = [train(f, lr=lr, momentum=0.9, epochs=epochs, seed=s, step_every=every) for s in range(seeds)]
        loss[name] = np.array([h.loss for h in hs])
        lrs[name] = np.array([h.lr for h in hs])
    return loss, lrs


def run_staircase(*, seeds: int = 5, epochs: int = 8, lr: float = 0.2) -> CurvesResult:
    """StepLR(step_size=epochs//2, gamma=0.1) vs constant; jump = loss(epoch after) - loss(epoch before)."""
    seeds = check_int("seeds", seeds, minimum=2)
    epochs = check_int("epochs", epochs, minimum=4)
    lr = check_float("lr", lr, gt=0.0)
    spe, half = steps_per_epoch(64), epochs // 2
    loss, lrs = _runs({"constant": None, "StepLR(gamma=0.1)": lambda o: StepLR(o, step_size=half, gamma=0.1)},
                      seeds, epochs, lr, "epoch")
    b = half * spe
    jump = {k: v[:, b:b + spe].mean(1) - v[:, b - spe:b].mean(1) for k, v in loss.items()}
    return CurvesResult(loss, lrs, jump, b, "step decay: the staircase")


def run_restarts(*, seeds: int = 5, epochs: int = 8, lr: float = 0.2, window: int = 10) -> CurvesResult:
    """SGDR(T_0 = half the steps) vs one cosine; jump = loss(``window`` steps after restart) - loss(before)."""
    seeds = check_int("seeds", seeds, minimum=2)
    epochs = check_int("epochs", epochs, minimum=2)
    lr = check_float("lr", lr, gt=0.0)
    window = check_int("window", window, minimum=1)
    total = epochs * steps_per_epoch(64)
    t0 = total // 2
    loss, lrs = _runs({"cosine (no restart)": lambda o: CosineAnnealingLR(o, T_max=total),
                       "SGDR restart at half": lambda o: CosineAnnealingWarmRestarts(o, T_0=t0)},
                      seeds, epochs, lr, "batch")
    jump = {k: v[:, t0:t0 + window].mean(1) - v[:, t0 - window:t0].mean(1) for k, v in loss.items()}
    return CurvesResult(loss, lrs, jump, t0, "warm restart: the loss spike")

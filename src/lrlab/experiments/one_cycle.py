"""1cycle under a short budget with the peak LR controlled for: OneCycleLR(max_lr=M), cosine starting at M
and a constant M, all stepped per batch on the digits MLP (SGD, momentum 0.9), same seeds and budget.
Metric: final validation loss (lower is better) and accuracy, per seed."""

from __future__ import annotations

import numpy as np
from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR

from lrlab.training._checks import check_float, check_int
from lrlab.training.data import steps_per_epoch
from lrlab.training.loop import train


def run_one_cycle(*, peak: float = 0.5, epochs: int = 2, seeds: int = 5) -> dict[str, dict[str, np.ndarray]]:
    """name -> {"val_loss": (seeds,), "val_acc": (seeds,)} for 1cycle, cosine at the same peak, constant peak."""
    peak = check_float("peak", peak, gt=0.0)
    epochs = check_int("epochs", epochs, minimum=1)
    seeds = check_int("seeds", seeds, minimum=2)
    total = epochs * steps_per_epoch(64)
    plan = {
        f"1cycle max_lr={peak:g}": lambda o: OneCycleLR(o, max_lr=peak, total_steps=total),
        f"cosine from {peak:g}": lambda o: CosineAnnealingLR(o, T_max=total),
        f"constant {peak:g}": None,
    }
    out = {}
    for name, f in plan.items():
        hs = [train(f, lr=peak, momentum=0.9, epochs=epochs, seed=s, step_every="batch") for s in range(seeds)]
        out[name] = {"val_loss": np.array([h.final_val_loss for h in hs]),
                     "val_acc": np.array([h.final_val_acc for h in hs])}
    return out

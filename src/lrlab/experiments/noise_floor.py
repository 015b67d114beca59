"""SGD's noise floor on linear regression: at a constant LR eta the loss stops at a floor proportional to eta;
decaying eta lowers it (the noisy quadratic model, Zhang et al. 2019).

Data: x ~ N(0, I_d), y = x.w* + sigma*eps. SGD on L(w) = 1/2 E[(x.w - y)^2] with mini-batches of size B:
w <- w - eta_t * g_t. Near w*, the stationary excess loss is about eta * sigma^2 * tr(H) / (4 B) for small eta
(H = I here), so halving eta halves the floor; a decayed eta_t ends below the constant-eta floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrlab.training._checks import check_float, check_int


@dataclass
class NoiseFloorResult:
    """``curves``: name -> array (seeds, steps) of the excess loss L(w_t) - L(w*); ``lrs``: name -> LR per step."""

    curves: dict[str, np.ndarray]
    lrs: dict[str, np.ndarray]
    seeds: int

    def final(self, name: str, tail: int = 100) -> np.ndarray:
        """Per-seed mean excess loss over the last ``tail`` steps."""
        return self.curves[name][:, -tail:].mean(axis=1)

    def plot(self, ax=None):
        """Excess loss over steps (log y), mean and 95% band over seeds, per schedule."""
        import matplotlib.pyplot as plt

        from lrlab.experiments.plots import band

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
        for k, (name, c) in enumerate(self.curves.items()):
            band(ax, np.arange(c.shape[1]), c, f"C{k}", name)
        ax.set(yscale="log", xlabel="SGD step", ylabel="excess loss L(w) - L(w*)",
               title=f"noise floor (mean and 95% band over {self.seeds} seeds)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        return ax.figure


def run_noise_floor(lr: float = 0.1, *, steps: int = 3000, seeds: int = 5, dim: int = 10, batch_size: int = 4,
                    sigma: float = 1.0) -> NoiseFloorResult:
    """SGD from w=0 (w* ~ N(0, I)) under: constant lr, constant lr/2, constant lr/4, and a step decay lr -> lr/10
    at 50% and lr/100 at 75% of the steps. Returns the excess loss 1/2|w - w*|^2 (H = I) per step and seed."""
    lr = check_float("lr", lr, gt=0.0, le=0.5)
    steps = check_int("steps", steps, minimum=20)
    seeds = check_int("seeds", seeds, minimum=2)
    dim = check_int("dim", dim, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    sigma = check_float("sigma", sigma, gt=0.0)
    t = np.arange(steps)
    schedules = {
        f"constant {lr:g}": np.full(steps, lr),
        f"constant {lr / 2:g}": np.full(steps, lr / 2),
        f"constant {lr / 4:g}": np.full(steps, lr / 4),
        f"step decay {lr:g} -> /10 -> /100": lr * np.where(t < steps // 2, 1.0, np.where(t < 3 * steps // 4, 0.1, 0.01)),
    }
    curves = {}
    for name, eta in schedules.items():
        rng = np.random.default_rng(12345)  # same seeds (w*, data noise) for every schedule: paired
        w_star = rng.standard_normal((seeds, dim))
        w = np.zeros((seeds, dim))
        out = np.empty((seeds, steps))
        for i in range(steps):
            x = rng.standard_normal((seeds, batch_size, dim))
            y = np.einsum("sbd,sd->sb", x, w_star) + sigma * rng.standard_normal((seeds, batch_size))
            r = np.einsum("sbd,sd->sb", x, w) - y
            g = np.einsum("sb,sbd->sd", r, x) / batch_size
            w = w - eta[i] * g
            out[:, i] = 0.5 * ((w - w_star) ** 2).sum(axis=1)
        curves[name] = out
    return NoiseFloorResult(curves, schedules, seeds)

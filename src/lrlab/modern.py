"""Reference formulas of the schedules modern training uses and torch lacks (pure functions of t, numpy).

Index convention (as everywhere in lrlab): value ``t`` is the LR after ``t`` calls to ``scheduler.step()``,
i.e. the LR of optimizer update ``t + 1``. Every function returns an ndarray of LRs for the int array ``t``.

Sources: HF transformers ``src/transformers/optimization.py`` (v5.24.0, checked in tests against the installed
library), timm ``timm/scheduler/cosine_lr.py`` and ``scheduler.py`` (transcribed from commit aa4b585 as an
independent oracle in tests/test_modern.py, and checked against timm 1.0.31's own classes in
tests/test_modern_timm.py when timm is installed), Vaswani et al. 2017 ("Attention Is All You Need", eq. 3).
Papers behind the schedules: WSD, Hu et al. 2024 ("MiniCPM: Unveiling the Potential of Small Language Models
with Scalable Training Strategies") and Hägele et al. 2024 ("Scaling Laws and Compute-Optimal Training Beyond
Fixed Training Durations", which proposes the 1-sqrt cooldown); cosine with restarts, Loshchilov & Hutter 2017
("SGDR: Stochastic Gradient Descent with Warm Restarts", the paper timm's CosineLRScheduler cites); k-decay,
Zhang 2020 ("k-decay: A New Method For Learning Rate Schedule", arXiv:2004.05909, the paper timm's k_decay
cites); schedule-free, Defazio et al. 2024 ("The Road Less Scheduled").
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

WSD_SHAPES = ("linear", "cosine", "1-sqrt")


def _steps(t: Any) -> np.ndarray:
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"t must be an int or an array of ints (steps), got dtype {arr.dtype}")
    if np.any(arr < 0):
        raise ValueError("t must be >= 0 (steps after construction)")
    return arr.astype(np.int64)


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return int(value)


def _real(name: str, value: Any, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return float(value)


def inverse_sqrt_paper(t: Any, lr: float, warmup_steps: int) -> np.ndarray:
    """Vaswani et al. 2017, normalised: ``lr * min(s / w, sqrt(w / s))`` with ``s = t + 1`` (the step number).

    The paper's ``d_model**-0.5 * min(s**-0.5, s * w**-1.5)`` is this with ``lr = (d_model * w)**-0.5``
    (peak at s = w). It never returns 0: the first update uses ``lr / w``.
    """
    s = _steps(t) + 1.0
    w = _int("warmup_steps", warmup_steps, 1)
    return _real("lr", lr, 0.0) * np.minimum(s / w, np.sqrt(w / s))


def noam(t: Any, d_model: int, warmup_steps: int, factor: float = 1.0) -> np.ndarray:
    """The paper's eq. 3 verbatim: ``factor * d_model**-0.5 * min(s**-0.5, s * w**-1.5)``, ``s = t + 1``."""
    s = _steps(t) + 1.0
    d, w = _int("d_model", d_model, 1), _int("warmup_steps", warmup_steps, 1)
    return factor * d**-0.5 * np.minimum(s**-0.5, s * w**-1.5)


def inverse_sqrt_hf(t: Any, lr: float, warmup_steps: int, timescale: float | None = None) -> np.ndarray:
    """HF ``get_inverse_sqrt_schedule``: ``lr * t / w`` for ``t < w``, else ``lr / sqrt((t + tau - w) / tau)``.

    ``tau = timescale`` (default ``w``, or 10000 when ``w == 0``). With ``tau = w`` this is
    ``lr * min(t / w, sqrt(w / t))``: the paper's form shifted by one step (HF starts at 0, peaks at t = w).
    """
    t = _steps(t).astype(float)
    w = _int("warmup_steps", warmup_steps, 0)
    tau = float(timescale) if timescale is not None else float(w or 10_000)
    if tau <= 0:
        raise ValueError(f"timescale must be > 0, got {timescale}")
    warm = t / max(1, w)
    decay = 1.0 / np.sqrt(np.maximum(t + (tau - w), 0.0) / tau, where=t >= w, out=np.ones_like(t))
    return _real("lr", lr, 0.0) * np.where(t < w, warm, decay)


def _shape(kind: str, progress: np.ndarray, *, rising: bool, num_cycles: float = 0.5) -> np.ndarray:
    if kind not in WSD_SHAPES:
        raise ValueError(f"shape must be one of {WSD_SHAPES}, got {kind!r}")
    if rising:
        if kind == "linear":
            return progress
        if kind == "cosine":
            return 0.5 * (1.0 - np.cos(np.pi * progress))
        return 1.0 - np.sqrt(1.0 - progress)
    if kind == "linear":
        return 1.0 - progress
    if kind == "cosine":
        return 0.5 * (1.0 + np.cos(np.pi * num_cycles * 2.0 * progress))
    return 1.0 - np.sqrt(progress)


def wsd(
    t: Any, lr: float, warmup_steps: int, stable_steps: int, decay_steps: int, *,
    warmup_type: str = "linear", decay_type: str = "cosine", min_lr_ratio: float = 0.0, num_cycles: float = 0.5,
) -> np.ndarray:
    """Warmup-stable-decay as HF ``get_wsd_schedule`` (Hu et al. 2024 MiniCPM; Hägele et al. 2024).

    r = min_lr_ratio. Warmup (t < W): ``r + (1 - r) * rise(t / W)``; stable (t < W + S): 1; decay
    (t < W + S + D): ``r + (1 - r) * fall(p)``, ``p = (t - W - S) / D``; after: r. Shapes: linear
    (p, 1 - p), cosine ((1 - cos pi p)/2, (1 + cos 2 pi c p)/2, c = num_cycles), 1-sqrt (1 - sqrt(1 - p), 1 - sqrt p).
    Result clipped at >= 0 and multiplied by ``lr``.
    """
    t = _steps(t).astype(float)
    W, S, D = _int("warmup_steps", warmup_steps, 0), _int("stable_steps", stable_steps, 0), _int("decay_steps", decay_steps, 0)
    r = _real("min_lr_ratio", min_lr_ratio, 0.0, 1.0)
    up = np.clip(t / max(1, W), 0.0, 1.0)
    down = np.clip((t - W - S) / max(1, D), 0.0, 1.0)
    f_up = np.maximum(0.0, _shape(warmup_type, up, rising=True) * (1.0 - r) + r)
    f_down = np.maximum(0.0, _shape(decay_type, down, rising=False, num_cycles=num_cycles) * (1.0 - r) + r)
    out = np.where(t < W, f_up, np.where(t < W + S, 1.0, np.where(t < W + S + D, f_down, r)))
    return _real("lr", lr, 0.0) * out


def linear_with_warmup(t: Any, lr: float, warmup_steps: int, total_steps: int) -> np.ndarray:
    """Linear decay to zero, HF ``get_linear_schedule_with_warmup``: ``t / W`` then ``max(0, (N - t) / (N - W))``."""
    t = _steps(t).astype(float)
    W, N = _int("warmup_steps", warmup_steps, 0), _int("total_steps", total_steps, 0)
    return _real("lr", lr, 0.0) * np.where(t < W, t / max(1, W), np.maximum(0.0, (N - t) / max(1, N - W)))


def cosine_with_warmup(
    t: Any, lr: float, warmup_steps: int, total_steps: int, *, min_lr_rate: float = 0.0, num_cycles: float = 0.5
) -> np.ndarray:
    """HF ``get_cosine_with_min_lr_schedule_with_warmup`` (``min_lr_rate = 0``: ``get_cosine_schedule_with_warmup``).

    ``t / W`` for t < W, else ``max(0, r + (1 - r) (1 + cos(2 pi c p)) / 2)``, ``p = (t - W) / max(1, N - W)``,
    r = min_lr_rate, c = num_cycles. Periodic past N (not clamped), as in HF.
    """
    t = _steps(t).astype(float)
    W, N = _int("warmup_steps", warmup_steps, 0), _int("total_steps", total_steps, 0)
    r = _real("min_lr_rate", min_lr_rate, 0.0, 1.0)
    p = (t - W) / max(1, N - W)
    f = np.maximum(0.0, 0.5 * (1.0 + np.cos(np.pi * num_cycles * 2.0 * p)) * (1 - r) + r)
    return _real("lr", lr, 0.0) * np.where(t < W, t / max(1, W), f)


def timm_cosine(
    t: Any, lr: float, t_initial: int, *, lr_min: float = 0.0, cycle_mul: float = 1.0, cycle_decay: float = 1.0,
    cycle_limit: int = 1, warmup_t: int = 0, warmup_lr_init: float = 0.0, warmup_prefix: bool = False,
    k_decay: float = 1.0,
) -> np.ndarray:
    """timm ``CosineLRScheduler._get_lr`` (noise off) for one group with base LR ``lr``.

    Warmup (t < warmup_t): ``warmup_lr_init + t (lr - warmup_lr_init) / warmup_t``. Then (t -= warmup_t if
    warmup_prefix) cycle i and position: cycle_mul m = 1: ``i = t // T``, ``T_i = T``, ``t_c = t - i T``; else
    ``i = floor(log(1 - t (1 - m) / T) / log m)``, ``T_i = m^i T``, ``t_c = t - (1 - m^i) / (1 - m) T``.
    If i < cycle_limit: ``lr_min + (lr cycle_decay^i - lr_min) (1 + cos(pi t_c^k / T_i^k)) / 2``, else lr_min.
    The restarts are SGDR's (Loshchilov & Hutter 2017); ``t^k / T^k`` is Zhang 2020's k-decay (k = 1: plain cosine).
    """
    ts = _steps(t)
    T = _int("t_initial", t_initial, 1)
    out = np.empty(ts.shape, dtype=float)
    for idx, step in np.ndenumerate(ts):
        out[idx] = _timm_one(int(step), lr, T, lr_min, cycle_mul, cycle_decay, cycle_limit, warmup_t,
                             warmup_lr_init, warmup_prefix, k_decay)
    return out


def _timm_one(t: int, lr: float, T: int, lr_min: float, m: float, decay: float, limit: int, wt: int,
              w_init: float, prefix: bool, k: float) -> float:
    if t < wt:
        return w_init + t * ((lr - w_init) / wt)
    if prefix:
        t = t - wt
    if m == 1:  # equal periods T
        i, t_curr = divmod(t, T)
        t_i = T
    else:  # periods T, T*m, T*m^2, ...: cycle i starts at T*(1 - m^i)/(1 - m)
        i = math.floor(math.log(1 - t / T * (1 - m), m))
        t_curr = t - (1 - m**i) / (1 - m) * T
        t_i = T * m**i
    if i < limit:
        lr_max = lr * decay**i
        return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr**k / t_i**k))
    return lr_min


def timm_noise(t: int, *, noise_pct: float = 0.67, noise_std: float = 1.0, noise_seed: int = 42,
               noise_type: str = "normal") -> float:
    """timm ``Scheduler._calculate_noise``: a torch.Generator seeded ``noise_seed + t``; normal: redraw
    ``randn * noise_std`` until ``|n| < noise_pct``; else ``uniform(-pct, pct)``. The LR becomes ``lr * (1 + n)``.
    (timm 1.0.31 scales the normal draw by ``noise_std``; older timm, e.g. commit aa4b585, stored ``noise_std``
    without using it: the same values at the default ``noise_std=1.0``.)"""
    import torch

    g = torch.Generator()
    g.manual_seed(noise_seed + t)
    if noise_type == "normal":
        while True:
            n = torch.randn(1, generator=g).item() * noise_std
            if abs(n) < noise_pct:
                return n
    return 2 * (torch.rand(1, generator=g).item() - 0.5) * noise_pct


# ---- the same schedules built from torch's own parts ----
HOLD = 2**62  # ConstantLR(total_iters=HOLD): "hold this factor for the rest of the run"


def _torch_warmup(optimizer: Any, warmup_steps: int, start: float = 0.0) -> tuple[list[Any], list[int]]:
    """Warmup ``start + (1 - start) t / W`` from torch parts. LinearLR rejects start_factor 0, so a warmup
    from exactly 0 is ConstantLR(factor=0) for one step, then LinearLR(1/W -> 1) over W - 1 steps."""
    from torch.optim.lr_scheduler import ConstantLR, LinearLR

    if warmup_steps == 0:
        return [], []
    if start > 0:
        return [LinearLR(optimizer, start_factor=start, end_factor=1.0, total_iters=warmup_steps)], [warmup_steps]
    if warmup_steps == 1:
        return [ConstantLR(optimizer, factor=0.0, total_iters=HOLD)], [1]
    return ([ConstantLR(optimizer, factor=0.0, total_iters=HOLD),
             LinearLR(optimizer, start_factor=1.0 / warmup_steps, end_factor=1.0, total_iters=warmup_steps - 1)],
            [1, warmup_steps])


def _sequence(optimizer: Any, parts: list[Any], milestones: list[int]) -> Any:
    from torch.optim.lr_scheduler import SequentialLR

    if len(parts) == 1:
        return parts[0]
    for group in optimizer.param_groups:  # every child's constructor wrote the LR; start from the base
        group["lr"] = group["initial_lr"]
    return SequentialLR(optimizer, parts, milestones=milestones[: len(parts) - 1])


def torch_linear_with_warmup(optimizer: Any, warmup_steps: int, total_steps: int) -> Any:
    """HF ``get_linear_schedule_with_warmup`` as SequentialLR(warmup, LinearLR(1 -> 0, N - W)); equal for every group."""
    from torch.optim.lr_scheduler import LinearLR

    parts, ms = _torch_warmup(optimizer, warmup_steps)
    parts.append(LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=max(1, total_steps - warmup_steps)))
    return _sequence(optimizer, parts, ms)


def torch_cosine_with_warmup(optimizer: Any, warmup_steps: int, total_steps: int, min_lr_rate: float = 0.0) -> Any:
    """HF cosine (with a floor) as SequentialLR(warmup, CosineAnnealingLR(N - W, eta_min)).

    Differs from HF with several groups and ``min_lr_rate > 0``: torch's ``eta_min`` is one absolute LR
    (here ``min_lr_rate`` times group 0's LR), HF's floor is a ratio of each group's LR.
    """
    from torch.optim.lr_scheduler import CosineAnnealingLR

    base = optimizer.param_groups[0]["lr"]
    parts, ms = _torch_warmup(optimizer, warmup_steps)
    parts.append(CosineAnnealingLR(optimizer, T_max=max(1, total_steps - warmup_steps), eta_min=min_lr_rate * base))
    return _sequence(optimizer, parts, ms)


def torch_inverse_sqrt(optimizer: Any, warmup_steps: int, timescale: float | None = None) -> Any:
    """HF inverse sqrt: torch has no such part, so it is a LambdaLR of :func:`inverse_sqrt_hf`."""
    from torch.optim.lr_scheduler import LambdaLR

    return LambdaLR(optimizer, lambda t: float(inverse_sqrt_hf(t, 1.0, warmup_steps, timescale)))


def torch_wsd(optimizer: Any, warmup_steps: int, stable_steps: int, decay_steps: int, *,
              decay_type: str = "linear", min_lr_ratio: float = 0.0) -> Any:
    """HF WSD (linear warmup) from torch parts: warmup, (stable = the warmup's last factor held), decay
    LinearLR(1 -> r) or CosineAnnealingLR(eta_min = r * lr, single group only), then ConstantLR(r) held.
    1-sqrt has no torch part (LambdaLR)."""
    from torch.optim.lr_scheduler import ConstantLR, CosineAnnealingLR, LambdaLR, LinearLR

    r = min_lr_ratio
    base = optimizer.param_groups[0]["lr"]
    parts, ms = _torch_warmup(optimizer, warmup_steps, start=r)
    decay_start = warmup_steps + stable_steps
    if not parts:
        parts, ms = [ConstantLR(optimizer, factor=1.0, total_iters=1)], [0]
    if warmup_steps == 1 and r == 0:  # the warmup part holds 0: add a stable part (factor 1)
        parts.append(ConstantLR(optimizer, factor=1.0, total_iters=1))
        ms.append(1)
    ms[-1] = decay_start
    if decay_type == "linear":
        parts.append(LinearLR(optimizer, start_factor=1.0, end_factor=r, total_iters=max(1, decay_steps)))
    elif decay_type == "cosine":
        parts.append(CosineAnnealingLR(optimizer, T_max=max(1, decay_steps), eta_min=r * base))
    else:
        parts.append(LambdaLR(optimizer, lambda t: float(wsd(t, 1.0, 0, 0, decay_steps, decay_type=decay_type,
                                                               min_lr_ratio=r))))
    parts.append(ConstantLR(optimizer, factor=r, total_iters=HOLD))
    ms.append(decay_start + decay_steps)
    if ms[0] == 0:  # no warmup: drop the placeholder
        parts, ms = parts[1:], ms[1:]
    return _sequence(optimizer, parts, ms)


def torch_timm_cosine(optimizer: Any, t_initial: int, *, lr_min: float = 0.0, warmup_t: int = 0,
                      warmup_lr_init: float = 0.0, cycle_limit: int = 1) -> Any:
    """timm's cosine (warmup_prefix=True, cycle_mul=1, cycle_decay=1, k_decay=1, single group) from torch parts:
    LinearLR warmup, then CosineAnnealingLR (cycle_limit=1; then ConstantLR holds lr_min) or
    CosineAnnealingWarmRestarts (cycle_limit > 1). k-decay, cycle_decay, float cycle_mul, noise and the
    overlay warmup (warmup_prefix=False) have no torch part: use a LambdaLR of :func:`timm_cosine`."""
    from torch.optim.lr_scheduler import ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR

    base = optimizer.param_groups[0]["lr"]
    parts: list[Any] = []
    ms: list[int] = []
    if warmup_t:
        if warmup_lr_init > 0:
            parts.append(LinearLR(optimizer, start_factor=warmup_lr_init / base, total_iters=warmup_t))
            ms.append(warmup_t)
        else:
            parts, ms = _torch_warmup(optimizer, warmup_t)
    if cycle_limit == 1:
        parts.append(CosineAnnealingLR(optimizer, T_max=t_initial, eta_min=lr_min))
        parts.append(ConstantLR(optimizer, factor=lr_min / base, total_iters=HOLD))
        ms.append(warmup_t + t_initial)
    else:
        parts.append(CosineAnnealingWarmRestarts(optimizer, T_0=t_initial, eta_min=lr_min))
        parts.append(ConstantLR(optimizer, factor=lr_min / base, total_iters=HOLD))
        ms.append(warmup_t + t_initial * cycle_limit)
    return _sequence(optimizer, parts, ms)


# ---- toy experiments for chapter 10 ----
def adam_first_updates(seeds: int = 5, steps: int = 200, lr: float = 1e-3, dim: int = 100) -> np.ndarray:
    """Mean ``|delta theta| / lr`` per step of torch's Adam on a noisy quadratic, one row per seed.

    At step 1 Adam's update is ``lr * m / sqrt(v) = lr * sign(g)`` for every coordinate (ratio 1), whatever
    the gradient's size: the second-moment estimate rests on one sample (Liu et al. 2020's variance argument).
    """
    import torch

    out = np.empty((seeds, steps))
    for s in range(seeds):
        gen = torch.Generator().manual_seed(s)
        theta = torch.randn(dim, generator=gen).requires_grad_(True)
        opt = torch.optim.Adam([theta], lr=lr)
        for i in range(steps):
            before = theta.detach().clone()
            noise = 0.5 * torch.randn(dim, generator=gen)
            loss = 0.5 * ((theta - noise) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            out[s, i] = float((theta.detach() - before).abs().mean()) / lr
    return out


def schedule_free_toy(seeds: int = 5, steps: int = 2000, lr: float = 0.02, beta: float = 0.9, dim: int = 20,
                      noise: float = 1.0) -> dict[str, np.ndarray]:
    """Noisy least squares (``E[a a^T] = I``, one sample per step): excess loss ``0.5 |w - w*|^2`` per step.

    Runs: SGD at constant ``lr`` (last iterate), SGD with linear decay to zero over ``steps`` (needs the
    horizon), and schedule-free SGD (Defazio et al. 2024, eqs. for SGD): ``y_t = (1 - beta) z_t + beta x_t``,
    ``z_{t+1} = z_t - lr * grad(y_t)``, ``x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}`` with
    ``c_{t+1} = 1 / (t + 1)`` and ``x_1 = z_1`` (the paper counts from t = 1; the loop below counts updates from
    t = 0, so its weight is ``1 / (t + 2)``: x is the uniform average of every z so far, the start included); the
    loss is read at x.
    Returns name -> array (seeds, steps).
    """
    _int("seeds", seeds, 1)
    _int("steps", steps, 1)
    names = ("SGD, constant LR", "SGD, linear decay to 0", "schedule-free SGD")
    res = {n: np.empty((seeds, steps)) for n in names}
    for s in range(seeds):
        rng = np.random.default_rng(s)
        w_star = rng.normal(size=dim)
        a_all = rng.normal(size=(steps, dim))
        b_all = a_all @ w_star + noise * rng.normal(size=steps)
        w_c = np.zeros(dim)
        w_l = np.zeros(dim)
        z = np.zeros(dim)
        x = np.zeros(dim)
        for t in range(steps):
            a, b = a_all[t], b_all[t]
            w_c -= lr * (a @ w_c - b) * a
            w_l -= lr * (1 - t / steps) * (a @ w_l - b) * a
            y = (1 - beta) * z + beta * x
            z -= lr * (a @ y - b) * a
            c = 1.0 / (t + 2)  # the paper's c_{t+1} = 1/(t+1) for its update t = i + 1
            x = (1 - c) * x + c * z
            for n, w in zip(names, (w_c, w_l, x), strict=True):
                res[n][s, t] = 0.5 * float(np.sum((w - w_star) ** 2))
    return res

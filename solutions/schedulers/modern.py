"""Bonus: schedules torch lacks. ``InverseSqrtLR`` (HF form), ``WarmupStableDecayLR`` (HF's WSD) and
``CosineLR`` (timm's cosine with warmup, k-decay, cycle_mul and cycle_decay; no noise).

Each is a closed form of ``t = last_epoch`` applied to every group's ``base_lr``; the formulas are in
``lrlab.modern`` and chapter 10.
"""

from __future__ import annotations

import math  # noqa: F401 (used by the exercise code)
from typing import Any

from .base import LRScheduler, check_int, check_real  # noqa: F401 (used by the exercise code)

SHAPES = ("linear", "cosine", "1-sqrt")


class InverseSqrtLR(LRScheduler):
    """``lr = base_lr * t / W`` for ``t < W``, else ``base_lr / sqrt((t + tau - W) / tau)`` (HF form; tau = timescale)."""

    def __init__(self, optimizer: Any, warmup_steps: int, timescale: float | None = None, last_epoch: int = -1) -> None:
        """``warmup_steps`` int >= 0; ``timescale`` a number > 0 or None (then ``warmup_steps``, or 10000 if 0).

        Hint: validate (TypeError for a non-number, ValueError for a bad value), store, ``super().__init__``.
        """
        ### BEGIN SOLUTION
        check_int("warmup_steps", warmup_steps, 0)
        if timescale is None:
            timescale = warmup_steps or 10_000
        check_real("timescale", timescale)
        if timescale <= 0:
            raise ValueError(f"timescale must be > 0, got {timescale}")
        self.warmup_steps = warmup_steps
        self.timescale = timescale
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Closed form in ``t = last_epoch`` for every base LR.

        Hint: ``t / max(1, W)`` during warmup, ``1 / math.sqrt((t + tau - W) / tau)`` after.
        """
        ### BEGIN SOLUTION
        t, w, tau = self.last_epoch, self.warmup_steps, self.timescale
        factor = t / max(1, w) if t < w else 1.0 / math.sqrt((t + (tau - w)) / tau)
        return [base_lr * factor for base_lr in self.base_lrs]
        ### END SOLUTION


class WarmupStableDecayLR(LRScheduler):
    """WSD: warmup over W steps, hold for S, decay over D, then hold at ``min_lr_ratio * base_lr``.

    r = min_lr_ratio. Warmup (t < W): ``r + (1 - r) * rise(t / W)``; stable (t < W + S): 1; decay
    (t < W + S + D): ``r + (1 - r) * fall(p)``, ``p = (t - W - S) / D``; after: r. rise: linear p,
    cosine (1 - cos(pi p)) / 2, 1-sqrt 1 - sqrt(1 - p); fall: linear 1 - p, cosine (1 + cos(pi p)) / 2,
    1-sqrt 1 - sqrt(p). (HF ``get_wsd_schedule`` with num_cycles = 0.5.)
    """

    def __init__(
        self, optimizer: Any, warmup_steps: int, stable_steps: int, decay_steps: int,
        warmup_type: str = "linear", decay_type: str = "cosine", min_lr_ratio: float = 0.0, last_epoch: int = -1,
    ) -> None:
        """Steps are ints >= 0; the types are "linear", "cosine" or "1-sqrt"; ``0 <= min_lr_ratio <= 1``.

        Hint: ValueError for an unknown type or a ratio out of range, TypeError for a non-number.
        """
        ### BEGIN SOLUTION
        check_int("warmup_steps", warmup_steps, 0)
        check_int("stable_steps", stable_steps, 0)
        check_int("decay_steps", decay_steps, 0)
        for name, kind in (("warmup_type", warmup_type), ("decay_type", decay_type)):
            if kind not in SHAPES:
                raise ValueError(f"{name} must be one of {SHAPES}, got {kind!r}")
        check_real("min_lr_ratio", min_lr_ratio)
        if not 0.0 <= min_lr_ratio <= 1.0:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {min_lr_ratio}")
        self.warmup_steps, self.stable_steps, self.decay_steps = warmup_steps, stable_steps, decay_steps
        self.warmup_type, self.decay_type, self.min_lr_ratio = warmup_type, decay_type, min_lr_ratio
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def factor(self, t: int) -> float:
        """The multiplier at step ``t`` (the formula in the class docstring).

        Hint: four branches; the shapes are one if/elif each.
        """
        ### BEGIN SOLUTION
        w, s, d, r = self.warmup_steps, self.stable_steps, self.decay_steps, self.min_lr_ratio
        if t < w:
            p = t / max(1, w)
            f = {"linear": p, "cosine": 0.5 * (1.0 - math.cos(math.pi * p)), "1-sqrt": 1.0 - math.sqrt(1.0 - p)}
            return max(0.0, f[self.warmup_type] * (1.0 - r) + r)
        if t < w + s:
            return 1.0
        if t < w + s + d:
            p = (t - w - s) / max(1, d)
            f = {"linear": 1.0 - p, "cosine": 0.5 * (1.0 + math.cos(math.pi * p)), "1-sqrt": 1.0 - math.sqrt(p)}
            return max(0.0, f[self.decay_type] * (1.0 - r) + r)
        return r
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """``base_lr * factor(last_epoch)`` for every group.

        Hint: one list comprehension.
        """
        ### BEGIN SOLUTION
        f = self.factor(self.last_epoch)
        return [base_lr * f for base_lr in self.base_lrs]
        ### END SOLUTION


class CosineLR(LRScheduler):
    """timm-style cosine: linear warmup, then cosine cycles with k-decay, ``cycle_mul`` and ``cycle_decay``.

    Warmup (t < warmup_t): ``warmup_lr_init + t (base - warmup_lr_init) / warmup_t``. Then (t -= warmup_t if
    warmup_prefix) m = cycle_mul: m == 1: ``i = t // T``, ``T_i = T``, ``t_c = t - i T``; else
    ``i = floor(log_m(1 - t (1 - m) / T))``, ``T_i = m^i T``, ``t_c = t - (1 - m^i) / (1 - m) T``.
    If i < cycle_limit: ``lr_min + (base cycle_decay^i - lr_min) (1 + cos(pi t_c^k / T_i^k)) / 2``, else lr_min.
    ``lr_min`` and ``warmup_lr_init`` are absolute LRs shared by every group (as in timm).
    """

    def __init__(
        self, optimizer: Any, t_initial: int, lr_min: float = 0.0, cycle_mul: float = 1.0, cycle_decay: float = 1.0,
        cycle_limit: int = 1, warmup_t: int = 0, warmup_lr_init: float = 0.0, warmup_prefix: bool = False,
        k_decay: float = 1.0, last_epoch: int = -1,
    ) -> None:
        """``t_initial`` int >= 1, ``lr_min >= 0``, ``cycle_mul >= 1``, ``cycle_decay > 0``, ``cycle_limit`` int >= 1,
        ``warmup_t`` int >= 0, ``warmup_lr_init >= 0``, ``warmup_prefix`` a bool, ``k_decay > 0``.

        Hint: TypeError for a wrong type, ValueError for a value out of range.
        """
        ### BEGIN SOLUTION
        check_int("t_initial", t_initial, 1)
        check_int("cycle_limit", cycle_limit, 1)
        check_int("warmup_t", warmup_t, 0)
        for name, value, ok, rule in (
            ("lr_min", lr_min, lambda v: v >= 0, ">= 0"),
            ("cycle_mul", cycle_mul, lambda v: v >= 1, ">= 1"),
            ("cycle_decay", cycle_decay, lambda v: v > 0, "> 0"),
            ("warmup_lr_init", warmup_lr_init, lambda v: v >= 0, ">= 0"),
            ("k_decay", k_decay, lambda v: v > 0, "> 0"),
        ):
            check_real(name, value)
            if not ok(value):
                raise ValueError(f"{name} must be {rule}, got {value}")
        if not isinstance(warmup_prefix, bool):
            raise TypeError(f"warmup_prefix must be a bool, got {warmup_prefix!r}")
        self.t_initial, self.lr_min, self.cycle_mul, self.cycle_decay = t_initial, lr_min, cycle_mul, cycle_decay
        self.cycle_limit, self.warmup_t, self.warmup_lr_init = cycle_limit, warmup_t, warmup_lr_init
        self.warmup_prefix, self.k_decay = warmup_prefix, k_decay
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """The formula in the class docstring at ``t = last_epoch``, for every base LR.

        Hint: ``math.log(x, m)``; compute the cycle (i, T_i, t_c) once, then one list comprehension.
        """
        ### BEGIN SOLUTION
        t = self.last_epoch
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * ((b - self.warmup_lr_init) / self.warmup_t) for b in self.base_lrs]
        if self.warmup_prefix:
            t = t - self.warmup_t
        m, T = self.cycle_mul, self.t_initial
        if m != 1:
            i = math.floor(math.log(1 - t / T * (1 - m), m))
            t_i = m**i * T
            t_curr = t - (1 - m**i) / (1 - m) * T
        else:
            i = t // T
            t_i = T
            t_curr = t - T * i
        if i >= self.cycle_limit:
            return [self.lr_min for _ in self.base_lrs]
        k = self.k_decay
        cos_out = 1 + math.cos(math.pi * t_curr**k / t_i**k)
        return [self.lr_min + 0.5 * (b * self.cycle_decay**i - self.lr_min) * cos_out for b in self.base_lrs]
        ### END SOLUTION

# GENERATED from solutions/schedulers/modern.py by `lrlab build-exercises`: implement the stubs below.
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
        raise NotImplementedError('InverseSqrtLR.__init__ is not implemented yet (schedulers/modern.py)')

    def get_lr(self) -> list[float]:
        """Closed form in ``t = last_epoch`` for every base LR.

        Hint: ``t / max(1, W)`` during warmup, ``1 / math.sqrt((t + tau - W) / tau)`` after.
        """
        raise NotImplementedError('InverseSqrtLR.get_lr is not implemented yet (schedulers/modern.py)')


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
        raise NotImplementedError('WarmupStableDecayLR.__init__ is not implemented yet (schedulers/modern.py)')

    def factor(self, t: int) -> float:
        """The multiplier at step ``t`` (the formula in the class docstring).

        Hint: four branches; the shapes are one if/elif each.
        """
        raise NotImplementedError('WarmupStableDecayLR.factor is not implemented yet (schedulers/modern.py)')

    def get_lr(self) -> list[float]:
        """``base_lr * factor(last_epoch)`` for every group.

        Hint: one list comprehension.
        """
        raise NotImplementedError('WarmupStableDecayLR.get_lr is not implemented yet (schedulers/modern.py)')


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
        raise NotImplementedError('CosineLR.__init__ is not implemented yet (schedulers/modern.py)')

    def get_lr(self) -> list[float]:
        """The formula in the class docstring at ``t = last_epoch``, for every base LR.

        Hint: ``math.log(x, m)``; compute the cycle (i, T_i, t_c) once, then one list comprehension.
        """
        raise NotImplementedError('CosineLR.get_lr is not implemented yet (schedulers/modern.py)')

# GENERATED from solutions/schedulers/cosine.py by `lrlab build-exercises`: implement the stubs below.
"""Cosine annealing: ``CosineAnnealingLR`` (one half-cosine, periodic after) and ``CosineAnnealingWarmRestarts``."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from .base import LRScheduler, check_int, check_real

if TYPE_CHECKING:
    from torch.optim import Optimizer


class CosineAnnealingLR(LRScheduler):
    """``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` (periodic with period 2*T_max)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        """Store ``T_max`` (int >= 1, the half period) and ``eta_min`` (the floor), then run the base constructor.

        Hint: validate, store, ``super().__init__(optimizer, last_epoch)``.
        """
        raise NotImplementedError('CosineAnnealingLR.__init__ is not implemented yet (schedulers/cosine.py)')

    def get_lr(self) -> list[float]:
        """Chainable (recursive) form, t = last_epoch, T = T_max, m = eta_min.

        Initial step: keep ``lr``. At the trough, when ``(t - 1 - T) % (2T) == 0``:
        ``lr_t = lr_{t-1} + (base_lr - m) * (1 - cos(pi / T)) / 2``. Otherwise
        ``lr_t = m + (lr_{t-1} - m) * (1 + cos(pi t / T)) / (1 + cos(pi (t - 1) / T))``.

        Hint: compute the ratio ``(1 + cos(pi*t/T)) / (1 + cos(pi*(t-1)/T))`` once; the trough branch avoids
        dividing by ``1 + cos(pi) == 0``.
        """
        raise NotImplementedError('CosineAnnealingLR.get_lr is not implemented yet (schedulers/cosine.py)')

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        raise NotImplementedError('CosineAnnealingLR._get_closed_form_lr is not implemented yet (schedulers/cosine.py)')


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``, restarting when T_cur hits T_i.

    The first cycle lasts ``T_0`` steps, each next one ``T_mult`` times longer.
    """

    def __init__(
        self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        """Store ``T_0`` (int >= 1), ``T_i = T_0``, ``T_mult`` (int >= 1), ``eta_min`` and ``T_cur = last_epoch``.

        Bad ``T_0``/``T_mult``/``eta_min`` raise ``ValueError`` (like torch, also for a non-int or non-number).
        Hint: set ``T_cur`` before ``super().__init__``, whose initial step reads it.
        """
        raise NotImplementedError('CosineAnnealingWarmRestarts.__init__ is not implemented yet (schedulers/cosine.py)')

    def get_lr(self) -> list[float]:
        """Closed form on the position in the current cycle:
        ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        raise NotImplementedError('CosineAnnealingWarmRestarts.get_lr is not implemented yet (schedulers/cosine.py)')

    def step(self, epoch: float | None = None) -> None:
        """Advance ``T_cur`` (restarting cycles) and write the LRs; ``epoch`` may be fractional.

        No epoch: ``T_cur += 1``; when ``T_cur >= T_i``: ``T_cur = T_cur % T_i`` (a modulo, not one subtraction:
        built with ``last_epoch=k`` the first step lands on ``T_cur = k + 1``, which can be ``2 * T_i`` or more; a
        fraction is kept) and ``T_i *= T_mult`` (once). (The very first call, while ``last_epoch < 0``, is epoch
        0.) With ``epoch`` (a number, ``TypeError`` otherwise; >= 0, else ``ValueError``): for
        ``epoch < T_0``, ``T_i = T_0, T_cur = epoch``; else with ``T_mult == 1``: ``T_cur = epoch % T_0``; else
        ``n = int(log_{T_mult}(epoch / T_0 * (T_mult - 1) + 1))``, ``T_cur = epoch - T_0 (T_mult^n - 1) / (T_mult - 1)``,
        ``T_i = T_0 * T_mult^n``. Then ``last_epoch = floor(epoch)`` and every group's ``lr`` and ``_last_lr``
        are set from ``get_lr()``. (Unlike the base, ``_step_count`` is not incremented, as in torch.)

        Hint: ``math.log(x, base)``.
        """
        raise NotImplementedError('CosineAnnealingWarmRestarts.step is not implemented yet (schedulers/cosine.py)')

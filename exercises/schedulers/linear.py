# GENERATED from solutions/schedulers/linear.py by `lrlab build-exercises`: implement the stubs below.
"""``LinearLR``: scale the LR by a factor that moves linearly from ``start_factor`` to ``end_factor``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LRScheduler, check_int, check_real

if TYPE_CHECKING:
    from torch.optim import Optimizer


class LinearLR(LRScheduler):
    """Linear warmup/decay: ``lr_t = base * (s + (e - s) * min(t, T) / T)``, s/e = start/end factor, T = total_iters."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        """Store the factors and ``total_iters``, then run the base constructor.

        Ranges: ``0 < start_factor <= 1``, ``0 <= end_factor <= 1`` (``ValueError`` like torch), ``total_iters``
        an int >= 0 (0: the LR stays at ``lr * start_factor``, as in torch).

        Hint: validate, store, ``super().__init__(optimizer, last_epoch)``.
        """
        raise NotImplementedError('LinearLR.__init__ is not implemented yet (schedulers/linear.py)')

    def get_lr(self) -> list[float]:
        """Chainable form (t = last_epoch, s/e = start/end factor, T = total_iters).

        t == 0: ``lr_0 = lr * s``. Initial step while resuming, or t > T: keep ``lr``. Otherwise
        ``lr_t = lr_{t-1} * (1 + (e - s) / (T * s + (t - 1) * (e - s)))``, the ratio of consecutive factors.

        Hint: test ``t == 0`` before ``self._is_initial``.
        """
        raise NotImplementedError('LinearLR.get_lr is not implemented yet (schedulers/linear.py)')

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * (s + (e - s) * min(T, t) / T)``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        raise NotImplementedError('LinearLR._get_closed_form_lr is not implemented yet (schedulers/linear.py)')


class ConstantLR(LRScheduler):
    """Constant warmup factor: ``lr_t = base * factor`` for ``t < T``, ``lr_t = base`` for ``t >= T`` (T = total_iters)."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        """Store ``factor`` and ``total_iters``, then run the base constructor.

        Ranges: ``0 <= factor <= 1`` (``ValueError`` like torch; with ``factor == 0`` the step at ``total_iters``
        divides by zero, as in torch), ``total_iters`` an int >= 0.

        Hint: validate, store, ``super().__init__(optimizer, last_epoch)``.
        """
        raise NotImplementedError('ConstantLR.__init__ is not implemented yet (schedulers/linear.py)')

    def get_lr(self) -> list[float]:
        """Chainable form (t = last_epoch, T = total_iters): two events, otherwise the LR is kept.

        t == 0: ``lr_0 = lr * factor``. t == T: ``lr_T = lr_{T-1} * (1.0 / factor)`` (undo the factor).
        Any other t: keep ``lr``. (With T == 0 the undo never happens: the factor stays, as in torch.)

        Hint: compare ``last_epoch`` with 0, then with ``total_iters``; multiply by ``1.0 / factor`` (not divide).
        """
        raise NotImplementedError('ConstantLR.get_lr is not implemented yet (schedulers/linear.py)')

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * (factor + (t >= T) * (1 - factor))``.

        Hint: a bool times a float is 0.0 or the float.
        """
        raise NotImplementedError('ConstantLR._get_closed_form_lr is not implemented yet (schedulers/linear.py)')

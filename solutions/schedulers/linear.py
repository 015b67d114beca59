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
        ### BEGIN SOLUTION
        check_real("start_factor", start_factor)
        check_real("end_factor", end_factor)
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                f"start_factor must be in (0, 1] (greater than 0, at most 1), got {start_factor}"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"end_factor must be in [0, 1], got {end_factor}")
        check_int("total_iters", total_iters, 0)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form (t = last_epoch, s/e = start/end factor, T = total_iters).

        t == 0: ``lr_0 = lr * s``. Initial step while resuming, or t > T: keep ``lr``. Otherwise
        ``lr_t = lr_{t-1} * (1 + (e - s) / (T * s + (t - 1) * (e - s)))``, the ratio of consecutive factors.

        Hint: test ``t == 0`` before ``self._is_initial``.
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        t = self.last_epoch
        if t == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self._is_initial or t > self.total_iters:
            return [group["lr"] for group in groups]
        delta = self.end_factor - self.start_factor
        ratio = 1.0 + delta / (self.total_iters * self.start_factor + (t - 1) * delta)
        return [group["lr"] * ratio for group in groups]
        ### END SOLUTION

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * (s + (e - s) * min(T, t) / T)``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        ### BEGIN SOLUTION
        factor = (
            self.start_factor
            + (self.end_factor - self.start_factor)
            * min(self.total_iters, self.last_epoch)
            / self.total_iters
        )
        return [base_lr * factor for base_lr in self.base_lrs]
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        check_real("factor", factor)
        if factor > 1.0 or factor < 0:
            raise ValueError(
                f"factor must be in [0, 1]: Constant multiplicative factor expected to be between 0 and 1, got {factor}"
            )
        check_int("total_iters", total_iters, 0)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form (t = last_epoch, T = total_iters): two events, otherwise the LR is kept.

        t == 0: ``lr_0 = lr * factor``. t == T: ``lr_T = lr_{T-1} * (1.0 / factor)`` (undo the factor).
        Any other t: keep ``lr``. (With T == 0 the undo never happens: the factor stays, as in torch.)

        Hint: compare ``last_epoch`` with 0, then with ``total_iters``; multiply by ``1.0 / factor`` (not divide).
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        t = self.last_epoch
        if t == 0:
            return [group["lr"] * self.factor for group in groups]
        if t != self.total_iters:
            return [group["lr"] for group in groups]
        return [group["lr"] * (1.0 / self.factor) for group in groups]
        ### END SOLUTION

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * (factor + (t >= T) * (1 - factor))``.

        Hint: a bool times a float is 0.0 or the float.
        """
        ### BEGIN SOLUTION
        reached = self.last_epoch >= self.total_iters
        return [base_lr * (self.factor + reached * (1 - self.factor)) for base_lr in self.base_lrs]
        ### END SOLUTION

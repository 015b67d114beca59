"""``ExponentialLR``: multiply the LR by ``gamma`` every step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LRScheduler, check_real

if TYPE_CHECKING:
    from torch.optim import Optimizer


class ExponentialLR(LRScheduler):
    """Decay every group's LR by ``gamma`` each step: ``lr_t = base_lr * gamma^t``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        """Store ``gamma`` (a number > 0, else ``ValueError``; < 1 decays, > 1 grows), then the base constructor.

        Hint: validate, store, ``super().__init__(optimizer, last_epoch)``.
        """
        ### BEGIN SOLUTION
        check_real("gamma", gamma)
        if gamma <= 0:
            raise ValueError(f"gamma must be > 0 (e.g. 0.95 to decay, 1.05 to grow), got {gamma}")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form: ``lr_t = lr_{t-1} * gamma``; during the constructor's step the LR is kept as is.

        The constructor's step is flagged by ``self._is_initial`` (True only then), not by ``t == 0``: a
        scheduler built with ``last_epoch=k`` to resume must keep the restored LR at step ``k + 1``.

        Hint: check ``self._is_initial`` first.
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        gamma = self.gamma
        return [group["lr"] * gamma for group in groups]
        ### END SOLUTION

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * gamma ** t``.

        Hint: one list comprehension.
        """
        ### BEGIN SOLUTION
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]
        ### END SOLUTION

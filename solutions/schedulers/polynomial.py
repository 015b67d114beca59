"""``PolynomialLR``: decay the LR to 0 over ``total_iters`` steps along ``(1 - t/T)^power``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LRScheduler, check_int, check_real

if TYPE_CHECKING:
    from torch.optim import Optimizer


class PolynomialLR(LRScheduler):
    """Polynomial decay: ``lr_t = base_lr * (1 - min(t, T) / T) ** power`` (T = total_iters; 0 from t = T on)."""

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        """Store ``total_iters`` (an int >= 0) and ``power`` (a number), then run the base constructor.

        ``power`` 1 is a linear decay to 0, 2 a quadratic one; ``total_iters == 0`` keeps the LR constant
        (torch's ``step()`` never divides by it; its closed form does).

        Hint: validate, store, ``super().__init__(optimizer, last_epoch)``.
        """
        ### BEGIN SOLUTION
        check_int("total_iters", total_iters, 0)
        check_real("power", power)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form (t = last_epoch, T = total_iters, p = power).

        Initial step or t > T: keep ``lr``. Otherwise
        ``lr_t = lr_{t-1} * ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** p``, the ratio of consecutive closed forms.

        Hint: compute the ratio once, in exactly that order of operations, then scale every group.
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        t = self.last_epoch
        if self._is_initial or t > self.total_iters:
            return [group["lr"] for group in groups]
        decay = ((1.0 - t / self.total_iters) / (1.0 - (t - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay for group in groups]
        ### END SOLUTION

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * (1.0 - min(T, t) / T) ** power``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        ### BEGIN SOLUTION
        return [
            base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
            for base_lr in self.base_lrs
        ]
        ### END SOLUTION

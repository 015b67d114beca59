# GENERATED from solutions/schedulers/polynomial.py by `lrlab build-exercises`: implement the stubs below.
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
        raise NotImplementedError('PolynomialLR.__init__ is not implemented yet (schedulers/polynomial.py)')

    def get_lr(self) -> list[float]:
        """Chainable form (t = last_epoch, T = total_iters, p = power).

        Initial step or t > T: keep ``lr``. Otherwise
        ``lr_t = lr_{t-1} * ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** p``, the ratio of consecutive closed forms.

        Hint: compute the ratio once, in exactly that order of operations, then scale every group.
        """
        raise NotImplementedError('PolynomialLR.get_lr is not implemented yet (schedulers/polynomial.py)')

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * (1.0 - min(T, t) / T) ** power``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        raise NotImplementedError('PolynomialLR._get_closed_form_lr is not implemented yet (schedulers/polynomial.py)')

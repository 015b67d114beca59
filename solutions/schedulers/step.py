"""Step decays: ``StepLR`` (every ``step_size`` steps) and ``MultiStepLR`` (at given milestones)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .base import LRScheduler, check_int, check_real

if TYPE_CHECKING:
    from torch.optim import Optimizer


class StepLR(LRScheduler):
    """Multiply each group's LR by ``gamma`` every ``step_size`` steps: ``lr_t = base * gamma^(t // step_size)``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        """Store ``step_size`` (int >= 1) and ``gamma`` (a number), then run the base constructor.

        Hint: validate first (``check_int``, ``check_real``), then ``super().__init__(optimizer, last_epoch)``.
        """
        ### BEGIN SOLUTION
        check_int("step_size", step_size, 1)
        check_real("gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form: ``lr_t = lr_{t-1} * gamma`` if ``t > 0`` and ``t % step_size == 0``, else ``lr_{t-1}``.

        ``t`` is ``self.last_epoch``; ``lr_{t-1}`` is the group's current ``group["lr"]``. Like torch, test
        ``t == 0`` (not ``_is_initial``): built with ``last_epoch=k`` where ``k + 1`` is a decay step, it decays
        during construction.

        Hint: return the current LRs unchanged unless a decay is due.
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]
        ### END SOLUTION

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * gamma ** (t // step_size)``.

        Hint: one list comprehension over ``self.base_lrs``.
        """
        ### BEGIN SOLUTION
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]
        ### END SOLUTION


class MultiStepLR(LRScheduler):
    """Multiply each group's LR by ``gamma`` at every milestone: ``lr_t = base * gamma^#{m in milestones: m <= t}``."""

    def __init__(
        self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        """Store ``milestones`` as a ``collections.Counter`` (a repeated milestone decays twice) and ``gamma``.

        Milestones: an iterable (``TypeError`` otherwise) of ints >= 0 (``check_int``) in any order.
        Hint: ``Counter(milestones)``, then the base constructor.
        """
        ### BEGIN SOLUTION
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"milestones must be an iterable of ints >= 0, got {milestones!r}")
        milestones = list(milestones)
        for m in milestones:
            check_int("each milestone", m, 0)
        check_real("gamma", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form: ``lr_t = lr_{t-1} * gamma ** milestones[t]`` if ``t`` is a milestone, else ``lr_{t-1}``.

        Nothing else is tested (like torch): a milestone 0 already decays in the constructor's step.

        Hint: ``t in self.milestones`` (a Counter counts how often ``t`` was listed).
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in groups]
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in groups]
        ### END SOLUTION

    def _get_closed_form_lr(self) -> list[float]:
        """Closed form: ``lr_t = base_lr * gamma ** bisect_right(sorted_milestones, t)``.

        Hint: ``sorted(self.milestones.elements())`` lists repeated milestones repeatedly.
        """
        ### BEGIN SOLUTION
        milestones = sorted(self.milestones.elements())
        return [
            base_lr * self.gamma ** bisect_right(milestones, self.last_epoch) for base_lr in self.base_lrs
        ]
        ### END SOLUTION

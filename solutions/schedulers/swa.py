"""``SWALR`` (torch.optim.swa_utils): anneal each group's LR to a constant ``swa_lr`` for weight averaging.

Stochastic Weight Averaging (Izmailov et al. 2018, https://arxiv.org/abs/1803.05407) averages the weights
visited late in training at a constant (or cyclic) LR. ``SWALR`` takes the LR from wherever the previous
schedule left it to ``swa_lr`` over ``anneal_epochs`` steps, then holds it there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .base import LRScheduler, check_optimizer, per_group

if TYPE_CHECKING:
    from torch.optim import Optimizer


class SWALR(LRScheduler):
    """Anneal to ``swa_lr``: with s = steps taken, A = anneal_epochs, a = anneal(min(1, s / max(1, A))),
    ``lr_s = swa_lr * a + lr_start * (1 - a)``; cos: ``anneal(t) = (1 - cos(pi t)) / 2``, linear: ``anneal(t) = t``."""

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        """Write ``group["swa_lr"]`` into every param group, store the strategy and ``anneal_epochs``, then run
        the base constructor.

        ``swa_lr``: one number for all groups or a list with one per group (``ValueError`` otherwise), written
        before the other checks, as torch does. ``anneal_strategy``: ``"cos"`` or ``"linear"``
        (``ValueError``); keep it in ``self._anneal_strategy``. ``anneal_epochs``: an int >= 0 (``ValueError``).
        A non-optimizer raises ``TypeError`` (torch happens to raise ``AttributeError`` there).

        Hint: ``per_group("swa_lr", optimizer, swa_lr)``; ``self._set_anneal_func(anneal_strategy)``.
        """
        ### BEGIN SOLUTION
        check_optimizer(optimizer)
        swa_lrs = per_group("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}")
        self._set_anneal_func(anneal_strategy)
        if isinstance(anneal_epochs, bool) or not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be an int equal or greater than 0, got {anneal_epochs!r}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    @staticmethod
    def _linear_anneal(t: float) -> float:
        """``anneal(t) = t``."""
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        """``anneal(t) = (1 - cos(pi * t)) / 2``: 0 at t = 0, 1 at t = 1.

        Hint: ``math.cos``, ``math.pi``.
        """
        ### BEGIN SOLUTION
        return (1 - math.cos(math.pi * t)) / 2
        ### END SOLUTION

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """Undo one annealing step: the ``lr_start`` with ``lr = swa_lr * alpha + lr_start * (1 - alpha)``.

        ``alpha == 1`` (nothing left to undo): ``swa_lr``; otherwise ``(lr - alpha * swa_lr) / (1 - alpha)``.

        Hint: two lines.
        """
        ### BEGIN SOLUTION
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)
        ### END SOLUTION

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        """Store the strategy name in ``self._anneal_strategy`` and the function in ``self.anneal_func``.

        Hint: ``self._cosine_anneal`` for ``"cos"``, ``self._linear_anneal`` otherwise.
        """
        ### BEGIN SOLUTION
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Chainable form, driven by ``s = self._step_count - 1`` (not ``last_epoch``); A = anneal_epochs.

        If A == 0, ``s = max(1, s)`` (the LR jumps to ``swa_lr`` at once). With
        ``prev_alpha = anneal(clamp((s - 1) / max(1, A), 0, 1))`` and ``alpha = anneal(clamp(s / max(1, A), 0, 1))``:
        ``start = _get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)`` and
        ``lr_s = group["swa_lr"] * alpha + start * (1 - alpha)``.

        Hint: the current LR is ``swa * prev_alpha + start * (1 - prev_alpha)``: undo that mix to recover
        ``start``, then mix again with ``alpha``. ``max(0, min(1, x))`` clamps; s = 0 keeps the LR (A > 0).
        """
        ### BEGIN SOLUTION
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        groups = self.optimizer.param_groups
        starts = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) for group in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(groups, starts, strict=True)]
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except ``optimizer`` and ``anneal_func`` (a bound method is rebuilt on load).

        Hint: like the base class, one more excluded key.
        """
        ### BEGIN SOLUTION
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "anneal_func")}
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes, then rebuild ``anneal_func`` from ``_anneal_strategy``.

        Hint: ``super().load_state_dict(state_dict)`` then ``self._set_anneal_func(...)``.
        """
        ### BEGIN SOLUTION
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
        ### END SOLUTION

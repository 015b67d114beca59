# GENERATED from solutions/schedulers/lambda_lr.py by `lrlab build-exercises`: implement the stubs below.
"""``LambdaLR``: the LR is the initial LR times a user function of the step."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .base import LRScheduler

if TYPE_CHECKING:
    from torch.optim import Optimizer


class LambdaLR(LRScheduler):
    """``lr_t = base_lr * lr_lambda(t)``, one function for all groups or one per group."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        """Store ``self.lr_lambdas``, one callable per param group, then run the base constructor.

        A single callable is used for every group; a list/tuple needs one entry per group (``ValueError``).

        Hint: each entry must be callable (``TypeError``).
        """
        raise NotImplementedError('LambdaLR.__init__ is not implemented yet (schedulers/lambda_lr.py)')

    def get_lr(self) -> list[float]:
        """``lr_t = base_lr_i * lr_lambdas[i](t)`` for each group i (not chainable: always from ``base_lrs``).

        Hint: ``zip(self.lr_lambdas, self.base_lrs)``.
        """
        raise NotImplementedError('LambdaLR.get_lr is not implemented yet (schedulers/lambda_lr.py)')

    def state_dict(self) -> dict[str, Any]:
        """Like the base, but ``lr_lambdas`` becomes a list with ``None`` for plain functions/lambdas.

        Callable objects (not ``types.FunctionType``) are saved as a copy of their ``__dict__``.

        Hint: functions cannot be saved portably; their attributes can.
        """
        raise NotImplementedError('LambdaLR.state_dict is not implemented yet (schedulers/lambda_lr.py)')

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state; keep the current ``lr_lambdas`` and update callable objects from saved dicts.

        Hint: do not mutate ``state_dict`` (copy it without ``"lr_lambdas"`` first).
        """
        raise NotImplementedError('LambdaLR.load_state_dict is not implemented yet (schedulers/lambda_lr.py)')


class MultiplicativeLR(LRScheduler):
    """``lr_t = lr_{t-1} * lr_lambda(t)`` for t >= 1 (chainable: a factor per step), one function or one per group."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        """Store ``self.lr_lambdas``, one callable per param group, then run the base constructor.

        As ``LambdaLR``: a single callable is used for every group; a list/tuple needs one entry per group
        (``ValueError``); each entry must be callable (``TypeError``).

        Hint: the same validation as ``LambdaLR.__init__``.
        """
        raise NotImplementedError('MultiplicativeLR.__init__ is not implemented yet (schedulers/lambda_lr.py)')

    def get_lr(self) -> list[float]:
        """Initial step: keep ``lr``. Otherwise ``lr_t = group["lr"] * lr_lambdas[i](t)`` for each group i.

        Unlike ``LambdaLR`` the factor multiplies the *current* LR, so the factors accumulate:
        ``lr_t = base * prod_{k=1..t} lambda(k)`` (``lambda(0)`` is never used by ``step()``).

        Hint: ``zip(self.lr_lambdas, self.optimizer.param_groups)``.
        """
        raise NotImplementedError('MultiplicativeLR.get_lr is not implemented yet (schedulers/lambda_lr.py)')

    def state_dict(self) -> dict[str, Any]:
        """As ``LambdaLR.state_dict``: ``lr_lambdas`` saved as ``None`` for plain functions/lambdas and as a
        copy of ``__dict__`` for callable objects (not ``types.FunctionType``).

        Hint: the same few lines as ``LambdaLR.state_dict`` (written out again: the classes stay independent).
        """
        raise NotImplementedError('MultiplicativeLR.state_dict is not implemented yet (schedulers/lambda_lr.py)')

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As ``LambdaLR.load_state_dict``: restore, and update callable objects from their saved dicts.

        Hint: do not mutate ``state_dict`` (copy it without ``"lr_lambdas"`` first).
        """
        raise NotImplementedError('MultiplicativeLR.load_state_dict is not implemented yet (schedulers/lambda_lr.py)')

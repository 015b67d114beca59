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
        ### BEGIN SOLUTION
        n_groups = len(getattr(optimizer, "param_groups", []))
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n_groups:
                raise ValueError(
                    f"Expected {n_groups} lr_lambdas (one per param group), but got {len(lr_lambda)}"
                )
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * n_groups
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(
                    f"lr_lambda must be a callable epoch -> factor (or a list of them), got {fn!r}"
                )
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """``lr_t = base_lr_i * lr_lambdas[i](t)`` for each group i (not chainable: always from ``base_lrs``).

        Hint: ``zip(self.lr_lambdas, self.base_lrs)``.
        """
        ### BEGIN SOLUTION
        t = self.last_epoch
        return [base_lr * fn(t) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """Like the base, but ``lr_lambdas`` becomes a list with ``None`` for plain functions/lambdas.

        Callable objects (not ``types.FunctionType``) are saved as a copy of their ``__dict__``.

        Hint: functions cannot be saved portably; their attributes can.
        """
        ### BEGIN SOLUTION
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy() for fn in self.lr_lambdas
        ]
        return state
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state; keep the current ``lr_lambdas`` and update callable objects from saved dicts.

        Hint: do not mutate ``state_dict`` (copy it without ``"lr_lambdas"`` first).
        """
        ### BEGIN SOLUTION
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", None) or []
        self.__dict__.update(state)
        for fn, fn_state in zip(self.lr_lambdas, saved, strict=False):
            if fn_state is not None:
                fn.__dict__.update(fn_state)
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        n_groups = len(getattr(optimizer, "param_groups", []))
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n_groups:
                raise ValueError(
                    f"Expected {n_groups} lr_lambdas (one per param group), but got {len(lr_lambda)}"
                )
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * n_groups
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function (epoch -> factor), but got {type(fn).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Initial step: keep ``lr``. Otherwise ``lr_t = group["lr"] * lr_lambdas[i](t)`` for each group i.

        Unlike ``LambdaLR`` the factor multiplies the *current* LR, so the factors accumulate:
        ``lr_t = base * prod_{k=1..t} lambda(k)`` (``lambda(0)`` is never used by ``step()``).

        Hint: ``zip(self.lr_lambdas, self.optimizer.param_groups)``.
        """
        ### BEGIN SOLUTION
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        t = self.last_epoch
        return [group["lr"] * fn(t) for fn, group in zip(self.lr_lambdas, groups, strict=True)]
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """As ``LambdaLR.state_dict``: ``lr_lambdas`` saved as ``None`` for plain functions/lambdas and as a
        copy of ``__dict__`` for callable objects (not ``types.FunctionType``).

        Hint: the same few lines as ``LambdaLR.state_dict`` (written out again: the classes stay independent).
        """
        ### BEGIN SOLUTION
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy() for fn in self.lr_lambdas
        ]
        return state
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As ``LambdaLR.load_state_dict``: restore, and update callable objects from their saved dicts.

        Hint: do not mutate ``state_dict`` (copy it without ``"lr_lambdas"`` first).
        """
        ### BEGIN SOLUTION
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", None) or []
        self.__dict__.update(state)
        for fn, fn_state in zip(self.lr_lambdas, saved, strict=False):
            if fn_state is not None:
                fn.__dict__.update(fn_state)
        ### END SOLUTION

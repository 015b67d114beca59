# GENERATED from solutions/schedulers/cyclic.py by `lrlab build-exercises`: implement the stubs below.
"""``CyclicLR``: the LR (and, inversely, the momentum) cycles between two bounds (Smith, 2017)."""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .base import LRScheduler, check_optimizer, check_real, per_group

if TYPE_CHECKING:
    from torch.optim import Optimizer

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")


def set_momentum(optimizer: Any, use_beta1: bool, momentums: list[float]) -> None:
    """Write one momentum per param group: ``group["momentum"]``, or ``betas[0]`` (keeping beta2) for Adam."""
    for group, momentum in zip(optimizer.param_groups, momentums, strict=True):
        if use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def check_momentum_support(optimizer: Any) -> bool:
    """Return True when the optimizer uses ``betas`` (Adam-like), False for ``momentum`` (SGD-like).

    Raises ``ValueError`` when it has neither (e.g. Adagrad): momentum cannot be cycled.
    """
    defaults = getattr(optimizer, "defaults", {})
    if "momentum" not in defaults and "betas" not in defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
            "(use SGD(momentum=...) or Adam, or pass cycle_momentum=False)"
        )
    return "betas" in defaults


class CyclicLR(LRScheduler):
    """Cycle each group's LR between ``base_lr`` and ``max_lr``.

    ``cycle = floor(1 + t / N)``, ``x = 1 + t / N - cycle`` (N = step_size_up + step_size_down, r = up / N),
    ``s = x / r`` if ``x <= r`` else ``(x - 1) / (r - 1)``;
    ``lr = base_lr + (max_lr - base_lr) * s * scale``,
    ``momentum = max_momentum - (max_momentum - base_momentum) * s * scale``,
    with ``scale = scale_fn(cycle)`` (scale_mode 'cycle') or ``scale_fn(t)`` ('iterations').
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        """Validate and store the cycle, then run the base constructor and set ``base_lrs = base_lr`` per group.

        On a fresh start (``last_epoch == -1``) each group's ``lr`` is set to its ``base_lr`` first; with
        ``cycle_momentum`` each group also gets ``momentum``/``betas[0] = max_momentum`` and the keys
        ``max_momentum``, ``base_momentum``. Store ``max_lrs``, ``total_size = float(up + down)``,
        ``step_ratio = up / total_size``, ``mode``, ``gamma``, ``_scale_fn_custom``, ``scale_mode`` ('cycle' for
        triangular/triangular2, 'iterations' for exp_range unless ``scale_fn`` is given), ``cycle_momentum``,
        ``use_beta1``, ``base_momentums``, ``max_momentums``.

        ``ValueError``: a list of the wrong length, ``step_size_up <= 0``, ``step_size_down < 0``, an unknown
        ``mode`` without ``scale_fn``, a ``scale_mode`` other than 'cycle'/'iterations' (torch does not check it),
        an optimizer without momentum or betas while ``cycle_momentum``. ``TypeError``: a non-number LR, step size
        or ``gamma``, a ``scale_fn`` that is not callable.

        Hint: ``base_lrs`` is assigned AFTER ``super().__init__`` (torch's order: the initial step still uses
        each group's ``initial_lr``).
        """
        raise NotImplementedError('CyclicLR.__init__ is not implemented yet (schedulers/cyclic.py)')

    def scale_fn(self, x: float) -> float:
        """The amplitude scale: custom ``scale_fn(x)`` if given, else by mode:
        triangular ``1``, triangular2 ``1 / 2^(x - 1)``, exp_range ``gamma^x``.

        Hint: ``x`` is the cycle number (scale_mode 'cycle') or the step (scale_mode 'iterations').
        """
        raise NotImplementedError('CyclicLR.scale_fn is not implemented yet (schedulers/cyclic.py)')

    def get_lr(self) -> list[float]:
        """Closed form (see the class docstring); with ``cycle_momentum`` it also writes the momentums.

        Hint: compute ``cycle``, ``x``, ``s`` and ``scale`` once, then one LR (and momentum) per group.
        """
        raise NotImplementedError('CyclicLR.get_lr is not implemented yet (schedulers/cyclic.py)')

    def state_dict(self) -> dict[str, Any]:
        """Like the base, but ``_scale_fn_custom`` is ``None`` for a plain function/lambda (or no scale_fn),
        else a copy of the callable object's ``__dict__``.

        Hint: ``isinstance(fn, types.FunctionType)``.
        """
        raise NotImplementedError('CyclicLR.state_dict is not implemented yet (schedulers/cyclic.py)')

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state but keep the current ``_scale_fn_custom``, updating a callable object's ``__dict__``.

        Hint: do not mutate ``state_dict``.
        """
        raise NotImplementedError('CyclicLR.load_state_dict is not implemented yet (schedulers/cyclic.py)')

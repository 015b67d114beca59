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
        ### BEGIN SOLUTION
        check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = per_group("base_lr", optimizer, base_lr)
        max_lrs = per_group("max_lr", optimizer, max_lr)
        for name, values in (("base_lr", base_lrs), ("max_lr", max_lrs)):
            for value in values:
                check_real(name, value)
        check_real("step_size_up", step_size_up)
        if step_size_up <= 0:
            raise ValueError(
                f"step_size_up must be > 0 (steps in the rising half of a cycle), got {step_size_up}"
            )
        if step_size_down is not None:
            check_real("step_size_down", step_size_down)
            if step_size_down < 0:
                raise ValueError(
                    f"step_size_down must be >= 0 or None (= step_size_up), got {step_size_down}"
                )
        if mode not in MODES and scale_fn is None:
            raise ValueError(
                f"mode is invalid and scale_fn is None: mode must be one of {MODES}, got {mode!r}"
            )
        if scale_mode not in SCALE_MODES:
            raise ValueError(f"scale_mode must be one of {SCALE_MODES}, got {scale_mode!r}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"scale_fn must be a callable x -> factor or None, got {scale_fn!r}")
        check_real("gamma", gamma)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = max_lrs
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        if scale_fn is None:
            scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.scale_mode = scale_mode
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = check_momentum_support(optimizer)
            self.base_momentums = per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                set_momentum(optimizer, self.use_beta1, self.max_momentums)
                for m_momentum, b_momentum, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups, strict=True
                ):
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs
        ### END SOLUTION

    def scale_fn(self, x: float) -> float:
        """The amplitude scale: custom ``scale_fn(x)`` if given, else by mode:
        triangular ``1``, triangular2 ``1 / 2^(x - 1)``, exp_range ``gamma^x``.

        Hint: ``x`` is the cycle number (scale_mode 'cycle') or the step (scale_mode 'iterations').
        """
        ### BEGIN SOLUTION
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Closed form (see the class docstring); with ``cycle_momentum`` it also writes the momentums.

        Hint: compute ``cycle``, ``x``, ``s`` and ``scale`` once, then one LR (and momentum) per group.
        """
        ### BEGIN SOLUTION
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else t)
        lrs = [
            base_lr + (max_lr - base_lr) * scale_factor * scale
            for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            momentums = [
                max_m - (max_m - base_m) * scale_factor * scale
                for base_m, max_m in zip(self.base_momentums, self.max_momentums, strict=True)
            ]
            set_momentum(self.optimizer, self.use_beta1, momentums)
        return lrs
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """Like the base, but ``_scale_fn_custom`` is ``None`` for a plain function/lambda (or no scale_fn),
        else a copy of the callable object's ``__dict__``.

        Hint: ``isinstance(fn, types.FunctionType)``.
        """
        ### BEGIN SOLUTION
        state = {
            key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_scale_fn_custom")
        }
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state but keep the current ``_scale_fn_custom``, updating a callable object's ``__dict__``.

        Hint: do not mutate ``state_dict``.
        """
        ### BEGIN SOLUTION
        state = dict(state_dict)
        fn_state = state.pop("_scale_fn_custom", None)
        self.__dict__.update(state)
        if fn_state is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn_state)
        ### END SOLUTION

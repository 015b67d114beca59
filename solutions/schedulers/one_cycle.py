"""``OneCycleLR``: warm up to ``max_lr``, then anneal far below the start (Smith & Topin, 2018)."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from .base import LRScheduler, check_optimizer, check_real, per_group
from .cyclic import check_momentum_support, set_momentum

if TYPE_CHECKING:
    from torch.optim import Optimizer


def _positive_int(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Integral) and value > 0


class OneCycleLR(LRScheduler):
    """The 1cycle policy over ``total_steps`` steps, in 2 phases (or 3 with ``three_phase``).

    Each phase anneals from a start to an end value with ``pct = (t - start_step) / (end_step - start_step)``:
    cos: ``end + (start - end) / 2 * (1 + cos(pi * pct))``; linear: ``(end - start) * pct + start``.
    Two phases: initial_lr -> max_lr until step ``pct_start * N - 1``, then max_lr -> min_lr until ``N - 1``.
    Three phases: initial -> max until ``pct_start * N - 1``, max -> initial until ``2 * pct_start * N - 2``,
    initial -> min until ``N - 1``. ``initial_lr = max_lr / div_factor``, ``min_lr = initial_lr /
    final_div_factor``. Momentum runs inversely: max -> base -> max over the two phases; with three phases
    max -> base in phase 1, base -> max in phase 2, and it stays at max_momentum in phase 3 (max -> max).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        """Validate, build ``_schedule_phases`` and write the per-group LR bounds, then the base constructor.

        ``total_steps`` (positive int) or else ``epochs * steps_per_epoch`` (positive ints); ``pct_start`` a
        float in [0, 1] (an int, even ``1``, is rejected); ``anneal_strategy`` 'cos' or 'linear' -- all
        ``ValueError`` like torch. Each phase is a dict with ``end_step`` and the group keys it anneals between:
        ``start_lr``/``end_lr`` (among 'initial_lr', 'max_lr', 'min_lr') and ``start_momentum``/``end_momentum``
        ('max_momentum', 'base_momentum'). On a fresh start each group gets ``initial_lr``, ``max_lr``,
        ``min_lr`` (and, with ``cycle_momentum``, ``momentum``/``betas[0] = max_momentum``, ``max_momentum``,
        ``base_momentum``).
        Store ``total_steps``, ``_schedule_phases``, ``_anneal_func_type``, ``cycle_momentum``, ``use_beta1``.

        Hint: phase end steps are floats: ``float(pct_start * total_steps) - 1``, ...
        """
        ### BEGIN SOLUTION
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not _positive_int(total_steps):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not _positive_int(epochs):
                raise ValueError(f"Expected positive integer epochs, but got {epochs!r}")
            if not _positive_int(steps_per_epoch):
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch!r}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start (e.g. 0.3), but got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        check_real("div_factor", div_factor)
        check_real("final_div_factor", final_div_factor)
        if div_factor <= 0 or final_div_factor <= 0:
            raise ValueError(
                f"div_factor and final_div_factor must be > 0, got {div_factor} and {final_div_factor}"
            )
        n = self.total_steps
        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct_start * n) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * n) - 2, "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": n - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                {"end_step": float(pct_start * n) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": n - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        self._anneal_func_type = anneal_strategy
        max_lrs = per_group("max_lr", optimizer, max_lr)
        for value in max_lrs:
            check_real("max_lr", value)
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = check_momentum_support(optimizer)
            max_momentums = per_group("max_momentum", optimizer, max_momentum)
            base_momentums = per_group("base_momentum", optimizer, base_momentum)
        if last_epoch == -1:
            for group, group_max_lr in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = group_max_lr / div_factor
                group["max_lr"] = group_max_lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                set_momentum(optimizer, self.use_beta1, max_momentums)
                for group, m_momentum, b_momentum in zip(
                    optimizer.param_groups, max_momentums, base_momentums, strict=True
                ):
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        super().__init__(optimizer, last_epoch)
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Find the phase containing ``t = last_epoch`` and anneal within it (see the class docstring).

        A group's phase is the first with ``t <= end_step`` (or the last phase); ``start_step`` is the previous
        phase's ``end_step`` (0.0 for the first). ``t > total_steps`` raises
        ``ValueError("Tried to step {t} times. The specified number of total steps is {total_steps}")``.
        With ``cycle_momentum`` it also writes the momentums.

        Hint: cos: ``end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)`` (keep this operation order).
        """
        ### BEGIN SOLUTION
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num} times. The specified number of total steps is {self.total_steps}"
            )
        cos = self._anneal_func_type == "cos"
        phases = self._schedule_phases
        last = len(phases) - 1
        start_step = 0.0
        for i, phase in enumerate(phases):
            end_step = phase["end_step"]
            if step_num <= end_step or i == last:
                break
            start_step = end_step
        pct = (step_num - start_step) / (end_step - start_step)
        if cos:
            cos_out = math.cos(math.pi * pct) + 1
        lrs = []
        momentums = []
        for group in self.optimizer.param_groups:
            start, end = group[phase["start_lr"]], group[phase["end_lr"]]
            lrs.append(end + (start - end) / 2.0 * cos_out if cos else (end - start) * pct + start)
            if self.cycle_momentum:
                start, end = group[phase["start_momentum"]], group[phase["end_momentum"]]
                momentums.append(end + (start - end) / 2.0 * cos_out if cos else (end - start) * pct + start)
        if self.cycle_momentum:
            set_momentum(self.optimizer, self.use_beta1, momentums)
        return lrs
        ### END SOLUTION

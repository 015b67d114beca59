# GENERATED from solutions/schedulers/one_cycle.py by `lrlab build-exercises`: implement the stubs below.
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
        raise NotImplementedError('OneCycleLR.__init__ is not implemented yet (schedulers/one_cycle.py)')

    def get_lr(self) -> list[float]:
        """Find the phase containing ``t = last_epoch`` and anneal within it (see the class docstring).

        A group's phase is the first with ``t <= end_step`` (or the last phase); ``start_step`` is the previous
        phase's ``end_step`` (0.0 for the first). ``t > total_steps`` raises
        ``ValueError("Tried to step {t} times. The specified number of total steps is {total_steps}")``.
        With ``cycle_momentum`` it also writes the momentums.

        Hint: cos: ``end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)`` (keep this operation order).
        """
        raise NotImplementedError('OneCycleLR.get_lr is not implemented yet (schedulers/one_cycle.py)')

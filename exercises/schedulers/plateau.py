# GENERATED from solutions/schedulers/plateau.py by `lrlab build-exercises`: implement the stubs below.
"""``ReduceLROnPlateau``: cut the LR when a monitored metric stops improving."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .base import LRScheduler, check_int, check_optimizer, check_real

if TYPE_CHECKING:
    from torch.optim import Optimizer


class ReduceLROnPlateau(LRScheduler):
    """After more than ``patience`` steps without improvement: ``lr = max(lr * factor, min_lr)``
    (skipped if the drop is at most ``eps``), then wait ``cooldown`` steps before counting again.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        """Validate and store the settings, then reset the counters (no base constructor call, no step).

        ``mode`` 'min'|'max', ``threshold_mode`` 'rel'|'abs', ``0 <= factor < 1``, ``patience``/``cooldown``
        ints >= 0, ``threshold``/``eps`` >= 0, ``min_lr`` a number or one per group: ``ValueError`` for a bad
        value, ``TypeError`` for a non-number or non-int (``check_real``, ``check_int``). torch itself checks only
        ``factor < 1``, ``mode``, ``threshold_mode`` and the length of a ``min_lr`` list.
        Store ``factor``, ``optimizer``, ``default_min_lr`` (None for a list), ``min_lrs``, ``patience``,
        ``cooldown``, ``eps``, ``last_epoch = 0``, ``_last_lr``, ``mode_worse`` (inf for 'min', -inf for
        'max'), ``mode``, ``threshold``, ``threshold_mode``, then ``best = mode_worse``,
        ``cooldown_counter = 0``, ``num_bad_epochs = 0``.

        Hint: torch's message for factor is "Factor should be < 1.0."
        """
        raise NotImplementedError('ReduceLROnPlateau.__init__ is not implemented yet (schedulers/plateau.py)')

    @property
    def in_cooldown(self) -> bool:
        """True while ``cooldown_counter > 0``."""
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Is metric ``a`` an improvement on ``best``?

        min/rel: ``a < best * (1 - threshold)``; min/abs: ``a < best - threshold``;
        max/rel: ``a > best * (threshold + 1)``; max/abs: ``a > best + threshold``.

        Hint: four cases on ``self.mode`` and ``self.threshold_mode``.
        """
        raise NotImplementedError('ReduceLROnPlateau.is_better is not implemented yet (schedulers/plateau.py)')

    _is_better = is_better  # torch's name for it

    def step(self, metrics: float, epoch: int | None = None) -> None:
        """Record one metric value and reduce the LRs if it has plateaued.

        ``current = float(metrics)``; ``last_epoch = epoch`` or ``last_epoch + 1``. Improvement
        (``is_better(current, best)``): ``best = current``, ``num_bad_epochs = 0``; else ``num_bad_epochs += 1``.
        In cooldown: ``cooldown_counter -= 1``, ``num_bad_epochs = 0``. If ``num_bad_epochs > patience``: for each
        group i, ``new = max(old * factor, min_lrs[i])`` is written only if ``old - new > eps``; then
        ``cooldown_counter = cooldown``, ``num_bad_epochs = 0``. Finally ``_last_lr`` = the group LRs. (A group
        added after construction: before reducing, ``min_lrs`` becomes ``default_min_lr`` per group, or
        ``RuntimeError`` when ``min_lr`` was a list, as in torch.)

        Hint: the order of the checks matters (cooldown is handled before the patience test).
        """
        raise NotImplementedError('ReduceLROnPlateau.step is not implemented yet (schedulers/plateau.py)')

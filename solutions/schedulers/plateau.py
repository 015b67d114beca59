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
        ### BEGIN SOLUTION
        check_real("factor", factor)
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0 (the LR is multiplied by it), got factor={factor}")
        if factor < 0:
            raise ValueError(f"factor must be in [0, 1), got {factor}")
        check_optimizer(optimizer)
        self.factor = factor
        self.optimizer = optimizer
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(f"expected {n_groups} min_lrs (one per param group), got {len(min_lr)}")
            for value in min_lr:
                check_real("min_lr", value)
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            check_real("min_lr", min_lr)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n_groups
        check_int("patience", patience, 0)
        check_int("cooldown", cooldown, 0)
        check_real("threshold", threshold)
        check_real("eps", eps)
        if threshold < 0 or eps < 0:
            raise ValueError(f"threshold and eps must be >= 0, got threshold={threshold}, eps={eps}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode!r} is unknown! Use 'min' (e.g. a loss) or 'max' (e.g. an accuracy)")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown! Use 'rel' or 'abs'")
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        groups = self.optimizer.param_groups
        if self.num_bad_epochs > self.patience:
            if len(groups) != len(self.min_lrs):
                if self.default_min_lr is None:
                    raise RuntimeError(
                        f"The optimizer has {len(groups)} param groups but ReduceLROnPlateau was built for "
                        f"{len(self.min_lrs)}: set scheduler.min_lrs to one value per param group"
                    )
                self.min_lrs = [self.default_min_lr] * len(groups)
            for group, min_lr in zip(groups, self.min_lrs, strict=True):
                old_lr = float(group["lr"])
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in groups]
        ### END SOLUTION

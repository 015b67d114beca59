"""Base class for one scheduler's closed form, and the optimizer-group state its constructor touches.

A ``Child`` knows torch's side effects at construction (``initial_lr``, CyclicLR's ``lr=base_lr``,
OneCycleLR's group keys, momentum), its value at epoch 0 (initial step or SequentialLR's ``_update_lr(0)``)
and its values for epochs 0..n-1 as one vectorised numpy computation.
Kinds: ``"mul"`` (chainable: lr_t = lr_{t-1} * f_t), ``"cos"`` (CosineAnnealingLR's affine recursion),
``"abs"`` (recomputed from base values each step: CAWR, CyclicLR, OneCycleLR), ``"op"`` (any map of the current
lr given by ``step_map(x, t)``: SWALR).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np


@dataclass
class GroupState:
    """The optimizer param-group keys schedulers read and write, one array entry per group."""

    lr: np.ndarray
    momentum: np.ndarray
    initial_lr: np.ndarray | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def setdefault_initial_lr(self) -> np.ndarray:
        """``group.setdefault("initial_lr", group["lr"])`` as in ``LRScheduler.__init__``."""
        if self.initial_lr is None:
            self.initial_lr = self.lr.copy()
        return self.initial_lr


class Child:
    """One scheduler of a preview (alone or inside SequentialLR/ChainedScheduler)."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "mul"
    #: every closed form by scheduler name, filled as the formula modules are imported
    registry: ClassVar[dict[str, type[Child]]] = {}
    defaults: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            Child.registry[cls.name] = cls

    def __init__(self, params: dict[str, Any], n_groups: int) -> None:
        """``params`` were accepted by torch's constructor (``registry.make_child`` asks it first), so unknown or
        missing names and torch's own range checks never reach here; ``validate`` adds the interface's limits."""
        self.params: dict[str, Any] = {**self.defaults, **params}
        self.n_groups = n_groups
        self.base = np.zeros(n_groups)
        self.validate()

    # -- hooks -------------------------------------------------------------------------------------
    def validate(self) -> None:
        """Read ``self.params`` into the closed form's attributes. Validity is torch's to judge (its constructor
        has already accepted them); raise TypeError/ValueError, naming the parameter, only for what torch accepts
        at construction but the closed form cannot draw (a non-int or negative step count, a negative LR...)."""

    @property
    def cycles_momentum(self) -> bool:
        """True when the scheduler writes the group's momentum (CyclicLR/OneCycleLR with cycle_momentum)."""
        return False

    def construct(self, group: GroupState) -> None:
        """Constructor side effects before the initial step: ``initial_lr`` default; base_lrs = initial_lr."""
        self.base = group.setdefault_initial_lr().copy()

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        """LR after the initial step (``get_lr()`` at epoch 0 with ``_is_initial``), from the group's lr."""
        return prior.copy()

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        """LR after SequentialLR's ``_update_lr(0)`` at a milestone (the closed form at epoch 0)."""
        return self.base.copy()

    def factors(self, n: int) -> np.ndarray:
        """``mul`` kind: factor f_t (shape (n, G)) with lr_t = lr_{t-1} * f_t for t >= 1 (row 0 is 1)."""
        raise NotImplementedError(f"{self.name} is not multiplicative")

    def values(self, n: int, group: GroupState) -> np.ndarray:
        """``abs`` kind: lr at epochs 0..n-1, shape (n, G)."""
        raise NotImplementedError(f"{self.name} is not recomputed from base values")

    def momentum(self, n: int, group: GroupState) -> np.ndarray:
        """Momentum written at epochs 0..n-1, shape (n, G) (only when ``cycles_momentum``)."""
        raise NotImplementedError(f"{self.name} does not cycle momentum")

    def check_horizon(self, n: int) -> None:
        """Raise like torch if the scheduler cannot be stepped to epoch n-1."""

    def change_points(self, n: int) -> np.ndarray | None:
        """``mul`` kind, optional: the epochs where f_t != 1 (then lr is piecewise constant between them)."""
        return None

    def run(self, n: int, x0: np.ndarray, group: GroupState) -> np.ndarray:
        """LR at local epochs 0..n-1 when epoch 0 holds ``x0``: cumulative product of the factors."""
        self.check_horizon(n)
        if self.kind == "abs":
            return self.values(n, group)
        idx = self.change_points(n)
        if idx is not None:  # products only at the change points, then repeat each value until the next one
            f = self.factors_at(idx)
            vals = np.cumprod(np.vstack([x0[None, :], f]), axis=0)
            counts = np.diff(np.r_[0, idx, n])
            return np.repeat(vals, counts, axis=0)
        f = self.factors(n)
        f[0] = x0
        if f.shape[1] == 1:
            return np.cumprod(f[:, 0])[:, None]
        return np.cumprod(f, axis=0)

    def factors_at(self, idx: np.ndarray) -> np.ndarray:
        """Factors f_t at the epochs ``idx`` (shape (len(idx), G)); default: rows of ``factors``."""
        n = int(idx[-1]) + 1 if len(idx) else 1
        return self.factors(n)[idx]

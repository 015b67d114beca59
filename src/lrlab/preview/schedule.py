"""The ``Schedule`` result type shared by the numpy preview and the torch reference stepping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Schedule:
    """A whole LR schedule: ``lr[t, g]`` = ``get_last_lr()[g]`` after ``t`` calls to ``step()``.

    ``momentum`` has the same shape (the group's ``momentum`` or Adam's ``betas[0]``) when the scheduler
    cycles it or an initial momentum was given, else ``None``.
    """

    name: str
    params: dict[str, Any]
    lr: np.ndarray
    momentum: np.ndarray | None = None
    source: str = field(default="preview")

    @property
    def steps(self) -> int:
        """Number of schedule entries (index 0 is the value right after construction)."""
        return int(self.lr.shape[0])

    @property
    def n_groups(self) -> int:
        """Number of optimizer param groups."""
        return int(self.lr.shape[1])

    def __repr__(self) -> str:
        mom = "None" if self.momentum is None else f"array{self.momentum.shape}"
        return (
            f"Schedule(name={self.name!r}, steps={self.steps}, n_groups={self.n_groups}, "
            f"source={self.source!r}, lr=array{self.lr.shape}, momentum={mom})"
        )

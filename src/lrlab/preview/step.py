"""StepLR, MultiStepLR and ExponentialLR as cumulative products (bit-exact with torch's recursion).

StepLR: lr_t = lr_{t-1}·γ when t % step_size == 0 (closed form base·γ^(t//step_size)).
MultiStepLR: lr_t = lr_{t-1}·γ^count[t] (milestones counted with multiplicity; base·γ^bisect_right(m, t)).
ExponentialLR: lr_t = lr_{t-1}·γ (base·γ^t).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

import numpy as np

from lrlab.preview.child import Child, GroupState
from lrlab.preview.validation import check_int, check_real


class StepLRChild(Child):
    """StepLR(step_size, gamma=0.1): multiply by γ every ``step_size`` steps."""

    name = "StepLR"
    required = ("step_size",)
    defaults = {"gamma": 0.1}

    def validate(self) -> None:
        self.step_size = check_int("step_size", self.params["step_size"], minimum=1)
        self.gamma = check_real("gamma", self.params["gamma"], low=0.0)

    def factors(self, n: int) -> np.ndarray:
        f = np.ones((n, self.n_groups))
        f[self.step_size :: self.step_size] = self.gamma
        return f

    def change_points(self, n: int) -> np.ndarray | None:
        return np.arange(self.step_size, n, self.step_size) if self.step_size > 1 else None

    def factors_at(self, idx: np.ndarray) -> np.ndarray:
        return np.full((len(idx), self.n_groups), self.gamma)


class MultiStepLRChild(Child):
    """MultiStepLR(milestones, gamma=0.1): multiply by γ^count at each (possibly repeated) milestone."""

    name = "MultiStepLR"
    required = ("milestones",)
    defaults = {"gamma": 0.1}

    def validate(self) -> None:
        ms = self.params["milestones"]  # an iterable (torch's constructor judged it); the closed form needs ints >= 0
        if isinstance(ms, (str, bytes)):
            raise TypeError(f"milestones must be a list of ints >= 0, got {ms!r}")
        ms = [check_int(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(ms)]
        self.params["milestones"] = ms
        self.counts = Counter(ms)
        self.gamma = check_real("gamma", self.params["gamma"], low=0.0)

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        if 0 in self.counts:
            return prior * self.gamma ** self.counts[0]
        return prior.copy()

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.base * self.gamma ** bisect_right(sorted(self.counts.elements()), 0)

    def factors(self, n: int) -> np.ndarray:
        f = np.ones((n, self.n_groups))
        for m, c in self.counts.items():
            if 0 < m < n:
                f[m] = self.gamma**c
        return f

    def change_points(self, n: int) -> np.ndarray | None:
        return np.array(sorted(m for m in self.counts if 0 < m < n), dtype=np.int64)

    def factors_at(self, idx: np.ndarray) -> np.ndarray:
        return np.array([[self.gamma ** self.counts[int(m)]] * self.n_groups for m in idx]).reshape(-1, self.n_groups)


class ExponentialLRChild(Child):
    """ExponentialLR(gamma): multiply by γ every step."""

    name = "ExponentialLR"
    required = ("gamma",)

    def validate(self) -> None:
        self.gamma = check_real("gamma", self.params["gamma"], low=0.0)

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.base * self.gamma**0

    def factors(self, n: int) -> np.ndarray:
        return np.full((n, self.n_groups), self.gamma)

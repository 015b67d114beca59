"""LinearLR as a cumulative product of torch's chainable factors.

lr_0 = lr·s; for 1 <= t <= T: lr_t = lr_{t-1}·(1 + (e−s)/(T·s + (t−1)(e−s))); for t > T unchanged.
Closed form base·(s + (e−s)·min(T, t)/T) (used by SequentialLR's ``_update_lr(0)``).
"""

from __future__ import annotations

import numpy as np

from lrlab.preview.child import Child, GroupState
from lrlab.preview.validation import PreviewZeroDivisionError, check_int, check_real


class LinearLRChild(Child):
    """LinearLR(start_factor=1/3, end_factor=1.0, total_iters=5)."""

    name = "LinearLR"
    defaults = {"start_factor": 1.0 / 3, "end_factor": 1.0, "total_iters": 5}

    def validate(self) -> None:
        # torch's constructor has judged the factors' ranges (registry.ask_torch); the closed form needs an
        # int step count >= 0, which torch does not check
        self.s, self.e = float(self.params["start_factor"]), float(self.params["end_factor"])
        self.total_iters = check_int("total_iters", self.params["total_iters"], minimum=0)

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return prior * self.s

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        if self.total_iters == 0:
            raise PreviewZeroDivisionError("LinearLR with total_iters=0 divides by zero in its closed form "
                                           "(SequentialLR milestone); use total_iters >= 1")
        return self.base * (self.s + (self.e - self.s) * min(self.total_iters, 0) / self.total_iters)

    def run(self, n: int, x0: np.ndarray, group: GroupState) -> np.ndarray:
        """Products over the ramp (t <= total_iters), then constant."""
        last = min(self.total_iters, n - 1)
        f = self.factors(last + 1)
        f[0] = x0
        out = np.empty((n, self.n_groups))
        out[: last + 1] = np.cumprod(f[:, 0])[:, None] if self.n_groups == 1 else np.cumprod(f, axis=0)
        out[last + 1 :] = out[last]
        return out

    def factors(self, n: int) -> np.ndarray:
        f = np.ones((n, self.n_groups))
        big_t = self.total_iters
        last = min(big_t, n - 1)
        if last >= 1:
            t = np.arange(1, last + 1, dtype=np.float64)
            d = self.e - self.s
            f[1 : last + 1] = (1.0 + d / (big_t * self.s + (t - 1) * d))[:, None]
        return f


class ConstantLRChild(Child):
    """ConstantLR(factor=1/3, total_iters=5): lr_0 = lr·factor; lr_T = lr_{T-1}·(1/factor); else unchanged.

    Closed form base·(factor + (t >= T)·(1 − factor)) (SequentialLR's ``_update_lr(0)``). With T = 0 the
    recursion never undoes the factor (torch's ``get_lr`` tests ``last_epoch == total_iters`` only at t >= 1).
    """

    name = "ConstantLR"
    defaults = {"factor": 1.0 / 3, "total_iters": 5}

    def validate(self) -> None:
        self.factor = float(self.params["factor"])  # its range is torch's to judge (registry.ask_torch)
        self.total_iters = check_int("total_iters", self.params["total_iters"], minimum=0)

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return prior * self.factor

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.base * (self.factor + (0 >= self.total_iters) * (1 - self.factor))

    def check_horizon(self, n: int) -> None:
        if self.factor == 0.0 and 1 <= self.total_iters < n:
            raise PreviewZeroDivisionError(f"ConstantLR with factor=0 divides by zero at step {self.total_iters} "
                                           "(lr * (1.0 / factor)), as torch does; use factor > 0")

    def factors(self, n: int) -> np.ndarray:
        self.check_horizon(n)
        f = np.ones((n, self.n_groups))
        if 1 <= self.total_iters < n:
            f[self.total_iters] = 1.0 / self.factor
        return f


class PolynomialLRChild(Child):
    """PolynomialLR(total_iters=5, power=1.0): for 1 <= t <= T, lr_t = lr_{t-1}·((1 − t/T)/(1 − (t−1)/T))^p.

    Past T the LR stays (0 when p > 0). Closed form base·(1 − min(T, t)/T)^p (SequentialLR's ``_update_lr(0)``;
    it divides by T, so T = 0 there raises ZeroDivisionError like torch). The factors are computed with Python
    floats in torch's order of operations, so the products are bit-exact.
    """

    name = "PolynomialLR"
    defaults = {"total_iters": 5, "power": 1.0}

    def validate(self) -> None:
        self.total_iters = check_int("total_iters", self.params["total_iters"], minimum=0)
        self.power = float(check_real("power", self.params["power"]))

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        if self.total_iters == 0:
            raise PreviewZeroDivisionError("PolynomialLR with total_iters=0 divides by zero in its closed form "
                                           "(SequentialLR milestone); use total_iters >= 1")
        return self.base * (1.0 - min(self.total_iters, 0) / self.total_iters) ** self.power

    def check_horizon(self, n: int) -> None:
        if self.power < 0 and 1 <= self.total_iters < n:
            raise PreviewZeroDivisionError(f"PolynomialLR with power={self.power} < 0 raises 0.0 to a negative "
                                           f"power at step {self.total_iters}, as torch does; use power >= 0")

    def factors(self, n: int) -> np.ndarray:
        self.check_horizon(n)
        f = np.ones((n, self.n_groups))
        big_t, p = self.total_iters, self.power
        last = min(big_t, n - 1)
        if last >= 1:
            ratios = [((1.0 - t / big_t) / (1.0 - (t - 1) / big_t)) ** p for t in range(1, last + 1)]
            f[1 : last + 1] = np.asarray(ratios, dtype=np.float64)[:, None]
        return f

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
        s = self.params["start_factor"]
        e = self.params["end_factor"]
        check_real("start_factor", s)
        check_real("end_factor", e)
        if s > 1.0 or s <= 0:
            raise ValueError(
                f"start_factor must be in (0, 1]: Starting multiplicative factor expected to be greater than 0 "
                f"and less or equal to 1, got {s!r}"
            )
        if e > 1.0 or e < 0:
            raise ValueError(f"end_factor must be in [0, 1]: Ending multiplicative factor expected to be between "
                             f"0 and 1, got {e!r}")
        self.s, self.e = float(s), float(e)
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

"""OneCycleLR: torch's phase formula vectorised over steps.

Two phases end at pct·N − 1 and N − 1 (three_phase: pct·N − 1, 2·pct·N − 2, N − 1); in the phase that holds
step t, p = (t − start)/(end − start) and
cos: v = end_v + (start_v − end_v)/2·(cos(π·p) + 1), linear: v = (end_v − start_v)·p + start_v,
with initial = max_lr/div_factor, min = initial/final_div_factor. Momentum runs max→base→max.
torch allows t = N (the last call extrapolates past the end) and raises for t > N.
"""

from __future__ import annotations

import math

import numpy as np

from lrlab.preview.child import Child, GroupState
from lrlab.preview.fastmath import columns, cos_progression
from lrlab.preview.validation import (
    PreviewZeroDivisionError,
    check_bool,
    check_real,
    per_group,
)


class OneCycleLRChild(Child):
    """OneCycleLR(max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
    anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
    final_div_factor=1e4, three_phase=False)."""

    name = "OneCycleLR"
    kind = "abs"
    required = ("max_lr",)
    defaults = {
        "total_steps": None, "epochs": None, "steps_per_epoch": None, "pct_start": 0.3,
        "anneal_strategy": "cos", "cycle_momentum": True, "base_momentum": 0.85, "max_momentum": 0.95,
        "div_factor": 25.0, "final_div_factor": 1e4, "three_phase": False,
    }

    def validate(self) -> None:
        p, g = self.params, self.n_groups
        # torch has judged the step counts, pct_start, anneal_strategy and the lists' lengths (registry.ask_torch)
        ts, ep, spe = p["total_steps"], p["epochs"], p["steps_per_epoch"]
        self.N = ts if ts is not None else ep * spe
        self.pct = pct = p["pct_start"]
        self.anneal = p["anneal_strategy"]
        self.max_lrs = per_group("max_lr", p["max_lr"], g, low=0.0)
        self.div = check_real("div_factor", p["div_factor"], low=0.0, low_open=True)
        self.final_div = check_real("final_div_factor", p["final_div_factor"], low=0.0, low_open=True)
        self.three = check_bool("three_phase", p["three_phase"])
        self.cycle_mom = check_bool("cycle_momentum", p["cycle_momentum"])
        if self.cycle_mom:
            self.max_moms = per_group("max_momentum", p["max_momentum"], g, low=0.0, high=1.0)
            self.base_moms = per_group("base_momentum", p["base_momentum"], g, low=0.0, high=1.0)
        n_total = self.N
        if self.three:
            ends = [float(pct * n_total) - 1, float(2 * pct * n_total) - 2, n_total - 1]
            self.phases = [(ends[0], "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                           (ends[1], "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                           (ends[2], "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            ends = [float(pct * n_total) - 1, n_total - 1]
            self.phases = [(ends[0], "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                           (ends[1], "max_lr", "min_lr", "base_momentum", "max_momentum")]

    @property
    def cycles_momentum(self) -> bool:
        return self.cycle_mom

    def construct(self, group: GroupState) -> None:
        group.initial_lr = self.max_lrs / self.div
        group.extra["max_lr"] = self.max_lrs.copy()
        group.extra["min_lr"] = group.initial_lr / self.final_div
        if self.cycle_mom:
            group.momentum = self.max_moms.copy()
            group.extra["max_momentum"] = self.max_moms.copy()
            group.extra["base_momentum"] = self.base_moms.copy()
        self.base = group.initial_lr.copy()

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def check_horizon(self, n: int) -> None:
        if n - 1 > self.N:
            raise ValueError(
                f"steps must be <= total_steps + 1 = {self.N + 1} for OneCycleLR: Tried to step {self.N + 1} times. "
                f"The specified number of total steps is {self.N}")

    def _profile(self, n: int) -> list[tuple[int, int, int, np.ndarray]]:
        """Per phase i: (i, first, stop, shape) with shape = cos(π·p) + 1 ('cos') or p ('linear'); cached."""
        cache = getattr(self, "_profile_cache", None)
        if cache is not None and cache[0] == n:
            return cache[1]
        self.check_horizon(n)
        out = []
        first, start_step = 0, 0.0
        last = len(self.phases) - 1
        for i, phase in enumerate(self.phases):
            end_step = phase[0]
            # steps t >= first with t <= end_step (t integer), or all remaining in the last phase
            stop = n if i == last else max(first, min(n, int(np.floor(end_step)) + 1))
            if stop > first:
                denom = end_step - start_step
                if denom == 0:
                    raise PreviewZeroDivisionError(
                        f"OneCycleLR phase {i} has zero length (pct_start={self.pct}, total_steps={self.N}): "
                        "torch divides by zero here; choose pct_start so that the phases are non-empty")
                if self.anneal == "cos":  # cos(π·(t − start)/denom) over consecutive t
                    shape = cos_progression(math.pi * (first - start_step) / denom, math.pi / denom, stop - first) + 1
                else:
                    shape = (np.arange(first, stop, dtype=np.float64) - start_step) / denom
                out.append((i, first, stop, shape))
            first = stop
            start_step = end_step
        self._profile_cache = (n, out)
        return out

    def _interp(self, n: int, group: GroupState, keys: tuple[int, int]) -> np.ndarray:
        out = np.empty((n, self.n_groups))
        for i, first, stop, shape in self._profile(n):
            phase = self.phases[i]
            a = group.extra[phase[keys[0]]] if phase[keys[0]] != "initial_lr" else group.initial_lr
            b = group.extra[phase[keys[1]]] if phase[keys[1]] != "initial_lr" else group.initial_lr
            m = stop - first
            if self.anneal == "cos":
                out[first:stop] = columns(m, self.n_groups, lambda q, a=a, b=b, s=shape: b[q] + (a[q] - b[q]) / 2.0 * s)
            else:
                out[first:stop] = columns(m, self.n_groups, lambda q, a=a, b=b, s=shape: (b[q] - a[q]) * s + a[q])
        return out

    def values(self, n: int, group: GroupState) -> np.ndarray:
        return self._interp(n, group, (1, 2))

    def momentum(self, n: int, group: GroupState) -> np.ndarray:
        return self._interp(n, group, (3, 4))

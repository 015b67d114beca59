"""CyclicLR: torch's closed form, vectorised over steps (bit-exact).

cycle = ⌊1 + t/N⌋ (N = up + down), x = 1 + t/N − cycle, r = up/N;
sf = x/r if x <= r else (x − 1)/(r − 1);
lr = base + (max − base)·sf·scale, momentum = max_m − (max_m − base_m)·sf·scale,
scale = scale_fn(cycle) ('cycle' mode) or scale_fn(t) ('iterations'): triangular 1, triangular2 1/2^(cycle−1),
exp_range γ^t. Construction sets the group lr to base_lr (and momentum to max_momentum).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrlab.preview.child import Child, GroupState
from lrlab.preview.fastmath import columns, int_powers
from lrlab.preview.validation import check_bool, check_choice, check_real, per_group


def _scale_values(fn: Callable[[float], float], xs: np.ndarray) -> np.ndarray:
    """fn at integer points ``xs``: one vectorised call when fn accepts arrays and agrees with scalar calls."""
    n = len(xs)
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(fn(xs.astype(np.float64)), dtype=np.float64)
        out = np.broadcast_to(out, (n,)).copy() if out.ndim <= 1 else None
    except Exception:  # noqa: BLE001 - any failure means "not vectorisable": fall back to scalar calls
        out = None
    if out is not None:
        probe = np.unique(np.r_[0, n - 1, np.linspace(0, n - 1, 7).astype(int)])
        scalar = np.array([float(fn(int(xs[i]))) for i in probe])
        if not np.allclose(out[probe], scalar, rtol=1e-13, atol=0.0, equal_nan=True):
            out = None
    if out is None:
        out = np.array([float(fn(int(v))) for v in xs], dtype=np.float64)
    return out


class CyclicLRChild(Child):
    """CyclicLR(base_lr, max_lr, step_size_up=2000, step_size_down=None, mode='triangular', gamma=1.0,
    scale_fn=None, scale_mode='cycle', cycle_momentum=True, base_momentum=0.8, max_momentum=0.9)."""

    name = "CyclicLR"
    kind = "abs"
    required = ("base_lr", "max_lr")
    defaults = {
        "step_size_up": 2000, "step_size_down": None, "mode": "triangular", "gamma": 1.0, "scale_fn": None,
        "scale_mode": "cycle", "cycle_momentum": True, "base_momentum": 0.8, "max_momentum": 0.9,
    }

    def validate(self) -> None:
        p, g = self.params, self.n_groups
        self.base_lrs = per_group("base_lr", p["base_lr"], g, low=0.0)
        self.max_lrs = per_group("max_lr", p["max_lr"], g, low=0.0)
        up = check_real("step_size_up", p["step_size_up"], low=0.0, low_open=True)
        down = up if p["step_size_down"] is None else check_real("step_size_down", p["step_size_down"], low=0.0)
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.gamma = check_real("gamma", p["gamma"], low=0.0, low_open=True)
        fn = p["scale_fn"]  # torch has judged scale_fn and mode (registry.ask_torch)
        self.scale_mode = check_choice("scale_mode", p["scale_mode"], ("cycle", "iterations"))
        if fn is None:
            self.scale_mode = "iterations" if p["mode"] == "exp_range" else "cycle"
        self.cycle_mom = check_bool("cycle_momentum", p["cycle_momentum"])
        if self.cycle_mom:
            self.base_moms = per_group("base_momentum", p["base_momentum"], g, low=0.0, high=1.0)
            self.max_moms = per_group("max_momentum", p["max_momentum"], g, low=0.0, high=1.0)

    @property
    def cycles_momentum(self) -> bool:
        return self.cycle_mom

    def construct(self, group: GroupState) -> None:
        group.lr = self.base_lrs.copy()
        if self.cycle_mom:
            group.momentum = self.max_moms.copy()
            group.extra["max_momentum"] = self.max_moms.copy()
            group.extra["base_momentum"] = self.base_moms.copy()
        self._construct_base = group.setdefault_initial_lr().copy()
        self.base = self.base_lrs.copy()

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        """At construction torch's initial step still uses base_lrs = the group's initial_lr (base_lr is
        assigned after it), so epoch 0 gives initial_lr; a later re-initialisation uses base_lr."""
        first = self.values(1, group)[0]
        if getattr(self, "_construct_base", None) is not None:
            sf, scale = self._shape(1)
            b = self._construct_base
            first = b + (self.max_lrs - b) * sf[0] * (1.0 if scale is None else scale[0])
            self._construct_base = None
        return first

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def _shape(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(scale_factor, scale) per epoch 0..n-1: the common profile of lr and momentum (cached)."""
        cache = getattr(self, "_shape_cache", None)
        if cache is not None and cache[0] == n:
            return cache[1]
        out = self._compute_shape(n)
        self._shape_cache = (n, out)
        return out

    def _compute_shape(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        size = self.total_size
        if size == int(size) and n > 4 * size and self.params["scale_fn"] is None:
            return self._periodic_shape(n, int(size))
        t = np.arange(n, dtype=np.float64)
        cycle = np.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle
        r = self.step_ratio
        up = x <= r
        sf = x / r
        if r != 1.0:
            down = ~up
            sf[down] = (x[down] - 1) / (r - 1)
        fn, mode = self.params["scale_fn"], self.params["mode"]
        if self.scale_mode == "cycle":
            cyc = cycle.astype(np.int64)
            if fn is None and mode == "triangular":
                scale = None
            elif fn is None:  # triangular2: 1 / 2.0**(cycle-1); Python raises OverflowError past 2**1023
                if cyc[-1] - 1 > 1023:
                    raise OverflowError(
                        f"CyclicLR mode='triangular2' overflows (2.0**(cycle-1)) at cycle {cyc[-1]} > 1024, as in torch")
                table = 1 / (2.0 ** np.arange(cyc[0] - 1, cyc[-1], dtype=np.float64))
                scale = table[cyc - cyc[0]]
            else:
                uniq, inv = np.unique(cyc, return_inverse=True)
                scale = _scale_values(fn, uniq)[inv]
        else:
            if fn is None:  # exp_range: gamma**t
                scale = int_powers(self.gamma, n)
                if not np.all(np.isfinite(scale)):
                    raise OverflowError("CyclicLR mode='exp_range': gamma**t overflows, as in torch")
            else:
                scale = _scale_values(fn, np.arange(n))
        return sf, scale

    def _periodic_shape(self, n: int, size: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Integer cycle length: sf repeats every cycle (one cycle computed, then tiled); scale per cycle."""
        t = np.arange(size, dtype=np.float64)
        x = 1.0 + t / size - 1.0
        r = self.step_ratio
        sf1 = x / r
        down = x > r
        sf1[down] = (x[down] - 1) / (r - 1)
        sf = np.resize(sf1, n)
        mode = self.params["mode"]
        if mode == "triangular":
            return sf, None
        if mode == "triangular2":
            cycles = -(-n // size)
            if cycles - 1 > 1023:
                raise OverflowError(
                    f"CyclicLR mode='triangular2' overflows (2.0**(cycle-1)) at cycle {cycles} > 1024, as in torch")
            per_cycle = 1 / (2.0 ** np.arange(cycles, dtype=np.float64))
            return sf, np.repeat(per_cycle, size)[:n]
        return sf, int_powers(self.gamma, n)

    def values(self, n: int, group: GroupState) -> np.ndarray:
        sf, scale = self._shape(n)
        lo, hi = self.base_lrs, self.max_lrs
        if scale is None:
            return columns(n, self.n_groups, lambda q: lo[q] + (hi[q] - lo[q]) * sf)
        return columns(n, self.n_groups, lambda q: lo[q] + (hi[q] - lo[q]) * sf * scale)

    def momentum(self, n: int, group: GroupState) -> np.ndarray:
        sf, scale = self._shape(n)
        lo, hi = self.base_moms, self.max_moms
        if scale is None:
            return columns(n, self.n_groups, lambda q: hi[q] - (hi[q] - lo[q]) * sf)
        return columns(n, self.n_groups, lambda q: hi[q] - (hi[q] - lo[q]) * sf * scale)

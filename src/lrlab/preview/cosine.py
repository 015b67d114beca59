"""CosineAnnealingLR (torch's recursion, periodic past T_max) and CosineAnnealingWarmRestarts.

CosineAnnealingLR, torch's chainable form with A_t = 1 + cos(π·t/T):
  lr_t = η + (A_t / A_{t-1})·(lr_{t-1} − η), except when (t−1−T) % 2T == 0 (just past a trough):
  lr_t = lr_{t-1} + (base − η)(1 − cos(π/T))/2.
Mathematically lr_t = η + (base − η)·A_t/2: the schedule is periodic with period 2T and climbs back to base
at 2T. Each row of 2T steps (trough to trough) is a cumulative product of ratios; when η != 0 the first
steps after each trough are replayed exactly (they carry torch's rounding, which the rise amplifies).
CosineAnnealingWarmRestarts: lr = η + (base − η)(1 + cos(π·T_cur/T_i))/2, T_cur restarting at 0 after
T_i steps and T_i ← T_i·T_mult.
"""

from __future__ import annotations

import math

import numpy as np

from lrlab.preview.child import Child, GroupState
from lrlab.preview.validation import check_int, check_real


class CosineAnnealingLRChild(Child):
    """CosineAnnealingLR(T_max, eta_min=0.0)."""

    name = "CosineAnnealingLR"
    kind = "cos"
    required = ("T_max",)
    defaults = {"eta_min": 0.0}

    def validate(self) -> None:
        self.T = check_int("T_max", self.params["T_max"], minimum=1)
        self.eta = check_real("eta_min", self.params["eta_min"], low=0.0)

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.eta + (self.base - self.eta) * (1 + math.cos(math.pi * 0 / self.T)) / 2

    # -- pieces of the recursion ------------------------------------------------------------------
    def ratios(self, n: int) -> np.ndarray:
        """r_t = A_t / A_{t-1} for t = 0..n-1 (r_0 = 1; inf/nan where A_{t-1} = 0 are never used)."""
        a = 1 + np.cos(np.pi * np.arange(n, dtype=np.float64) / self.T)
        r = np.ones(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            r[1:] = a[1:] / a[:-1]
        return r

    def correction(self) -> np.ndarray:
        """c = (base − η)(1 − cos(π/T))/2, added just past each trough."""
        return (self.base - self.eta) * (1 - math.cos(math.pi / self.T)) / 2

    def correction_steps(self, n: int) -> np.ndarray:
        """Epochs t in [1, n) with (t − 1 − T) % 2T == 0."""
        return np.arange(self.T + 1, n, 2 * self.T)

    def exact_prefix(self) -> int:
        """Steps replayed exactly after each trough (η != 0) so torch's amplified rounding is reproduced."""
        return int(math.ceil(4.5e-7 * self.T * self.T)) + 8

    def run(self, n: int, x0: np.ndarray, group: GroupState) -> np.ndarray:
        g = self.n_groups
        eta = self.eta
        r = self.ratios(n)
        out = np.empty((n, g))
        # rows: [0, T], then [T+1+2kT, T+2kT+2T] (each starts with the trough correction)
        first = min(n, self.T + 1)
        rows = [(0, first)]
        starts = self.correction_steps(n)
        rows += [(int(s), int(min(s + 2 * self.T, n))) for s in starts]
        c = self.correction()
        a_trough = 1 + np.cos(np.pi * (starts - 1).astype(np.float64) / self.T)
        sequential = bool(np.any(a_trough != 0.0))  # never seen: troughs are exactly η in float64
        length = 2 * self.T
        # row starting values
        m = len(rows)
        width = first if m == 1 else length
        block = np.ones((m, width, g))
        block[0, 0] = x0
        block[0, 1:first] = r[1:first, None]
        if m > 1:
            idx = starts[:, None] + np.arange(length)[None, :]
            valid = idx < n
            rr = np.where(valid, r[np.minimum(idx, n - 1)], 1.0)
            block[1:, :length] = rr[:, :, None]
            block[1:, 0] = eta + c  # trough value (η exactly) + correction
        if sequential:
            return self._run_sequential(n, x0, r, c)
        if eta == 0.0:
            vals = np.cumprod(block, axis=1)
        else:
            vals = self._affine_rows(block)
        out[:first] = vals[0, :first]
        for k, (s, e) in enumerate(rows[1:], start=1):
            out[s:e] = vals[k, : e - s]
        return out

    def _affine_rows(self, block: np.ndarray) -> np.ndarray:
        """x_j = η + r_j·(x_{j-1} − η) along axis 1: exact replay for the first K columns, then products."""
        eta = self.eta
        width = block.shape[1]
        k = min(width, self.exact_prefix())
        vals = np.empty_like(block)
        x = block[:, 0].copy()
        vals[:, 0] = x
        for j in range(1, k):
            x = block[:, j] * (x - eta) + eta
            vals[:, j] = x
        if k < width:
            y = block[:, k - 1 :].copy()
            y[:, 0] = x - eta
            np.cumprod(y, axis=1, out=y)
            vals[:, k:] = y[:, 1:] + eta
        return vals

    def _run_sequential(self, n: int, x0: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        out = np.empty((n, self.n_groups))
        x = x0.copy()
        out[0] = x
        period = 2 * self.T
        for t in range(1, n):
            x = x + c if (t - 1 - self.T) % period == 0 else r[t] * (x - self.eta) + self.eta
            out[t] = x
        return out


class CosineAnnealingWarmRestartsChild(Child):
    """CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0.0)."""

    name = "CosineAnnealingWarmRestarts"
    kind = "abs"
    required = ("T_0",)
    defaults = {"T_mult": 1, "eta_min": 0.0}

    def validate(self) -> None:
        t0, tm, eta = self.params["T_0"], self.params["T_mult"], self.params["eta_min"]
        if isinstance(t0, bool) or not isinstance(t0, int) or t0 <= 0:
            raise ValueError(f"T_0 must be a positive int: Expected positive integer T_0, but got {t0!r}")
        if isinstance(tm, bool) or not isinstance(tm, int) or tm < 1:
            raise ValueError(f"T_mult must be an int >= 1: Expected integer T_mult >= 1, but got {tm!r}")
        if isinstance(eta, bool) or not isinstance(eta, (float, int)):
            raise ValueError(f"eta_min must be a float or int: Expected float or int eta_min, but got {eta!r} "
                             f"of type {type(eta)}")
        self.T0, self.Tmult = t0, tm
        self.eta = check_real("eta_min", eta, low=0.0)

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def phase(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(T_cur, T_i) for epochs 0..n-1."""
        t = np.arange(n)
        if self.Tmult == 1:
            return t % self.T0, np.full(n, self.T0)
        starts, lengths = [0], [self.T0]
        while starts[-1] + lengths[-1] < n:
            starts.append(starts[-1] + lengths[-1])
            lengths.append(lengths[-1] * self.Tmult)
        j = np.searchsorted(np.array(starts), t, side="right") - 1
        return t - np.array(starts)[j], np.array(lengths, dtype=np.float64)[j]

    def values(self, n: int, group: GroupState) -> np.ndarray:
        tcur, ti = self.phase(n)
        cosv = 1 + np.cos(np.pi * tcur.astype(np.float64) / ti)
        return self.eta + (self.base[None, :] - self.eta) * cosv[:, None] / 2

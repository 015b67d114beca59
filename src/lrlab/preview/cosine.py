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
from lrlab.preview.fastmath import columns, cos_progression
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
        return max(1, int(math.ceil(4.5e-7 * self.T * self.T)))

    def run(self, n: int, x0: np.ndarray, group: GroupState) -> np.ndarray:
        """Rows trough-to-trough; each is the telescoped recursion x_t = η + (x_s − η)·A_t/A_s."""
        big_t, eta, g = self.T, self.eta, self.n_groups
        m = min(n, 3 * big_t + 1)
        a = 1 + cos_progression(0.0, math.pi / big_t, m)
        a[big_t::2 * big_t] = 0.0  # troughs: exactly 0 in torch's float64 (cos of an odd multiple of π is -1)
        out = np.empty((n, g))
        first = min(n, big_t + 1)
        shape0 = a[:first] / a[0]
        out[:first] = columns(first, g, lambda q: eta + (x0[q] - eta) * shape0)
        if n <= big_t + 1:
            return out
        period = 2 * big_t
        starts = np.arange(big_t + 1, n, period)
        arow = a[big_t + 1 : big_t + 1 + period]  # one trough-to-trough row (the last may be cut)
        width = len(arow)
        start_val = eta + self.correction()  # trough value η (exact) plus the correction
        if eta == 0.0:
            shape1 = arow / arow[0]
            rowvals = columns(width, g, lambda q: start_val[q] * shape1)
            block = np.broadcast_to(rowvals, (len(starts), width, g))
        else:
            block = self._rows_with_replay(starts, arow, start_val)
        flat = block.reshape(-1, g)
        out[big_t + 1 :] = flat[: n - big_t - 1]
        return out

    def _rows_with_replay(self, starts: np.ndarray, arow: np.ndarray, start_val: np.ndarray) -> np.ndarray:
        """η != 0: replay torch's first K steps of every row exactly, then telescope from step K−1."""
        eta, g, width = self.eta, self.n_groups, len(arow)
        k = min(width, self.exact_prefix())
        if k == 1:  # short periods: torch's rounding is not amplified visibly; every row is the same
            row = eta + (start_val - eta)[None, :] * (arow / arow[0])[:, None]
            return np.broadcast_to(row, (len(starts), width, g))
        tt = starts[:, None] + np.arange(k)[None, :]
        a_exact = 1 + np.cos(np.pi * tt.astype(np.float64) / self.T)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = a_exact[:, 1:] / a_exact[:, :-1]
        rows = len(starts)
        pre = np.empty((rows, k, g))
        if rows * g <= 16:
            for i in range(rows):
                rr = r[i].tolist()
                for q in range(g):
                    x = float(start_val[q])
                    col = [x]
                    for rj in rr:
                        x = rj * (x - eta) + eta
                        col.append(x)
                    pre[i, :, q] = col
        else:
            x = np.broadcast_to(start_val, (rows, g)).copy()
            pre[:, 0] = x
            for j in range(1, k):
                x = r[:, j - 1, None] * (x - eta) + eta
                pre[:, j] = x
        block = np.empty((rows, width, g))
        block[:, :k] = pre
        if k < width:
            y = pre[:, k - 1] - eta  # (rows, g)
            block[:, k:] = eta + y[:, None, :] * (arow[k:] / arow[k - 1])[None, :, None]
        return block


class CosineAnnealingWarmRestartsChild(Child):
    """CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0.0)."""

    name = "CosineAnnealingWarmRestarts"
    kind = "abs"
    required = ("T_0",)
    defaults = {"T_mult": 1, "eta_min": 0.0}

    def validate(self) -> None:
        # torch has judged T_0, T_mult and eta_min's type (registry.ask_torch); a negative LR floor it accepts
        self.T0, self.Tmult = self.params["T_0"], self.params["T_mult"]
        self.eta = check_real("eta_min", self.params["eta_min"], low=0.0)

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
        """Each restart cycle is cos of an arithmetic progression; with T_mult = 1 one cycle is tiled."""
        if self.Tmult == 1:
            cyc = 1 + cos_progression(0.0, math.pi / self.T0, min(n, self.T0))
            cosv = np.resize(cyc, n)
        else:
            cosv = np.empty(n)
            begin, length = 0, self.T0
            while begin < n:
                stop = min(n, begin + length)
                cosv[begin:stop] = 1 + cos_progression(0.0, math.pi / length, stop - begin)
                begin, length = stop, length * self.Tmult
        return columns(n, self.n_groups, lambda q: self.eta + (self.base[q] - self.eta) * cosv / 2)


def _swa_alpha(strategy: str, t: float) -> float:
    """SWALR's anneal function: cos (1 − cos(π·t))/2, linear t."""
    return (1 - math.cos(math.pi * t)) / 2 if strategy == "cos" else t


class SWALRChild(Child):
    """SWALR(swa_lr, anneal_epochs=10, anneal_strategy="cos") (torch.optim.swa_utils), driven by its step count s.

    With A = anneal_epochs (s = max(1, s) when A = 0), α_s = anneal(clamp(s / max(1, A), 0, 1)) and
    α' = α_{s−1}: start = swa if α' == 1 else (lr − α'·swa)/(1 − α'), then lr_s = swa·α_s + start·(1 − α_s).
    It reads the group's current LR (chainable): s = 0 (the initial step, or SequentialLR's ``_update_lr(0)``)
    keeps it, and from s = max(1, A) on the LR is exactly swa. Replayed step by step with Python floats in
    torch's order of operations (bit-exact); only the first max(1, A) + 1 steps are computed.
    """

    name = "SWALR"
    kind = "op"
    required = ("swa_lr",)
    defaults = {"anneal_epochs": 10, "anneal_strategy": "cos"}

    def validate(self) -> None:
        # torch has judged swa_lr's length, anneal_strategy and anneal_epochs (registry.ask_torch)
        swa = self.params["swa_lr"]
        values = list(swa) if isinstance(swa, (list, tuple)) else [swa] * self.n_groups
        self.swa = [float(check_real(f"swa_lr[{i}]", v)) for i, v in enumerate(values)]
        self.strategy = self.params["anneal_strategy"]
        self.anneal = int(self.params["anneal_epochs"])

    def construct(self, group: GroupState) -> None:
        super().construct(group)
        group.extra["swa_lr"] = np.array(self.swa)

    def coefficients(self, s: int) -> tuple[float, float]:
        """(α_{s−1}, α_s) of step count s."""
        if self.anneal == 0:
            s = max(1, s)
        width = max(1, self.anneal)
        prev_t = max(0, min(1, (s - 1) / width))
        t = max(0, min(1, s / width))
        return _swa_alpha(self.strategy, prev_t), _swa_alpha(self.strategy, t)

    def step_map(self, x: np.ndarray, s: int) -> np.ndarray:
        """The LR after the step with count s, from the group LRs ``x`` (shape (G,))."""
        prev_alpha, alpha = self.coefficients(s)
        out = np.empty(len(x))
        for g, (lr, swa) in enumerate(zip(x.tolist(), self.swa, strict=True)):
            start = swa if prev_alpha == 1 else (lr - prev_alpha * swa) / (1 - prev_alpha)
            out[g] = swa * alpha + start * (1 - alpha)
        return out

    def step_rows(self, x: np.ndarray, n: int) -> np.ndarray:
        """Row t of ``x`` mapped by the step with count t (independent inputs, rows 1..n-1; row 0 kept)."""
        out = x.copy()
        for t in range(1, n):
            out[t] = self.step_map(x[t], t)
        return out

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.step_map(prior, 0)

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.step_map(prior, 0)

    def run(self, n: int, x0: np.ndarray, group: GroupState) -> np.ndarray:
        out = np.empty((n, self.n_groups))
        out[0] = x = x0
        last = min(n - 1, max(1, self.anneal) + 1)  # past this step the map sends swa to swa: constant
        for s in range(1, last + 1):
            out[s] = x = self.step_map(x, s)
        out[last + 1 :] = x
        return out

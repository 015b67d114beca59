"""LambdaLR: lr_t = base · λ(t), recomputed from the base LR at every step (one λ per param group).

λ is called once on the int array ``arange(n)`` when that works, returns shape (n,) and agrees with scalar
calls λ(t) at a few probe points (|v − s| <= 1e-15 + 1e-12·|s|); otherwise λ is called once per step,
exactly as torch does (``base_lr * lmbda(last_epoch)`` with a Python int).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lrlab.preview.child import Child, GroupState

PROBES = 9


def lambda_values(fn: Callable[[int], Any], n: int) -> np.ndarray:
    """λ(t) for t = 0..n-1 as float64: one vectorised call if it matches scalar calls, else a scalar loop."""
    t = np.arange(n, dtype=np.int64)
    out: np.ndarray | None
    try:
        with np.errstate(all="ignore"):
            raw = fn(t)
        out = np.asarray(raw, dtype=np.float64)
        if out.shape != (n,):
            out = None
    except Exception:  # noqa: BLE001 - any failure means "not vectorisable": fall back to scalar calls
        out = None
    if out is not None:
        probe = np.unique(np.r_[0, 1, n - 1, np.linspace(0, n - 1, PROBES).astype(np.int64)])
        probe = probe[probe < n]
        scalar = np.array([float(fn(int(i))) for i in probe], dtype=np.float64)
        got = out[probe]
        same = (got == scalar) | (np.abs(got - scalar) <= 1e-15 + 1e-12 * np.abs(scalar))
        if not bool(np.all(same | (np.isnan(got) & np.isnan(scalar)))):
            out = None
    if out is None:
        out = np.fromiter((float(fn(i)) for i in range(n)), dtype=np.float64, count=n)
    return out


class LambdaLRChild(Child):
    """LambdaLR(lr_lambda): a callable λ(t) -> multiplier, or a list with one callable per param group."""

    name = "LambdaLR"
    kind = "abs"
    required = ("lr_lambda",)

    def validate(self) -> None:
        # torch has judged the count and callability of lr_lambda (registry.ask_torch)
        fns = self.params["lr_lambda"]
        self.fns = list(fns) if isinstance(fns, (list, tuple)) else [fns] * self.n_groups

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return self.values(1, group)[0]

    def values(self, n: int, group: GroupState) -> np.ndarray:
        """base_g · λ_g(t) for t = 0..n-1 (λ shared by all groups is evaluated once)."""
        out = np.empty((n, self.n_groups))
        done: dict[int, np.ndarray] = {}
        for g, fn in enumerate(self.fns):
            lam = done.get(id(fn))
            if lam is None:
                lam = done[id(fn)] = lambda_values(fn, n)
            out[:, g] = self.base[g] * lam
        return out


class MultiplicativeLRChild(LambdaLRChild):
    """MultiplicativeLR(lr_lambda): lr_t = lr_{t-1}·λ(t) for t >= 1 (a product of factors; λ(0) is unused).

    The initial step keeps the LR; SequentialLR's ``_update_lr(0)`` at a milestone multiplies the current LR by
    λ(0) (torch has no closed form for it, so ``get_lr`` runs with ``last_epoch = 0``).
    """

    name = "MultiplicativeLR"
    kind = "mul"

    def initial(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return prior.copy()

    def reset(self, prior: np.ndarray, group: GroupState) -> np.ndarray:
        return prior * np.array([float(fn(0)) for fn in self.fns])

    def factors(self, n: int) -> np.ndarray:
        """f_t = λ_g(t) (row 0 is replaced by the starting value)."""
        f = np.empty((n, self.n_groups))
        done: dict[int, np.ndarray] = {}
        for g, fn in enumerate(self.fns):
            lam = done.get(id(fn))
            if lam is None:
                lam = done[id(fn)] = lambda_values(fn, n)
            f[:, g] = lam
        return f

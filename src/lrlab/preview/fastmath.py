"""Vectorised kernels for long schedules: cos of an arithmetic progression and integer powers.

Both split k = i·B + j (B ≈ √m) and combine two short tables with one outer product:
cos(α + kβ) = cos(α + iBβ)·cos(jβ) − sin(α + iBβ)·sin(jβ); γ^k = γ^(iB)·γ^j.
The results are within a few ulp (absolute) of the direct evaluation. Short inputs use the direct form.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

DIRECT_BELOW = 2048


def cos_progression(alpha: float, beta: float, m: int) -> np.ndarray:
    """cos(α + k·β) for k = 0..m-1."""
    if m < DIRECT_BELOW:
        return np.cos(alpha + beta * np.arange(m, dtype=np.float64))
    b = int(math.isqrt(m - 1)) + 1
    rows = -(-m // b)
    a = alpha + (b * beta) * np.arange(rows, dtype=np.float64)
    j = beta * np.arange(b, dtype=np.float64)
    ca, sa, cj, sj = np.cos(a), np.sin(a), np.cos(j), np.sin(j)
    out = np.multiply.outer(ca, cj)
    out -= np.multiply.outer(sa, sj)
    return out.reshape(-1)[:m]


def int_powers(gamma: float, m: int) -> np.ndarray:
    """γ^k for k = 0..m-1."""
    if m < DIRECT_BELOW:
        return gamma ** np.arange(m, dtype=np.float64)
    b = int(math.isqrt(m - 1)) + 1
    rows = -(-m // b)
    with np.errstate(over="ignore", under="ignore"):
        hi = gamma ** (b * np.arange(rows, dtype=np.float64))
        lo = gamma ** np.arange(b, dtype=np.float64)
        return np.multiply.outer(hi, lo).reshape(-1)[:m]


def columns(n: int, n_groups: int, column: Callable[[int], np.ndarray]) -> np.ndarray:
    """Array (n, G) built column by column from 1-D ``column(g)`` (avoids slow (n, 1) broadcasting)."""
    if n_groups == 1:
        return np.asarray(column(0), dtype=np.float64).reshape(n, 1)
    out = np.empty((n, n_groups))
    for g in range(n_groups):
        out[:, g] = column(g)
    return out

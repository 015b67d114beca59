"""The course tolerance, in one place: values match when ``|got - expected| <= atol + rtol * |expected|``.

``rtol = 1e-9`` and ``atol = 1e-12 * lr0`` (lr0 = the group's initial LR; ``1e-12`` for momentum). torch's
recursive forms drift from the closed forms by up to ~4e-11 relative over 100k steps, so 1e-9 accepts every
correct form and rejects every real bug. NaN matches NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RTOL = 1e-9
ATOL_PER_LR0 = 1e-12


def atol_for(lr0: Any) -> Any:
    """Absolute tolerance for values that start at ``lr0`` (a float or one per group)."""
    return ATOL_PER_LR0 * np.abs(np.asarray(lr0, dtype=float))


def close(got: Any, expected: Any, atol: Any) -> np.ndarray:
    """Elementwise match at the course tolerance (NaN == NaN)."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore"):
        ok = np.abs(got - expected) <= atol + RTOL * np.abs(expected)
    return ok | (np.isnan(got) & np.isnan(expected)) | (got == expected)


def first_mismatch(expected: Any, got: Any, atol: Any = None) -> tuple[int, int] | None:
    """First (step, group) where ``got`` differs from ``expected``; arrays (steps,) or (steps, groups).

    ``atol`` defaults to ``1e-12 * |expected[0]|`` per group. Only the common prefix is compared.
    """
    exp = np.asarray(expected, dtype=float)
    oth = np.asarray(got, dtype=float)
    if exp.ndim == 1:
        exp = exp[:, None]
    if oth.ndim == 1:
        oth = oth[:, None]
    if exp.ndim != 2 or oth.ndim != 2:
        raise ValueError(f"schedules must be 1-D or 2-D, got shapes {exp.shape} and {oth.shape}")
    if exp.shape[1] != oth.shape[1]:
        raise ValueError(f"schedules have different group counts: {exp.shape[1]} and {oth.shape[1]}")
    n = min(exp.shape[0], oth.shape[0])
    if n == 0:
        return None
    exp, oth = exp[:n], oth[:n]
    if atol is None:
        first = exp[0]
        atol = np.where(np.isfinite(first), atol_for(first), 0.0)
    bad = ~close(oth, exp, atol)
    if not bad.any():
        return None
    t, g = np.argwhere(bad)[0]
    return int(t), int(g)

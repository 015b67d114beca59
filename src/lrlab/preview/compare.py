"""Comparing two schedules at the course tolerance (``lrlab.tolerance``): lr at ``atol = 1e-12 * lr0``, momentum
at ``atol = 1e-12``, both at ``rtol = 1e-9``."""

from __future__ import annotations

from lrlab.preview.schedule import Schedule
from lrlab.tolerance import ATOL_PER_LR0, atol_for
from lrlab.tolerance import first_mismatch as _first


def first_mismatch(got: Schedule, ref: Schedule, lr0: float) -> str | None:
    """None when ``got`` matches ``ref`` (lr, and momentum when present), else a message naming step/group."""
    if got.lr.shape != ref.lr.shape:
        return f"shape differs: {got.lr.shape} vs {ref.lr.shape}"
    for label, a, b, atol in (("lr", got.lr, ref.lr, atol_for(lr0)), ("momentum", got.momentum, ref.momentum,
                                                                      ATOL_PER_LR0)):
        if (a is None) != (b is None):
            return f"{label}: one schedule has it, the other has not"
        if a is None:
            continue
        where = _first(b, a, atol)
        if where is not None:
            t, g = where
            return f"{label} differs at step {t}, group {g}: got {a[t, g]!r}, expected {b[t, g]!r}"
    return None


def assert_schedules_close(got: Schedule, ref: Schedule, lr0: float) -> None:
    """Raise AssertionError with the first differing step unless the schedules match."""
    msg = first_mismatch(got, ref, lr0)
    if msg is not None:
        raise AssertionError(msg)

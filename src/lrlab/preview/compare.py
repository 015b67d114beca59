"""Comparing two schedules at the course tolerance: |a − b| <= atol + rtol·|b| with rtol=1e-9, atol=1e-12·lr0."""

from __future__ import annotations

import numpy as np

from lrlab.preview.schedule import Schedule


def first_mismatch(got: Schedule, ref: Schedule, lr0: float, *, rtol: float = 1e-9) -> str | None:
    """None when ``got`` matches ``ref`` (lr, and momentum when present), else a message naming step/group."""
    if got.lr.shape != ref.lr.shape:
        return f"shape differs: {got.lr.shape} vs {ref.lr.shape}"
    for label, a, b, atol in (("lr", got.lr, ref.lr, 1e-12 * lr0), ("momentum", got.momentum, ref.momentum, 1e-12)):
        if (a is None) != (b is None):
            return f"{label}: one schedule has it, the other has not"
        if a is None:
            continue
        bad = ~(np.abs(a - b) <= atol + rtol * np.abs(b))
        if bad.any():
            t, g = np.argwhere(bad)[0]
            return f"{label} differs at step {t}, group {g}: got {a[t, g]!r}, expected {b[t, g]!r}"
    return None


def assert_schedules_close(got: Schedule, ref: Schedule, lr0: float, *, rtol: float = 1e-9) -> None:
    """Raise AssertionError with the first differing step unless the schedules match."""
    msg = first_mismatch(got, ref, lr0, rtol=rtol)
    if msg is not None:
        raise AssertionError(msg)

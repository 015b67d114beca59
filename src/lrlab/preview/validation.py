"""Interface checks of the preview and the reference stepping (torch's constructor judges a scheduler's arguments).

Each check raises ``TypeError`` (wrong type) or ``ValueError`` (out of range) naming the parameter and the
allowed range.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from lrlab.checks import check_int

__all__ = ["check_int", "check_real", "check_steps", "check_lr", "check_momentum", "per_group", "check_choice",
           "check_bool", "PreviewZeroDivisionError"]


class PreviewZeroDivisionError(ZeroDivisionError, ValueError):
    """Raised where torch itself would divide by zero (so it is both a ZeroDivisionError and a ValueError)."""


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite float inside the given interval (open or closed ends)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    lo_b = "(" if low_open else "["
    hi_b = ")" if high_open else "]"
    rng = f"{lo_b}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi_b}"
    bad = not math.isfinite(value)
    if low is not None and (value < low or (low_open and value == low)):
        bad = True
    if high is not None and (value > high or (high_open and value == high)):
        bad = True
    if bad:
        raise ValueError(f"{name} must be a finite number in {rng}, got {value!r}")
    return value


def check_steps(steps: Any) -> int:
    """``steps`` is the number of schedule entries: an int >= 1."""
    return check_int("steps", steps, minimum=1)


def check_lr(lr: Any) -> np.ndarray:
    """``lr``: one float (one param group) or a non-empty list of floats (one per group), each >= 0."""
    if isinstance(lr, (list, tuple, np.ndarray)):
        if len(lr) == 0:
            raise ValueError("lr must be a float or a non-empty list of floats (one per param group), got []")
        return np.array([check_real(f"lr[{i}]", v, low=0.0) for i, v in enumerate(lr)], dtype=np.float64)
    return np.array([check_real("lr", lr, low=0.0)], dtype=np.float64)


def check_momentum(momentum: Any) -> float | None:
    """``momentum``: None (optimizer default) or the initial momentum / Adam beta1 in [0, 1)."""
    if momentum is None:
        return None
    return check_real("momentum", momentum, low=0.0, high=1.0, high_open=True)


def per_group(name: str, value: Any, n_groups: int, **range_kw: Any) -> np.ndarray:
    """A scalar or a list with one value per param group (like torch's ``_format_param``) -> array (G,)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != n_groups:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {n_groups}."
            )
        vals = [check_real(f"{name}[{i}]", v, **range_kw) for i, v in enumerate(value)]
    else:
        vals = [check_real(name, value, **range_kw)] * n_groups
    return np.array(vals, dtype=np.float64)


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` must be one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """``value`` must be a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)

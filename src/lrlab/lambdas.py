"""LambdaLR presets: picklable callables (t -> multiplier), numpy ufuncs so that an int array of steps works
too (the preview evaluates them in one vectorised call). Each preset is built from a horizon H in steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class LinearDecay:
    """lambda(t) = max(0, 1 - t / horizon)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return np.maximum(0.0, 1.0 - t / self.horizon)


class InverseSqrtWarmup:
    """lambda(t) = min((t + 1) / w, sqrt(w / (t + 1))) with w = horizon (Transformer-style warmup)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return np.minimum((t + 1) / self.horizon, np.sqrt(self.horizon / (t + 1)))


class HalfLife:
    """lambda(t) = 0.5 ** (t / horizon)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return 0.5 ** (t / self.horizon)


class CosineToZero:
    """lambda(t) = (1 + cos(pi * min(t, horizon) / horizon)) / 2."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return 0.5 * (1.0 + np.cos(np.pi * np.minimum(t, self.horizon) / self.horizon))


LAMBDA_PRESETS: dict[str, Callable[[int], Callable[[int], float]]] = {
    "linear decay: 1 - t/H": LinearDecay,
    "inverse sqrt with warmup H": InverseSqrtWarmup,
    "half-life H: 0.5^(t/H)": HalfLife,
    "cosine to 0 over H": CosineToZero,
}


# --- MultiplicativeLR presets: t -> the factor of step t (lr_t = lr_{t-1} * factor(t)) ----------------------


def _scalar_or_array(t: Any, value: Any) -> Any:
    """A Python float for a scalar ``t`` (what torch's ``step()`` passes), the float64 array for an array."""
    return float(value) if np.ndim(t) == 0 else np.asarray(value, dtype=np.float64)


class ConstantFactor:
    """factor(t) = 0.95 for t <= horizon, then 1 (the LR shrinks by 5% a step for H steps, then stays)."""

    def __init__(self, horizon: int, factor: float = 0.95) -> None:
        self.horizon = max(1, int(horizon))
        self.factor = float(factor)

    def __call__(self, t: Any) -> Any:
        return _scalar_or_array(t, np.where(np.asarray(t) <= self.horizon, self.factor, 1.0))


class HalfLifeFactor:
    """factor(t) = 0.5 ** (1 / horizon): the LR halves every H steps (ExponentialLR as a MultiplicativeLR)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return _scalar_or_array(t, np.full(np.shape(t), 0.5 ** (1.0 / self.horizon)))


class HalveEvery:
    """factor(t) = 0.5 when t is a multiple of horizon, else 1 (StepLR(step_size=H, gamma=0.5) as products)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return _scalar_or_array(t, np.where(np.asarray(t) % self.horizon == 0, 0.5, 1.0))


class InverseSqrtAfter:
    """factor(t) = sqrt((t - 1) / t) for t > horizon, else 1: lr_t = lr_H * sqrt(H / t) past H (inverse sqrt)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        tf = np.asarray(t, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _scalar_or_array(t, np.where(tf > self.horizon, np.sqrt((tf - 1.0) / tf), 1.0))


MULTIPLICATIVE_PRESETS: dict[str, Callable[[int], Callable[[int], float]]] = {
    "0.95 per step for H steps": ConstantFactor,
    "half-life H: 0.5^(1/H) per step": HalfLifeFactor,
    "halve every H steps": HalveEvery,
    "inverse sqrt after H: sqrt((t-1)/t)": InverseSqrtAfter,
}

#: Preset tables by name (``lrlab.catalog.Param.presets`` names one).
PRESET_TABLES: dict[str, dict[str, Callable[[int], Callable[[int], float]]]] = {
    "lambda": LAMBDA_PRESETS,
    "multiplicative": MULTIPLICATIVE_PRESETS,
}


def make_preset(name: Any, horizon: Any, table: str | None = None) -> Callable[[int], Any]:
    """The callable of preset ``name`` built with horizon H = ``horizon``, looked up in ``PRESET_TABLES[table]``
    (any table when None: the names are unique). ValueError naming the known presets otherwise."""
    tables = [PRESET_TABLES[table]] if table is not None else list(PRESET_TABLES.values())
    for presets in tables:
        if isinstance(name, str) and name in presets:
            if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
                raise ValueError(f"preset horizon must be an int >= 1, got {horizon!r}")
            return presets[name](int(horizon))
    known = [n for presets in tables for n in presets]
    raise ValueError(f"unknown preset {name!r}; known: {known}")

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

"""Seeded random scheduler configurations (for the equivalence tests, fuzzing and the benchmark)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrlab import catalog


def random_params(name: str, rng: np.random.Generator, steps: int, n_groups: int = 1) -> dict[str, Any]:
    """Random valid constructor arguments for scheduler ``name`` over a ``steps``-entry schedule: the catalog's
    ranges, a random multiplier λ(t) for a preset parameter, and a step budget that covers ``steps``."""
    record = catalog.get(name)
    params = catalog.random_kwargs(name, rng, steps, n_groups)
    for p in record.params:
        if p.kind == "preset":
            params.pop(p.name)
            params.pop("horizon", None)
            draw = random_factor if p.presets == "multiplicative" else random_lambda
            params["lr_lambda"] = (draw(rng) if n_groups == 1 or rng.random() < 0.5
                                   else [draw(rng) for _ in range(n_groups)])
    if record.horizon_param:
        params[record.horizon_param] = max(steps - 1, 1) + int(rng.integers(0, 3))
    return params


def random_lambda(rng: np.random.Generator) -> Any:
    """A random LambdaLR multiplier λ(t): numpy-friendly ones (vectorised path) and scalar-only ones."""
    kind = int(rng.integers(0, 5))
    a = float(rng.uniform(0.9, 0.999))
    h = int(rng.integers(1, 60))
    if kind == 0:
        return lambda t, a=a: a**t
    if kind == 1:
        return lambda t, h=h: t // h + 1
    if kind == 2:
        return lambda t, h=h: np.maximum(0.0, 1.0 - t / h)
    if kind == 3:  # scalar only (truth value of an array is ambiguous): the preview's scalar fallback
        return lambda t, h=h: 1.0 if t < h else 0.5
    return lambda t, h=h: min((t + 1) / h, (h / (t + 1)) ** 0.5)  # builtin min: scalar only


def random_factor(rng: np.random.Generator) -> Any:
    """A random MultiplicativeLR factor λ(t) (lr_t = lr_{t-1}·λ(t)): bounded products, vectorised and scalar."""
    kind = int(rng.integers(0, 4))
    a = float(rng.uniform(0.9, 0.999))
    h = int(rng.integers(1, 60))
    if kind == 0:
        return lambda t, a=a: a
    if kind == 1:
        return lambda t, h=h: np.where(np.asarray(t) % h == 0, 0.5, 1.0)
    if kind == 2:  # scalar only: the preview's scalar fallback
        return lambda t, a=a, h=h: a if t < h else 1.0
    return lambda t, h=h: 1.0 if t <= h else ((t - 1) / t) ** 0.5


#: Children for random compositions: any closed form may follow a warmup, cyclic ones included.
DECAYS = catalog.names(family="closed")
WARMUPS = catalog.names(role="warmup") + catalog.names(role="decay")[:3] + catalog.names(role="cyclic")[:1]


def random_children(rng: np.random.Generator, steps: int, n_groups: int, k: int) -> list[tuple[str, dict]]:
    """``k`` random (name, params) children: a warmup first, then decays."""
    names = [str(rng.choice(WARMUPS))] + [str(rng.choice(DECAYS)) for _ in range(k - 1)]
    return [(n, random_params(n, rng, steps, n_groups)) for n in names]

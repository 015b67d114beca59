"""Seeded random scheduler configurations (for the equivalence tests, fuzzing and the benchmark)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _per_group(rng: np.random.Generator, n_groups: int, low: float, high: float) -> float | list[float]:
    if n_groups > 1 and rng.random() < 0.5:
        return [float(v) for v in rng.uniform(low, high, n_groups)]
    return float(rng.uniform(low, high))


def random_params(name: str, rng: np.random.Generator, steps: int, n_groups: int = 1) -> dict[str, Any]:
    """Random valid constructor arguments for scheduler ``name`` over a ``steps``-entry schedule."""
    r = rng
    if name == "StepLR":
        return {"step_size": int(r.integers(1, 20)), "gamma": float(r.uniform(0.1, 1.2))}
    if name == "MultiStepLR":
        ms = [int(v) for v in r.integers(0, steps + 2, int(r.integers(0, 7)))]
        if ms and r.random() < 0.5:
            ms.append(ms[0])  # repeated milestone
        return {"milestones": ms, "gamma": float(r.uniform(0.1, 1.0))}
    if name == "ExponentialLR":
        return {"gamma": float(r.uniform(0.9, 1.01))}
    if name == "CosineAnnealingLR":
        return {"T_max": int(r.integers(1, 60)), "eta_min": 0.0 if r.random() < 0.4 else float(r.uniform(0, 0.05))}
    if name == "CosineAnnealingWarmRestarts":
        return {"T_0": int(r.integers(1, 25)), "T_mult": int(r.integers(1, 4)),
                "eta_min": 0.0 if r.random() < 0.4 else float(r.uniform(0, 0.05))}
    if name == "LinearLR":
        return {"start_factor": float(r.uniform(0.01, 1.0)), "end_factor": float(r.uniform(0.0, 1.0)),
                "total_iters": int(r.integers(0, 30))}
    if name == "CyclicLR":
        p: dict[str, Any] = {
            "base_lr": _per_group(r, n_groups, 0.001, 0.05), "max_lr": _per_group(r, n_groups, 0.05, 1.0),
            "step_size_up": int(r.integers(1, 25)) if r.random() < 0.8 else float(r.uniform(0.5, 20)),
            "step_size_down": None if r.random() < 0.5 else int(r.integers(0, 25)),
            "mode": str(r.choice(["triangular", "triangular2", "exp_range"])),
            "gamma": float(r.uniform(0.95, 1.0)), "cycle_momentum": bool(r.random() < 0.8),
            "base_momentum": _per_group(r, n_groups, 0.7, 0.85), "max_momentum": _per_group(r, n_groups, 0.85, 0.99),
        }
        if r.random() < 0.25:
            k = float(r.uniform(0.5, 2.0))
            p["scale_fn"] = (lambda x, k=k: 1.0 / (1.0 + k * x) ** 0.5)
            p["scale_mode"] = str(r.choice(["cycle", "iterations"]))
        return p
    if name == "OneCycleLR":
        p = {"max_lr": _per_group(r, n_groups, 0.05, 2.0), "pct_start": float(r.uniform(0.05, 0.6)),
             "anneal_strategy": str(r.choice(["cos", "linear"])), "three_phase": bool(r.random() < 0.3),
             "div_factor": float(r.uniform(2, 50)), "final_div_factor": float(r.uniform(10, 1e5)),
             "cycle_momentum": bool(r.random() < 0.8), "base_momentum": _per_group(r, n_groups, 0.7, 0.85),
             "max_momentum": _per_group(r, n_groups, 0.85, 0.99)}
        total = max(steps - 1, 1) + int(r.integers(0, 3))
        if r.random() < 0.3:
            p["epochs"], p["steps_per_epoch"] = 1, total
        else:
            p["total_steps"] = total
        return p
    if name == "LambdaLR":
        return {"lr_lambda": random_lambda(r) if n_groups == 1 or r.random() < 0.5
                else [random_lambda(r) for _ in range(n_groups)]}
    raise ValueError(f"no sample for {name!r}")


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


WARMUPS = ("LinearLR", "ExponentialLR", "StepLR", "CyclicLR")
DECAYS = ("CosineAnnealingLR", "CosineAnnealingWarmRestarts", "StepLR", "MultiStepLR", "ExponentialLR",
          "OneCycleLR", "LinearLR", "CyclicLR", "LambdaLR")


def random_children(rng: np.random.Generator, steps: int, n_groups: int, k: int) -> list[tuple[str, dict]]:
    """``k`` random (name, params) children: a warmup first, then decays."""
    names = [str(rng.choice(WARMUPS))] + [str(rng.choice(DECAYS)) for _ in range(k - 1)]
    return [(n, random_params(n, rng, steps, n_groups)) for n in names]

"""The bonus exercises: schedules torch lacks (chapter 10), graded like torch's classes on a separate total.

``InverseSqrtLR``, ``WarmupStableDecayLR`` and ``CosineLR`` live in ``schedulers/modern.py``. Their oracle is
torch's own ``LambdaLR`` stepping the formulas of :mod:`lrlab.modern` (HF's inverse square root and WSD,
timm's cosine without noise; each cited there and in chapter 10), with the argument rules the class
docstrings state: ``TypeError`` for a wrong type, ``ValueError`` for a value out of range. Points:
:data:`BONUS_POINTS`, on top of the 100 (``lrlab grade`` prints them as ``BONUS: p/12``).

This module is imported inside the sandbox (by the spec); only :func:`oracle_class` reaches torch and
:mod:`lrlab.modern`, in the grading process.
"""

from __future__ import annotations

import numbers
from typing import Any

BONUS_POINTS: dict[str, int] = {"InverseSqrtLR": 4, "WarmupStableDecayLR": 4, "CosineLR": 4}
BONUS: tuple[str, ...] = tuple(BONUS_POINTS)
MODULE = "modern"
SHAPES = ("linear", "cosine", "1-sqrt")

#: Per class: the defaults of a plain run (40 steps), a grid of variations, and bad arguments.
DEFAULTS: dict[str, dict[str, Any]] = {
    "InverseSqrtLR": {"warmup_steps": 8},
    "WarmupStableDecayLR": {"warmup_steps": 5, "stable_steps": 15, "decay_steps": 10},
    "CosineLR": {"t_initial": 12, "lr_min": 0.001, "warmup_t": 4, "warmup_lr_init": 0.0005},
}
GRID: dict[str, list[dict[str, Any]]] = {
    "InverseSqrtLR": [{"warmup_steps": 0}, {"warmup_steps": 1}, {"warmup_steps": 8, "timescale": 3.0},
                      {"warmup_steps": 0, "timescale": 50}],
    "WarmupStableDecayLR": [{"warmup_type": w, "decay_type": d, "min_lr_ratio": r}
                            for w in SHAPES for d in SHAPES for r in (0.0, 0.1)]
                           + [{"warmup_steps": 0, "stable_steps": 0, "decay_steps": 0},
                              {"warmup_steps": 1, "stable_steps": 0, "decay_steps": 1, "min_lr_ratio": 1.0}],
    "CosineLR": [{"cycle_limit": 3}, {"cycle_limit": 3, "cycle_mul": 2.0}, {"cycle_limit": 4, "cycle_mul": 1.5},
                 {"cycle_limit": 3, "cycle_decay": 0.5}, {"k_decay": 2.0}, {"k_decay": 0.5},
                 {"warmup_prefix": True, "cycle_limit": 2}, {"warmup_t": 0}, {"lr_min": 0.0, "warmup_lr_init": 0.0}],
}
BAD: dict[str, list[dict[str, Any]]] = {
    "InverseSqrtLR": [{"warmup_steps": -1}, {"warmup_steps": 2.5}, {"warmup_steps": 4, "timescale": 0},
                      {"warmup_steps": 4, "timescale": "10"}],
    "WarmupStableDecayLR": [{"warmup_steps": -1}, {"decay_steps": 1.5}, {"decay_type": "exp"},
                            {"warmup_type": "step"}, {"min_lr_ratio": 1.5}, {"min_lr_ratio": "0"}],
    "CosineLR": [{"t_initial": 0}, {"t_initial": 2.0}, {"cycle_mul": 0.5}, {"cycle_decay": 0}, {"k_decay": 0},
                 {"lr_min": -0.1}, {"warmup_prefix": "yes"}, {"cycle_limit": 0}],
}


def _int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")


def _real(name: str, value: Any, ok: Any, rule: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not ok(value):
        raise ValueError(f"{name} must be {rule}, got {value}")


def validate(name: str, kw: dict[str, Any]) -> None:
    """The argument rules of the class docstrings (the oracle raises what a correct class raises)."""
    if name == "InverseSqrtLR":
        _int("warmup_steps", kw["warmup_steps"], 0)
        if kw.get("timescale") is not None:
            _real("timescale", kw["timescale"], lambda v: v > 0, "> 0")
    elif name == "WarmupStableDecayLR":
        for key in ("warmup_steps", "stable_steps", "decay_steps"):
            _int(key, kw[key], 0)
        for key in ("warmup_type", "decay_type"):
            if kw.get(key, "linear" if key == "warmup_type" else "cosine") not in SHAPES:
                raise ValueError(f"{key} must be one of {SHAPES}, got {kw[key]!r}")
        _real("min_lr_ratio", kw.get("min_lr_ratio", 0.0), lambda v: 0 <= v <= 1, "in [0, 1]")
    elif name == "CosineLR":
        _int("t_initial", kw["t_initial"], 1)
        _int("cycle_limit", kw.get("cycle_limit", 1), 1)
        _int("warmup_t", kw.get("warmup_t", 0), 0)
        for key, default, ok, rule in (("lr_min", 0.0, lambda v: v >= 0, ">= 0"),
                                       ("cycle_mul", 1.0, lambda v: v >= 1, ">= 1"),
                                       ("cycle_decay", 1.0, lambda v: v > 0, "> 0"),
                                       ("warmup_lr_init", 0.0, lambda v: v >= 0, ">= 0"),
                                       ("k_decay", 1.0, lambda v: v > 0, "> 0")):
            _real(key, kw.get(key, default), ok, rule)
        if not isinstance(kw.get("warmup_prefix", False), bool):
            raise TypeError(f"warmup_prefix must be a bool, got {kw['warmup_prefix']!r}")
    else:
        raise KeyError(name)


def _factor(name: str, kw: dict[str, Any], base: float) -> Any:
    """t -> the LR multiplier of group with base LR ``base`` (lrlab.modern's formula)."""
    from lrlab import modern

    if name == "InverseSqrtLR":
        return lambda t: float(modern.inverse_sqrt_hf(t, 1.0, kw["warmup_steps"], kw.get("timescale")))
    if name == "WarmupStableDecayLR":
        shape = {k: kw[k] for k in ("warmup_type", "decay_type", "min_lr_ratio") if k in kw}
        shape.setdefault("decay_type", "cosine")
        return lambda t: float(modern.wsd(t, 1.0, kw["warmup_steps"], kw["stable_steps"], kw["decay_steps"], **shape))
    rest = {k: v for k, v in kw.items() if k != "t_initial"}
    return lambda t: float(modern.timm_cosine(t, base, kw["t_initial"], **rest)) / base


def oracle_class(name: str) -> Any:
    """A constructor ``(optimizer, **kwargs)`` that validates like the class and returns torch's ``LambdaLR``
    of the formula (grading process only)."""
    from torch.optim.lr_scheduler import LambdaLR

    def build(optimizer: Any, last_epoch: int = -1, **kwargs: Any) -> Any:
        validate(name, kwargs)
        from torch.optim import Optimizer

        if not isinstance(optimizer, Optimizer):  # what LRScheduler.__init__ raises
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        groups = optimizer.param_groups
        lambdas = [_factor(name, kwargs, float(g.get("initial_lr", g["lr"]))) for g in groups]  # base_lrs
        return LambdaLR(optimizer, lambdas, last_epoch=last_epoch)

    build.__name__ = name
    return build

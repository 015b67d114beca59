"""ReduceLROnPlateau simulated from a metric sequence, without torch or an optimizer (torch 2.13 semantics).

Per call ``step(m)``: m is better when ``m < best·(1 − threshold)`` (min, rel), ``m < best − threshold`` (min,
abs), ``m > best·(1 + threshold)`` (max, rel) or ``m > best + threshold`` (max, abs); best starts at ±inf.
Better: best = m, bad = 0, else bad += 1. In cooldown: cooldown_counter −= 1, bad = 0. When bad > patience:
each group's lr ← max(lr·factor, min_lr) if that lowers it by more than eps; cooldown_counter = cooldown,
bad = 0. Entry t of the schedule is the LR after t calls (``metrics[0..t-1]``): len(metrics) + 1 entries.
The loop stops at the first reduction that would change no group's LR (all later ones are no-ops too).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from lrlab.preview.schedule import Schedule
from lrlab.preview.validation import check_choice, check_int, check_lr, check_momentum, check_real, per_group

DEFAULTS: dict[str, Any] = {"mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4,
                            "threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0, "eps": 1e-8}


def check_metrics(metrics: Any, sign: float = 1.0) -> list[float]:
    """``metrics``: a 1-D sequence (list, array) of real numbers, one per ``step(metric)`` call (times ``sign``)."""
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, (Sequence, np.ndarray)):
        raise TypeError(f"metrics must be a 1-D sequence of real numbers, got {type(metrics).__name__}")
    arr = np.asarray(metrics)
    if arr.ndim != 1:
        raise ValueError(f"metrics must be 1-D (one value per step() call), got shape {arr.shape}")
    if arr.size and not (np.issubdtype(arr.dtype, np.number) and not np.iscomplexobj(arr)):
        if not all(isinstance(v, numbers.Real) for v in metrics):
            raise TypeError(f"metrics must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    return (-arr if sign < 0 else arr).tolist()


def plateau_params(n_groups: int, params: dict[str, Any]) -> dict[str, Any]:
    """Validate ReduceLROnPlateau's constructor arguments (TypeError/ValueError naming the parameter)."""
    unknown = [k for k in params if k not in DEFAULTS]
    if unknown:
        raise TypeError(f"ReduceLROnPlateau got unexpected parameter(s) {unknown}; accepted: {list(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    check_choice("mode", p["mode"], ("min", "max"))
    check_choice("threshold_mode", p["threshold_mode"], ("rel", "abs"))
    check_real("factor", p["factor"], low=0.0, high=1.0, high_open=True)
    check_int("patience", p["patience"], minimum=0)
    check_int("cooldown", p["cooldown"], minimum=0)
    check_real("threshold", p["threshold"], low=0.0)
    check_real("eps", p["eps"], low=0.0)
    per_group("min_lr", p["min_lr"], n_groups, low=0.0)
    return p


def _reduction_steps(vals: list[float], rel: bool, threshold: float, patience: int, cooldown: int,
                     limit: int) -> list[int]:
    """Indices t (0-based calls) of the first ``limit`` LR reductions, for a "min" metric sequence ``vals``."""
    events: list[int] = []
    if limit <= 0:
        return events
    best = float("inf")
    bad = 0
    cd = 0
    # rel: a < best * (1 - threshold); abs: a < best - threshold. Both as a < best * k - d, exactly
    # (x * 1.0 == x and x - 0.0 == x in IEEE arithmetic), so one loop serves both modes.
    k, d = (1.0 - threshold, 0.0) if rel else (1.0, threshold)
    for t, a in enumerate(vals):
        if a < best * k - d:
            best = a
            bad = 0
        else:
            bad += 1
        if cd > 0:
            cd -= 1
            bad = 0
        if bad > patience:
            events.append(t)
            if len(events) == limit:
                break
            cd = cooldown
            bad = 0
    return events


def _levels(lrs: np.ndarray, p: dict[str, Any], most: int) -> list[list[float]]:
    """LRs after 0, 1, 2, ... reductions, up to the first reduction that changes no group (every later one
    is a no-op too, so the simulation stops there) or ``most`` reductions."""
    mins = p["min_lr"] if isinstance(p["min_lr"], (list, tuple)) else [p["min_lr"]] * len(lrs)
    cur = [float(v) for v in lrs]
    levels = [cur]
    while len(levels) <= most:
        nxt = list(cur)
        for g, old in enumerate(cur):
            new = max(old * p["factor"], mins[g])
            if old - new > p["eps"]:
                nxt[g] = float(new)
        if nxt == cur:
            break
        levels.append(nxt)
        cur = nxt
    return levels


def preview_plateau(metrics: Sequence[float] | np.ndarray, *, lr: float | list[float] = 0.1,
                    momentum: float | None = None, mode: str = "min", factor: float = 0.1, patience: int = 10,
                    threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                    min_lr: float | list[float] = 0.0, eps: float = 1e-8) -> Schedule:
    """LR of ReduceLROnPlateau(optimizer(lr), ...) after t calls ``step(metrics[t-1])``, t = 0..len(metrics).

    Reductions: lr ← max(lr·factor, min_lr) when bad epochs exceed ``patience`` (see the module docstring);
    shape (len(metrics) + 1, groups). ``momentum`` is reported as a constant when given.
    """
    vals = check_metrics(metrics, -1.0 if mode == "max" else 1.0)
    lrs = check_lr(lr)
    momentum = check_momentum(momentum)
    p = plateau_params(len(lrs), {"mode": mode, "factor": factor, "patience": patience, "threshold": threshold,
                                  "threshold_mode": threshold_mode, "cooldown": cooldown, "min_lr": min_lr,
                                  "eps": eps})
    rel = p["threshold_mode"] == "rel"
    thr = float(p["threshold"])
    if p["mode"] == "max":  # a > x  <=>  -a < -x exactly (IEEE negation): the "min" loop runs on -m, best -> -best
        # rel: -(best·(1 + thr)) = (−best)·(1 − (−thr)); abs: -(best + thr) = (−best) − thr
        thr = -thr if rel else thr
    n = len(vals) + 1
    levels = _levels(lrs, p, n - 1)
    events = _reduction_steps(vals, rel, thr, int(p["patience"]), int(p["cooldown"]), len(levels) - 1)
    counts = np.diff(np.r_[0, np.asarray(events, dtype=np.int64) + 1, n])
    out = np.repeat(np.asarray(levels[: len(events) + 1], dtype=np.float64), counts, axis=0)
    mom = None if momentum is None else np.full(out.shape, momentum)
    return Schedule("ReduceLROnPlateau", p, out, mom)

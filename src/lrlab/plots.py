"""Schedule plots for notebooks, pixel-column decimation and the first step where two schedules differ.

``decimate`` keeps, per pixel column, the first and last points, the minimum and maximum with their
neighbours and both ends of the largest jump, so a 100,000-step schedule draws as at most 10 points per
column with every peak, trough and discontinuity intact. ``first_difference`` uses the course tolerance (``lrlab.tolerance``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lrlab.tolerance import RTOL, first_mismatch

__all__ = ["RTOL", "decimate", "first_difference", "plot_schedules"]


def _first_in_columns(hits: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Index of the first True of ``hits`` in each [start, end) column, or -1 where a column has none."""
    idx = np.flatnonzero(hits)
    if idx.size == 0:
        return np.full(starts.shape, -1, dtype=np.int64)
    pos = np.searchsorted(idx, starts)
    found = idx[np.minimum(pos, idx.size - 1)]
    return np.where((pos < idx.size) & (found < ends), found, -1)


def decimate(x: Any, y: Any, width_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a curve to at most 10 points per pixel column, keeping extremes and jumps.

    The ``n`` points are split into ``width_px`` columns of consecutive indices
    (column ``c`` holds indices ``[c*n//w, (c+1)*n//w)``); each column keeps its first and last point,
    its minimum and maximum (NaN ignored) with the points either side of them, and the two points either
    side of its largest ``|y[i+1] - y[i]|``, in index order. Since every column's first and last are kept,
    jumps between columns survive too. Curves with ``n <= 8 * width_px`` points are returned unchanged.
    """
    if isinstance(width_px, bool) or not isinstance(width_px, (int, np.integer)):
        raise TypeError(f"width_px must be an int >= 1, not {type(width_px).__name__}")
    if width_px < 1:
        raise ValueError(f"width_px must be >= 1, got {width_px}")
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.ndim != 1 or ya.ndim != 1:
        raise ValueError(f"x and y must be 1-D, got shapes {xa.shape} and {ya.shape}")
    if xa.shape != ya.shape:
        raise ValueError(f"x and y must have the same length, got {xa.size} and {ya.size}")
    n = ya.size
    if n <= 8 * width_px:
        return xa, ya
    w = int(width_px)
    starts = (np.arange(w, dtype=np.int64) * n) // w
    ends = np.append(starts[1:], n)
    counts = ends - starts
    has_nan = bool(np.isnan(ya).any())
    keep = np.zeros(n, dtype=bool)
    keep[starts] = True
    keep[ends - 1] = True
    for src in (np.where(np.isnan(ya), np.inf, ya) if has_nan else ya,
                np.where(np.isnan(ya), np.inf, -ya) if has_nan else -ya):  # max(y) = -min(-y)
        ext = _first_in_columns(src == np.repeat(np.minimum.reduceat(src, starts), counts), starts, ends)
        ext = ext[ext >= 0]
        keep[ext] = True
        keep[np.maximum(ext - 1, 0)] = True
        keep[np.minimum(ext + 1, n - 1)] = True
    # Largest jump inside each column: pair (i, i+1) with start <= i < end - 1 (columns have >= 8 points).
    jumps = np.empty(n)
    with np.errstate(invalid="ignore"):
        np.abs(np.diff(ya), out=jumps[:-1])
    if has_nan:
        jumps[np.isnan(jumps)] = -np.inf
    jumps[ends - 1] = -np.inf  # index n-1 never starts a pair; pairs crossing columns are kept by first/last
    biggest = np.maximum.reduceat(jumps, starts)
    at = _first_in_columns(jumps == np.repeat(biggest, counts), starts, ends)
    at = at[(at >= 0) & (biggest > 0)]
    keep[at] = True
    keep[at + 1] = True
    idx = np.flatnonzero(keep)
    return xa[idx], ya[idx]


def first_difference(reference: Any, other: Any, *, atol: float | None = None) -> int | None:
    """First step t where ``other`` differs from ``reference`` at the course tolerance (any group), else None.

    ``lrlab.tolerance.first_mismatch`` with ``atol`` defaulting to ``1e-12 * |reference[0]|``; arrays are (steps,)
    or (steps, groups); only the common prefix is compared. A NaN on one side only counts as a difference.
    """
    if atol is not None and atol < 0:
        raise ValueError(f"atol must be >= 0, got {atol}")
    where = first_mismatch(reference, other, atol)
    return None if where is None else where[0]


def _as_curves(schedules: Any, labels: Sequence[str] | None) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """Normalise schedules to [(label, lr (steps, groups), momentum or None)]."""
    if isinstance(schedules, Mapping):
        items = list(schedules.items())
    else:
        if hasattr(schedules, "lr") or isinstance(schedules, np.ndarray):
            schedules = [schedules]
        items = [(None, s) for s in schedules]
    if labels is not None:
        if len(labels) != len(items):
            raise ValueError(f"labels has {len(labels)} entries for {len(items)} schedules")
        items = [(lab, s) for lab, (_, s) in zip(labels, items, strict=True)]
    curves = []
    for i, (label, s) in enumerate(items):
        if hasattr(s, "lr"):
            lr = np.asarray(s.lr, dtype=float)
            mom = getattr(s, "momentum", None)
            mom = None if mom is None else np.asarray(mom, dtype=float)
            name = label or getattr(s, "name", None) or f"schedule {i}"
        else:
            lr = np.asarray(s, dtype=float)
            mom, name = None, label or f"schedule {i}"
        if lr.ndim == 1:
            lr = lr[:, None]
        if mom is not None and mom.ndim == 1:
            mom = mom[:, None]
        if lr.ndim != 2 or lr.shape[0] == 0:
            raise ValueError(f"schedule {name!r} must be a non-empty (steps,) or (steps, groups) array, got {lr.shape}")
        curves.append((str(name), lr, mom))
    if not curves:
        raise ValueError("schedules is empty: pass at least one Schedule or array")
    return curves


def plot_schedules(
    schedules: Any,
    *,
    labels: Sequence[str] | None = None,
    log: bool = False,
    momentum: bool | None = None,
    mark_step: int | None = None,
    mark_first_difference: bool = False,
    title: str | None = None,
    width_px: int = 800,
    figsize: tuple[float, float] = (8.0, 4.0),
) -> Figure:
    """Static figure of LR (and momentum) against step for one or more schedules.

    ``schedules``: a Schedule (``.lr``, ``.momentum``, ``.name``), an array, or a list / dict of them.
    ``momentum``: None draws a momentum panel when any schedule has momentum. ``mark_step`` draws a
    vertical marker at that step; ``mark_first_difference`` marks, for each schedule after the first,
    ``first_difference(first.lr, other.lr)``. Curves are decimated to ``width_px`` columns.
    """
    if not isinstance(log, bool):
        raise TypeError(f"log must be a bool, not {type(log).__name__}")
    curves = _as_curves(schedules, labels)
    with_mom = any(m is not None for _, _, m in curves) if momentum is None else bool(momentum)
    fig = Figure(figsize=figsize, layout="constrained")
    if with_mom:
        ax_lr, ax_mom = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    else:
        ax_lr, ax_mom = fig.subplots(), None
    for name, lr, mom in curves:
        steps = np.arange(lr.shape[0], dtype=float)
        for g in range(lr.shape[1]):
            suffix = f" [group {g}]" if lr.shape[1] > 1 else ""
            (line,) = ax_lr.plot(*decimate(steps, lr[:, g], width_px), label=name + suffix, lw=1.5)
            if ax_mom is not None and mom is not None:
                ax_mom.plot(*decimate(steps, mom[:, g], width_px), color=line.get_color(), lw=1.2)
    ax_lr.set_ylabel("learning rate")
    if log:
        ax_lr.set_yscale("log")
    (ax_mom or ax_lr).set_xlabel("step (calls to scheduler.step())")
    if ax_mom is not None:
        ax_mom.set_ylabel("momentum")
    marks: list[tuple[int, str]] = []
    if mark_step is not None:
        if isinstance(mark_step, bool) or not isinstance(mark_step, (int, np.integer)) or mark_step < 0:
            raise ValueError(f"mark_step must be an int >= 0 or None, got {mark_step!r}")
        marks.append((int(mark_step), f"step {int(mark_step)}"))
    if mark_first_difference:
        ref_name, ref_lr, _ = curves[0]
        for name, lr, _ in curves[1:]:
            t = first_difference(ref_lr, lr)
            if t is not None:
                marks.append((t, f"{name} differs from {ref_name} at step {t}"))
    for t, text in marks:
        _mark(ax_lr, t, text)
        if ax_mom is not None:
            ax_mom.axvline(t, color="crimson", ls=":", lw=1)
    ax_lr.legend(loc="best", fontsize="small")
    if title:
        ax_lr.set_title(title)
    return fig


def _mark(ax: Axes, t: int, text: str) -> None:
    """Vertical dotted line at step t with a label at the top of the axes."""
    ax.axvline(t, color="crimson", ls=":", lw=1.2)
    ax.annotate(text, xy=(t, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                textcoords="offset points", color="crimson", fontsize="small")

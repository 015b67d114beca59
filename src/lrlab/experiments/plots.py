"""Band plots: the mean over seeds with its 95% confidence band (t-based, see ``stats``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrlab.experiments.stats import t_quantile


def mean_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, lo, hi) over axis 0 of ``values`` (seeds, points): mean ± t_{0.975, n-1} * std/sqrt(n)."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[0] < 2:
        raise ValueError(f"values must have shape (seeds >= 2, points), got {v.shape}")
    m = np.nanmean(v, axis=0)
    half = t_quantile(v.shape[0] - 1) * np.nanstd(v, axis=0, ddof=1) / np.sqrt(v.shape[0])
    return m, m - half, m + half


def band(ax: Any, x: np.ndarray, values: np.ndarray, color: str, label: str) -> None:
    """Draw the mean line and its shaded 95% band on ``ax``."""
    m, lo, hi = mean_band(values)
    ax.plot(x, m, color=color, lw=1.3, label=label)
    ax.fill_between(x, lo, hi, color=color, alpha=0.25, lw=0)

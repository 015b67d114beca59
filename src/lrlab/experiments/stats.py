"""Statistics shared by the experiments: mean, 95% CI (Student t), paired differences, z, the verdict.

    mean m = sum(x)/n,  s = sqrt(sum((x-m)^2)/(n-1)),  se = s/sqrt(n),  CI95 = m +- t_{0.975, n-1} * se
    difference of two schedules: paired by seed when both have the same seeds (d_i = a_i - b_i), else Welch
    (se = sqrt(se_a^2 + se_b^2)); z = d / se. "no significant difference" when the 95% CI of d contains 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st


@dataclass(frozen=True)
class Summary:
    """n values summarised: ``mean``, ``std`` (n-1), ``se`` = std/sqrt(n), 95% CI ``lo``..``hi`` (t-based)."""

    n: int
    mean: float
    std: float
    se: float
    lo: float
    hi: float

    def format(self, scale: float = 1.0, digits: int = 4) -> str:
        """``mean ± half-width`` of the 95% CI, values multiplied by ``scale``."""
        return f"{self.mean * scale:.{digits}g} ± {(self.hi - self.mean) * scale:.2g}"


@dataclass(frozen=True)
class Difference:
    """A - B: ``diff``, its standard error ``se``, ``z`` = diff/se, 95% CI, ``paired`` and ``n``."""

    diff: float
    se: float
    z: float
    lo: float
    hi: float
    n: int
    paired: bool

    @property
    def significant(self) -> bool:
        """True when the 95% CI of the difference excludes 0."""
        return not (self.lo <= 0.0 <= self.hi)


def _values(name: str, x: Sequence[float]) -> np.ndarray:
    arr = np.asarray(list(x), dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {arr.shape}")
    if arr.size < 2:
        raise ValueError(f"{name} needs at least 2 values (seeds) for an interval, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN/inf values (a diverged run?): {arr.tolist()}")
    return arr


def t_quantile(df: float, level: float = 0.95) -> float:
    """Two-sided Student-t quantile t_{(1+level)/2, df}."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return float(_st.t.ppf(0.5 + level / 2.0, df))


def summarize(x: Sequence[float], level: float = 0.95) -> Summary:
    """Mean, std, se and the t-based confidence interval of ``x`` (at least 2 finite values)."""
    arr = _values("values", x)
    n = arr.size
    mean = float(arr.mean())
    std = float(arr.std(ddof=1))
    se = std / math.sqrt(n)
    half = t_quantile(n - 1, level) * se
    return Summary(n, mean, std, se, mean - half, mean + half)


def difference(a: Sequence[float], b: Sequence[float], *, paired: bool | None = None,
               level: float = 0.95) -> Difference:
    """A - B with a t-based CI. ``paired`` (default: when len(a) == len(b)) uses d_i = a_i - b_i (same seeds);
    otherwise Welch: se = sqrt(s_a^2/n_a + s_b^2/n_b) with Welch-Satterthwaite degrees of freedom."""
    xa, xb = _values("a", a), _values("b", b)
    if paired is None:
        paired = xa.size == xb.size
    if paired:
        if xa.size != xb.size:
            raise ValueError(f"paired differences need as many values in a as in b, got {xa.size} and {xb.size}")
        s = summarize(xa - xb, level)
        z = s.mean / s.se if s.se > 0 else (math.inf if s.mean else 0.0) * np.sign(s.mean)
        return Difference(s.mean, s.se, float(z), s.lo, s.hi, xa.size, True)
    va, vb = xa.var(ddof=1) / xa.size, xb.var(ddof=1) / xb.size
    se = math.sqrt(va + vb)
    d = float(xa.mean() - xb.mean())
    df = (va + vb) ** 2 / ((va**2 / (xa.size - 1)) + (vb**2 / (xb.size - 1))) if se > 0 else xa.size + xb.size - 2
    half = t_quantile(df, level) * se
    z = d / se if se > 0 else 0.0
    return Difference(d, se, float(z), d - half, d + half, min(xa.size, xb.size), False)


def verdict(d: Difference, name_a: str = "A", name_b: str = "B", *, higher_is_better: bool = True) -> str:
    """"no significant difference" when the 95% CI of A - B contains 0, else which one is better."""
    if not d.significant:
        return f"no significant difference between {name_a} and {name_b} (95% CI of the difference contains 0)"
    a_better = (d.diff > 0) == higher_is_better
    win, lose = (name_a, name_b) if a_better else (name_b, name_a)
    return f"{win} is better than {lose} (95% CI of the difference excludes 0, z={d.z:.1f}, n={d.n})"


def effect_line(name: str, metric: str, a: Sequence[float], b: Sequence[float], name_a: str, name_b: str,
                scale: float = 1.0) -> str:
    """``effect: <name>: <metric> <A> vs <B>, diff <d> ± <se> (z=<z>, n=<seeds>)`` (means of A and B)."""
    d = difference(a, b)
    ma, mb = float(np.mean(a)) * scale, float(np.mean(b)) * scale
    return (f"effect: {name}: {metric} {name_a} {ma:.4g} vs {name_b} {mb:.4g}, diff {d.diff * scale:.3g} "
            f"± {d.se * scale:.2g} (z={d.z:.1f}, n={d.n})")

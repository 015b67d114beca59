"""lrlab.experiments: statistics against scipy, and the experiments' effects over seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

from lrlab.experiments.noise_floor import run_noise_floor
from lrlab.experiments.stats import difference, effect_line, summarize, verdict


def test_summary_matches_scipy_t_interval():
    x = [0.91, 0.93, 0.95, 0.92, 0.97]
    s = summarize(x)
    lo, hi = st.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=st.sem(x))
    assert s.lo == pytest.approx(lo) and s.hi == pytest.approx(hi)
    assert s.se == pytest.approx(st.sem(x))


def test_paired_and_welch_differences_match_scipy():
    a, b = np.array([1.0, 2.0, 3.0, 4.5, 5.0]), np.array([0.5, 1.9, 2.0, 4.0, 4.1])
    d = difference(a, b)
    assert d.paired and d.z == pytest.approx(st.ttest_rel(a, b).statistic)
    w = difference(a, b[:4], paired=False)
    assert not w.paired and w.z == pytest.approx(st.ttest_ind(a, b[:4], equal_var=False).statistic)


def test_verdict_says_no_significant_difference_inside_the_noise():
    noise = difference([0.90, 0.95, 0.92], [0.93, 0.91, 0.94])
    assert "no significant difference" in verdict(noise, "a", "b")
    clear = difference([0.99, 0.98, 0.985], [0.5, 0.52, 0.51])
    assert verdict(clear, "a", "b").startswith("a is better")
    assert verdict(clear, "a", "b", higher_is_better=False).startswith("b is better")
    assert "(z=" in effect_line("x", "m", [1, 2, 3], [0, 1, 1], "A", "B")


@pytest.mark.parametrize("bad", [[1.0], [1.0, float("nan")], [[1.0, 2.0]]])
def test_bad_values_raise(bad):
    with pytest.raises(ValueError):
        summarize(bad)


def test_noise_floor_scales_with_lr_and_decay_lowers_it():
    r = run_noise_floor(0.1, steps=1500, seeds=5)
    names = list(r.curves)
    f = [r.final(n).mean() for n in names]
    assert 1.5 < f[0] / f[1] < 2.7 and 1.5 < f[1] / f[2] < 2.7  # floor ~ lr
    assert f[0] == pytest.approx(0.1 * 10 / (4 * 4), rel=0.4)  # eta * sigma^2 * tr(H) / (4 B)
    assert difference(r.final(names[0]), r.final(names[3])).z > 3

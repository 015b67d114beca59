"""lrlab.experiments.wsd: WSD branches share the trunk exactly, the cosine baselines do not, peaks are tuned on
held-out seeds (one for the trunk), and the comparison reports per-seed values with the stats verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrlab import modern
from lrlab.experiments.wsd import run_wsd_branches
from lrlab.training.data import steps_per_epoch


@pytest.fixture(scope="module")
def result():
    return run_wsd_branches(budgets=(2, 3), seeds=2, peaks=(0.1, 0.3), tune_seeds=1)


def test_branches_are_the_trunk_up_to_their_decay(result):
    spe = steps_per_epoch(64)
    assert result.shared_prefix
    short, long_ = result.lr["WSD 2 ep"], result.lr["WSD 3 ep"]
    start = result.branches[0].decay_start
    assert start == 2 * spe - round(0.2 * 2 * spe)
    np.testing.assert_array_equal(short[:start], long_[:start])
    assert short[start] == long_[start] and short[start + 1] < long_[start + 1]  # the branch decays, the trunk stays
    peak = result.peak["WSD 2 ep"]
    np.testing.assert_allclose(short, peak * modern.wsd(np.arange(2 * spe), 1.0, spe, start - spe, 2 * spe - start,
                                                        decay_type="1-sqrt"), rtol=1e-12)
    assert result.cosine_part_at <= spe + 1  # cosine runs of two budgets agree at most through the warmup


def test_peaks_tuned_on_held_out_seeds(result):
    assert result.peak["WSD 2 ep"] == result.peak["WSD 3 ep"]  # one trunk, one peak
    for name, row in result.tuning.items():
        assert set(row) == {0.1, 0.3} and all(math.isfinite(v) for v in row.values())
        if name.startswith("cosine"):
            assert result.peak[name] == min(row, key=row.get)
    wsd_mean = {lr: np.mean([result.tuning[f"WSD {e} ep"][lr] for e in (2, 3)]) for lr in (0.1, 0.3)}
    assert result.peak["WSD 2 ep"] == min(wsd_mean, key=wsd_mean.get)


def test_per_seed_values_and_verdict(result):
    for b in result.branches:
        assert b.wsd_loss.shape == b.cosine_loss.shape == (2,) and np.all(b.wsd_acc > 0.5)
        sw, sc, d = b.summary("loss")
        assert d.paired and d.n == 2 and sw.mean == pytest.approx(float(b.wsd_loss.mean()))
        assert d.diff == pytest.approx(float(np.mean(b.wsd_loss - b.cosine_loss)))
        assert ("no significant difference" in b.verdict("loss")) == (not d.significant)
    text = result.table()
    assert "2 ep" in text and "3 ep" in text and "peak LR" in text


@pytest.mark.parametrize("kw", [dict(budgets=(3, 2)), dict(budgets=(2,)), dict(seeds=1), dict(peaks=()),
                                dict(budgets=(1, 2), decay_frac=0.9)])
def test_bad_arguments(kw):
    with pytest.raises((TypeError, ValueError)):
        run_wsd_branches(**{"budgets": (2, 3), "seeds": 2, "peaks": (0.1,), **kw})

"""SWA on the digits: seeded runs, a paired comparison whose interval and verdict follow the numbers."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from lrlab.training.swa import paired, swa_run


def test_a_run_is_seeded_and_reports_both_models():
    a = swa_run(0, epochs=4, swa_start=2)
    b = swa_run(0, epochs=4, swa_start=2)
    assert a == b
    assert 0.0 <= a.last_acc <= 1.0 and 0.0 <= a.swa_acc <= 1.0 and a.swa_loss > 0


def test_paired_interval_is_the_t_interval_and_the_verdict_follows_it():
    last, swa = [0.90, 0.91, 0.92, 0.93], [0.93, 0.935, 0.945, 0.96]
    p = paired("accuracy", last, swa)
    diffs = [b - a for a, b in zip(last, swa, strict=True)]
    lo, hi = stats.t.interval(0.95, len(diffs) - 1, loc=sum(diffs) / 4, scale=stats.sem(diffs))
    assert math.isclose(p.low, lo, rel_tol=1e-9) and math.isclose(p.high, hi, rel_tol=1e-9)
    assert p.verdict == "the averaged weights are better"
    same = paired("accuracy", [0.9, 0.92, 0.91], [0.91, 0.91, 0.91])
    assert same.low <= 0 <= same.high and same.verdict == "no significant difference"
    worse_loss = paired("loss", [0.1, 0.11, 0.12], [0.2, 0.22, 0.21])
    assert worse_loss.verdict == "the last iterate is better"


@pytest.mark.parametrize("kw, word", [({"swa_start": 0}, "swa_start"), ({"epochs": 5, "swa_start": 5}, "swa_start"),
                                      ({"label_noise": 1.5}, "label_noise"), ({"swa_lr": 0.0}, "swa_lr"),
                                      ({"seed": -1}, "seed")])
def test_bad_arguments_name_the_parameter(kw, word):
    with pytest.raises((TypeError, ValueError), match=word):
        swa_run(**kw)

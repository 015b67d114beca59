"""preview_plateau (pure-Python simulation) == torch's ReduceLROnPlateau stepped on a real optimizer, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab.preview import module_plateau, preview_plateau, torch_plateau

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def random_metrics(rng: np.random.Generator, n: int) -> np.ndarray:
    """Noisy decreasing curves with plateaus, ties, rises, negative values and occasional NaN/inf."""
    kind = int(rng.integers(0, 5))
    t = np.arange(n, dtype=float)
    if kind == 0:
        m = np.exp(-t / rng.uniform(5, 50)) * (1 + rng.uniform(0, 0.2) * rng.standard_normal(n))
    elif kind == 1:  # staircase with exact ties
        m = np.round(np.exp(-t / 30) * 20) / 20
    elif kind == 2:  # random walk around zero (negative metrics: rel thresholds flip direction)
        m = np.cumsum(rng.standard_normal(n)) * 0.1
    elif kind == 3:  # long flat plateau then improvement
        m = np.where(t < n / 2, 1.0, 0.5) + 1e-5 * rng.standard_normal(n)
    else:
        m = rng.uniform(0.0, 1.0, n)
    if rng.random() < 0.2 and n > 4:
        m[rng.integers(0, n, 2)] = [np.nan, np.inf]
    return m


def random_params(rng: np.random.Generator, n_groups: int) -> dict:
    p = {
        "mode": str(rng.choice(["min", "max"])),
        "factor": float(rng.choice([0.1, 0.5, float(rng.uniform(0.0, 0.99))])),
        "patience": int(rng.integers(0, 12)),
        "threshold": float(rng.choice([0.0, 1e-4, float(rng.uniform(0, 0.3))])),
        "threshold_mode": str(rng.choice(["rel", "abs"])),
        "cooldown": int(rng.integers(0, 6)),
        "eps": float(rng.choice([1e-8, 0.0, 1e-3])),
    }
    if rng.random() < 0.5:
        p["min_lr"] = ([float(v) for v in rng.uniform(0, 0.02, n_groups)] if rng.random() < 0.5
                       else float(rng.uniform(0, 0.02)))
    return p


@pytest.mark.parametrize("seed", range(80))
def test_random_metrics_match_torch(seed: int) -> None:
    rng = np.random.default_rng(5000 + seed)
    groups = int(rng.integers(1, 4))
    lr = [float(v) for v in rng.uniform(0.01, 1.0, groups)]
    n = int(rng.integers(0, 400))
    metrics = random_metrics(rng, n)
    params = random_params(rng, groups)
    momentum = None if rng.random() < 0.5 else 0.9
    opt = "adam" if seed % 3 == 0 else "sgd"
    got = preview_plateau(metrics, lr=lr, momentum=momentum, **params)
    ref = torch_plateau(metrics, lr=lr, momentum=momentum, optimizer=opt, **params)
    assert got.lr.shape == (n + 1, groups)
    assert np.array_equal(got.lr, ref.lr), f"first difference at step {np.flatnonzero((got.lr != ref.lr).any(1))[:1]}"
    assert (got.momentum is None) == (ref.momentum is None)
    if got.momentum is not None:
        assert np.array_equal(got.momentum, ref.momentum)


def test_reductions_happen_and_respect_min_lr_and_eps() -> None:
    metrics = np.ones(100)  # never improves after the first step
    got = preview_plateau(metrics, lr=[0.1, 1e-3], patience=2, factor=0.5, min_lr=[0.01, 0.0], eps=1e-4)
    ref = torch_plateau(metrics, lr=[0.1, 1e-3], patience=2, factor=0.5, min_lr=[0.01, 0.0], eps=1e-4)
    assert np.array_equal(got.lr, ref.lr)
    assert got.lr[-1, 0] == 0.01  # clamped at min_lr
    assert got.lr[-1, 1] > 0 and np.unique(got.lr[:, 1]).size > 2  # stops once a cut is <= eps
    first_cut = int(np.flatnonzero(got.lr[:, 0] < 0.1)[0])
    assert first_cut == 4  # call 1 sets best; calls 2,3,4 are bad; 3 > patience=2 -> cut after the 4th call


def test_accepts_lists_and_float32() -> None:
    m = np.linspace(1, 0.5, 50).astype(np.float32)
    a = preview_plateau(m, patience=1)
    b = preview_plateau([float(v) for v in m], patience=1)
    assert np.array_equal(a.lr, b.lr) and np.array_equal(a.lr, torch_plateau(m, patience=1).lr)
    assert preview_plateau([], lr=0.3).lr.tolist() == [[0.3]]


@pytest.mark.parametrize("kw,exc,word", [
    ({"mode": "avg"}, ValueError, "mode"),
    ({"threshold_mode": "pct"}, ValueError, "threshold_mode"),
    ({"factor": 1.0}, ValueError, "factor"),
    ({"factor": "0.1"}, TypeError, "factor"),
    ({"patience": -1}, ValueError, "patience"),
    ({"patience": 2.5}, TypeError, "patience"),
    ({"cooldown": -2}, ValueError, "cooldown"),
    ({"threshold": -1e-3}, ValueError, "threshold"),
    ({"eps": -1.0}, ValueError, "eps"),
    ({"min_lr": [0.0, 0.0, 0.0]}, ValueError, "min_lr"),
    ({"lr": -1.0}, ValueError, "lr"),
])
def test_bad_arguments(kw: dict, exc: type, word: str) -> None:
    with pytest.raises(exc, match=word):
        preview_plateau([1.0, 0.5], **kw)


@pytest.mark.parametrize("metrics,exc", [("abc", TypeError), (np.ones((3, 2)), ValueError), (5.0, TypeError),
                                         (["a", "b"], TypeError)])
def test_bad_metrics(metrics: object, exc: type) -> None:
    with pytest.raises(exc, match="metrics"):
        preview_plateau(metrics)


def test_torch_rejects_what_preview_rejects() -> None:
    import torch

    for kw in ({"mode": "avg"}, {"factor": 1.0}, {"threshold_mode": "pct"}):
        with pytest.raises(ValueError):
            module_plateau(torch.optim.lr_scheduler, [1.0], validate=False, **kw)


def test_stops_at_saturation_but_stays_exact() -> None:
    # lr reaches min_lr after a few cuts; later "reductions" change nothing, so the tail stays at min_lr
    metrics = np.r_[np.linspace(1, 0.5, 30), np.full(3000, 0.5)]
    for kw in ({"factor": 0.5, "min_lr": 1e-3, "patience": 0}, {"factor": 0.9, "eps": 0.0, "patience": 1},
               {"factor": 0.1, "min_lr": 0.1}):
        got = preview_plateau(metrics, lr=0.1, **kw)
        assert np.array_equal(got.lr, torch_plateau(metrics, lr=0.1, **kw).lr)

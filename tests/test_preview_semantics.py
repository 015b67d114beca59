"""Where torch itself is periodic, discontinuous or surprising: the preview reproduces it (and so does torch)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrlab.preview import preview, preview_sequential, torch_schedule, torch_sequential

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def both(name: str, steps: int, **kw: object) -> list[np.ndarray]:
    return [preview(name, steps, **kw).lr[:, 0], torch_schedule(name, steps, **kw).lr[:, 0]]


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_past_t_max_climbs_back_to_base_at_2t(eta_min: float) -> None:
    big_t, lr0 = 10, 0.1
    for lr in both("CosineAnnealingLR", 5 * big_t + 1, lr=lr0, T_max=big_t, eta_min=eta_min):
        assert lr[big_t] == pytest.approx(eta_min, abs=1e-15)  # trough at T_max
        assert lr[2 * big_t] == pytest.approx(lr0, rel=1e-12)  # back at base at 2*T_max
        assert lr[3 * big_t] == pytest.approx(eta_min, abs=1e-15)
        assert lr[4 * big_t] == pytest.approx(lr0, rel=1e-12)
        assert lr[big_t + 1] > lr[big_t]  # climbs after the trough instead of staying at eta_min
        t = np.arange(len(lr))
        np.testing.assert_allclose(lr, eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * t / big_t)) / 2,
                                   rtol=1e-12, atol=1e-15)


def test_cawr_jumps_back_to_base_at_each_restart() -> None:
    t0, lr0 = 4, 0.1
    restarts = [t0, t0 + 2 * t0, t0 + 2 * t0 + 4 * t0]  # T_mult=2: cycles of 4, 8, 16
    for lr in both("CosineAnnealingWarmRestarts", 40, lr=lr0, T_0=t0, T_mult=2, eta_min=0.001):
        for r in restarts:
            assert lr[r] == lr0  # exactly base: T_cur = 0
            assert lr[r - 1] < 0.5 * lr0  # just before: near the trough, never reaching eta_min
            assert lr[r - 1] > 0.001
        assert lr[restarts[1] - 1] == pytest.approx(0.001 + (lr0 - 0.001) * (1 + math.cos(math.pi * 7 / 8)) / 2)


def test_sequential_restarts_child_at_milestone() -> None:
    lr0 = 0.1
    children = [("LinearLR", {"start_factor": 0.1, "total_iters": 10}), ("CosineAnnealingLR", {"T_max": 20})]
    for sched in (preview_sequential(children, [5], 30, lr=lr0), torch_sequential(children, [5], 30, lr=lr0)):
        lr = sched.lr[:, 0]
        np.testing.assert_allclose(lr[:5], lr0 * (0.1 + 0.9 * np.arange(5) / 10), rtol=1e-12)  # warmup cut short
        assert lr[5] == pytest.approx(lr0, rel=1e-15)  # cosine restarted at epoch 0: a jump 0.046 -> 0.1
        assert lr[5] - lr[4] > 0.05
        np.testing.assert_allclose(lr[5:], lr0 * (1 + np.cos(np.pi * np.arange(25) / 20)) / 2, rtol=1e-12)


def test_multistep_repeated_milestone_multiplies_twice() -> None:
    for lr in both("MultiStepLR", 10, lr=1.0, milestones=[3, 3, 6], gamma=0.5):
        np.testing.assert_allclose(lr, [1, 1, 1, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.125])


def test_linear_past_total_iters_stays_at_end_factor() -> None:
    for lr in both("LinearLR", 30, lr=0.2, start_factor=0.25, end_factor=0.5, total_iters=8):
        np.testing.assert_allclose(lr[8:], 0.1, rtol=1e-14)
        np.testing.assert_allclose(lr[:9], 0.2 * (0.25 + 0.25 * np.arange(9) / 8), rtol=1e-14)


def test_cyclic_starts_at_base_lr_not_optimizer_lr() -> None:
    for lr in both("CyclicLR", 12, lr=0.7, base_lr=0.01, max_lr=0.05, step_size_up=4):
        assert lr[0] == 0.01
        assert lr[4] == pytest.approx(0.05) and lr[8] == pytest.approx(0.01)


def test_one_cycle_last_step_extrapolates_and_one_more_raises() -> None:
    n = 50
    kw = {"lr": 0.1, "max_lr": 1.0, "total_steps": n, "anneal_strategy": "linear"}
    for lr in both("OneCycleLR", n + 1, **kw):
        min_lr = 1.0 / 25 / 1e4
        assert lr[n - 1] == pytest.approx(min_lr, rel=1e-9)
        slope = lr[n - 1] - lr[n - 2]
        assert lr[n] == pytest.approx(lr[n - 1] + slope, rel=1e-9)  # past the end: extrapolated
        assert lr[n] < min_lr
    with pytest.raises(ValueError, match="Tried to step 51 times"):
        preview("OneCycleLR", n + 2, **kw)
    with pytest.raises(ValueError, match="Tried to step 51 times"):
        torch_schedule("OneCycleLR", n + 2, **kw)


def test_one_cycle_phase_ends_at_pct_times_n_minus_one() -> None:
    n = 100
    for lr in both("OneCycleLR", n, lr=0.1, max_lr=1.0, total_steps=n, pct_start=0.3):
        assert int(np.argmax(lr)) == 29 and lr[29] == pytest.approx(1.0)


def test_momentum_is_reported_only_when_cycled_or_given() -> None:
    assert preview("StepLR", 5, step_size=2).momentum is None
    np.testing.assert_array_equal(preview("StepLR", 5, momentum=0.9, step_size=2).momentum, 0.9)
    mom = preview("OneCycleLR", 11, max_lr=1.0, total_steps=10).momentum
    assert mom is not None and mom[0, 0] == pytest.approx(0.95) and mom[2, 0] == pytest.approx(0.85)

"""Claims the chapters 00-05 and 08 make, computed with torch 2.13 (the hint values and the stated facts)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

L = torch.optim.lr_scheduler
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _opt(lr: float = 0.1, **kw) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, **kw)


def _lrs(make, steps: int, lr: float = 0.1, **kw) -> list[float]:
    opt = _opt(lr, **kw)
    sched = make(opt)
    out = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out


def _text(name: str) -> str:
    nb = json.loads(next(NOTEBOOKS.glob(f"{name}_*.ipynb")).read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_ch02_repeated_milestone_counts_twice():
    lrs = _lrs(lambda o: L.MultiStepLR(o, [30, 30], gamma=0.1), 31)
    assert math.isclose(lrs[30], lrs[29] / 100)


def test_ch02_steplr_tests_last_epoch_zero_and_multisteplr_tests_only_milestones():
    opt = _opt(0.1)
    opt.param_groups[0]["initial_lr"] = 0.1
    L.StepLR(opt, step_size=5, gamma=0.5, last_epoch=9)  # constructor's step lands on 10, a decay step
    assert math.isclose(opt.param_groups[0]["lr"], 0.05)
    opt = _opt(0.1)
    opt.param_groups[0]["initial_lr"] = 0.1
    L.ExponentialLR(opt, gamma=0.5, last_epoch=9)  # _is_initial: keeps the LR
    assert opt.param_groups[0]["lr"] == 0.1
    assert math.isclose(_lrs(lambda o: L.MultiStepLR(o, [0, 2]), 0)[0], 0.01)  # milestone 0 decays at once


def test_ch02_recursive_form_keeps_a_hand_edit_and_another_scheduler_the_closed_form_erases_them():
    """Chapter 02's chainability section: StepLR (recursive) against LambdaLR holding the same closed form."""
    def run(*makers, edit_at=None, steps=10):
        opt = _opt(0.1)
        scheds = [make(opt) for make in makers]
        out = [opt.param_groups[0]["lr"]]
        for t in range(1, steps):
            opt.step()
            for sched in scheds:
                sched.step()
            if t == edit_at:
                opt.param_groups[0]["lr"] *= 0.5
            out.append(opt.param_groups[0]["lr"])
        return out

    def recursive(o):
        return L.StepLR(o, step_size=3, gamma=0.5)

    def closed(o):
        return L.LambdaLR(o, lambda t: 0.5 ** (t // 3))

    def second(o):
        return L.ExponentialLR(o, gamma=0.9)

    alone = run(recursive)
    assert alone == pytest.approx(run(closed), rel=1e-12)
    kept = [e / a for e, a in zip(run(recursive, edit_at=4), alone, strict=True)]
    erased = [e / a for e, a in zip(run(closed, edit_at=4), alone, strict=True)]
    assert kept == pytest.approx([1.0] * 4 + [0.5] * 6) and erased == pytest.approx([1.0] * 4 + [0.5] + [1.0] * 5)
    exp = [e / n for e, n in zip(run(second), run(), strict=True)]
    assert [c / a for c, a in zip(run(recursive, second), alone, strict=True)] == pytest.approx(exp)
    assert [c / a for c, a in zip(run(closed, second), alone, strict=True)] == pytest.approx([1.0] + [0.9] * 9)


def test_ch03_gamma_claims():
    assert round(0.01 ** (1 / 100), 3) == 0.955
    assert 0.5**100 < 1e-30
    opt = _opt(0.1)
    sched = L.ExponentialLR(opt, gamma=0.9999)
    for _ in range(100_000):
        sched.step()
    closed = 0.1 * 0.9999**100_000
    assert abs(opt.param_groups[0]["lr"] - closed) / closed < 1e-13  # "about 1e-14 after 1e5 steps"


def test_ch04_cosine_is_periodic_and_restarts_land_where_the_plot_says():
    lrs = _lrs(lambda o: L.CosineAnnealingLR(o, T_max=100), 300)
    assert math.isclose(lrs[200], 0.1) and lrs[100] < 1e-12 and math.isclose(lrs[150], lrs[50])
    sgdr = _lrs(lambda o: L.CosineAnnealingWarmRestarts(o, T_0=20, T_mult=2), 300)
    assert [t for t in range(1, 301) if math.isclose(sgdr[t], 0.1)] == [20, 60, 140, 300]
    assert min(_lrs(lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10, eta_min=0.01), 100)) > 0.01


def test_ch05_cyclic_sets_base_lr_and_momentum_moves_opposite():
    opt = _opt(0.5, momentum=0.9)
    sched = L.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=5)
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["momentum"] == 0.9
    for _ in range(5):
        opt.step()
        sched.step()
    assert math.isclose(opt.param_groups[0]["lr"], 0.1) and math.isclose(opt.param_groups[0]["momentum"], 0.8)


def test_ch08_first_reduction_on_the_fourth_bad_epoch():
    opt = _opt(0.1)
    sched = L.ReduceLROnPlateau(opt, patience=3, factor=0.5)
    lrs = []
    for v in [1.0 - 0.05 * i for i in range(10)] + [0.55] * 10:
        sched.step(v)
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs.index(0.05) == 13  # call 14: 10 improving calls, then the 4th bad one


@pytest.mark.parametrize(("name", "wrong"), [
    ("00", "thirteen schedulers"),
    ("03", "at step 0 return the current group LRs"),
    ("04", "`last_epoch == 0` case"),
    ("05", "escape sharp regions"),
    ("09", "multiplier=1 never"),
    ("09", "`last_epoch=steps_done - 1` (here 9)"),
    ("04", "`T_cur -= T_i; T_i *= T_mult`"),
])
def test_wrong_claims_are_gone(name, wrong):
    assert wrong not in _text(name)


def test_ch04_warm_restarts_restart_with_a_modulo_once():
    """Chapter 04: on a plain step past T_i, torch sets T_cur = T_cur % T_i (once) and T_i *= T_mult; a
    scheduler built with last_epoch=k starts at T_cur = k + 1, so one subtraction would land past T_i."""
    opt = _opt(0.1)
    opt.param_groups[0]["initial_lr"] = 0.3
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=3, last_epoch=11)
    assert (sched.T_cur, sched.T_i) == ((11 + 1) % 3, 3) and sched.get_last_lr() == [0.3]
    opt = _opt(0.1)
    opt.param_groups[0]["initial_lr"] = 0.3
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, last_epoch=40)
    assert (sched.T_cur, sched.T_i) == ((40 + 1) % 4, 8)
    assert "T_cur % T_i" in _text("04")


def test_ch06_three_phase_momentum_stays_at_max_in_phase_three():
    """Chapter 06: with three_phase=True momentum goes max -> base -> max over the first two phases, then
    stays at max_momentum while the LR falls to its minimum."""
    opt = _opt(0.1, momentum=0.9)
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=30, three_phase=True, pct_start=0.3)
    moms = []
    for _ in range(30):
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        if len(moms) < 30:
            sched.step()
    end_two = int(2 * 0.3 * 30) - 2  # the second phase ends at 2 p N - 2
    assert min(moms) == pytest.approx(0.85) and moms[0] == pytest.approx(0.95)
    assert all(m == pytest.approx(0.95) for m in moms[end_two:])
    assert "stays at `max_momentum`" in _text("06")
